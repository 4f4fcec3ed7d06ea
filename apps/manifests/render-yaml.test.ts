import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { parseStackConfig } from "../../stack-config/schema";
import type { KubeObject } from "./kube-object";
import { environmentObjects } from "./environment-objects";
import { renderYaml } from "./render-yaml";

const configMap = (data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "apps" },
  data,
});

/** Reads a rendered stream back as kubectl does (YAML 1.1), or as a YAML 1.2 reader does. */
const readBack = (text: string, version: "1.1" | "1.2" = "1.1"): unknown[] => {
  const documents = parseAllDocuments(text, { version });
  if (!Array.isArray(documents)) throw new Error("not a YAML stream");
  return documents.map((document) => document.toJS() as unknown);
};

describe("renderYaml", () => {
  it("prints documents separated by ---, apiVersion, kind and metadata first", () => {
    const namespace: KubeObject = { metadata: { name: "apps" }, kind: "Namespace", apiVersion: "v1" };
    expect(renderYaml([namespace, configMap({ B: "2", A: "1" })])).toBe(
      [
        "apiVersion: v1",
        "kind: Namespace",
        "metadata:",
        "  name: apps",
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: settings",
        "  namespace: apps",
        "data:",
        '  A: "1"',
        '  B: "2"',
        "",
      ].join("\n"),
    );
  });

  it("prints nothing for no objects", () => {
    expect(renderYaml([])).toBe("");
  });

  it("prints equal objects byte-identical whatever order their keys were built in", () => {
    const forward = configMap({ A: "1", B: "2", C: "3" });
    const backward: KubeObject = {
      data: { C: "3", B: "2", A: "1" },
      metadata: { namespace: "apps", name: "settings" },
      kind: "ConfigMap",
      apiVersion: "v1",
    };
    expect(renderYaml([backward])).toBe(renderYaml([forward]));
  });

  it("quotes strings that YAML 1.1 readers such as kubectl would take for booleans or numbers", () => {
    const text = renderYaml([
      configMap({ A: "on", B: "yes", C: "0755", D: "10000", E: "y", F: "1_000", G: "1:20" }),
    ]);
    expect(text).toContain(
      '  A: "on"\n  B: "yes"\n  C: "0755"\n  D: "10000"\n  E: "y"\n  F: "1_000"\n  G: "1:20"\n',
    );
    expect(readBack(text)).toEqual([
      configMap({ A: "on", B: "yes", C: "0755", D: "10000", E: "y", F: "1_000", G: "1:20" }),
    ]);
  });

  it("quotes strings that start with an indicator, as the printer did when it was js-yaml", () => {
    const text = renderYaml([configMap({ A: "--host=$(DB_HOST)", B: "?x", C: ":x", D: "=x", E: "a-b" })]);
    expect(text).toContain('  A: "--host=$(DB_HOST)"\n  B: "?x"\n  C: ":x"\n  D: "=x"\n  E: a-b\n');
  });

  it("prints multi-line strings as literal blocks, and quotes those a block would change", () => {
    const text = renderYaml([configMap({ A: "one\ntwo", B: "one\ntwo\n", C: " \n", D: "one\n  \ntwo" })]);
    expect(text).toContain(
      '  A: |-\n    one\n    two\n  B: |\n    one\n    two\n  C: "\\ \\n"\n  D: "one\\n \\ \\ntwo"\n',
    );
    expect(readBack(text)).toEqual([
      configMap({ A: "one\ntwo", B: "one\ntwo\n", C: " \n", D: "one\n  \ntwo" }),
    ]);
  });

  it("prints any string, as value, key or list item, so that YAML 1.1 and 1.2 readers read it back", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.stringMatching(/^[-+.:0-9_eExXoObB a-fA-F~=\n#'"|>\t ]{0,8}$/),
      fc.constantFrom(
        "on",
        "y",
        "~",
        "null",
        "1e3",
        "0o17",
        "0x1f",
        "1_000",
        "1:20",
        "2024-01-01",
        ".inf",
        "<<",
      ),
    );
    fc.assert(
      fc.property(text, (value) => {
        const object: KubeObject = { ...configMap({ k: value, [value]: "v" }), spec: { list: [value] } };
        const printed = renderYaml([object]);
        expect(readBack(printed, "1.1")).toEqual([object]);
        expect(readBack(printed, "1.2")).toEqual([object]);
      }),
      { numRuns: 1500, seed: 12 },
    );
  });

  it("writes shared values out in full, without YAML anchors", () => {
    const shared = { "app.kubernetes.io/part-of": "platform" };
    const text = renderYaml([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "a", labels: shared } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "b", labels: shared } },
    ]);
    expect(text).not.toMatch(/[&*]a1/);
    expect(text.match(/app\.kubernetes\.io\/part-of: platform/g)).toHaveLength(2);
  });

  it("prints an environment's objects so that they read back unchanged", () => {
    const config = parseStackConfig("acceptance", {
      "azure-native:location": "westeurope",
      "platform:images": { "main-api": { tag: "1.5.0" }, web: { tag: "2.3.1" } },
    });
    const objects = environmentObjects(config, "contosoplatformacr.azurecr.io");
    const text = renderYaml(objects);
    expect(readBack(text)).toEqual(objects);
    expect(text.split("\n---\n")).toHaveLength(objects.length);
    expect(renderYaml(environmentObjects(config, "contosoplatformacr.azurecr.io"))).toBe(text);
    expect(text).toContain(
      'image: "contosoplatformacr.azurecr.io/main-api:1.5.0@(known after deploy: image.main-api.digest)"\n',
    );
  });
});
