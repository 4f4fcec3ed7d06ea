import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { parse } from "yaml";
import { root } from "./program";

/**
 * The layers of the sources, lowest first. A file may import its own layer and any layer below
 * it, never one above: each import points one way. The first pattern a file matches decides
 * its layer (more specific patterns come first). Derived from the import graph of the sources
 * (docs/decisions/0024):
 * - `environments/` is pure data and rules; `apps/` (the catalog) needs the environment names;
 * - `apps/manifests/` turns an app and an environment into Kubernetes objects;
 * - `stack-config/` is the one place that joins apps × environments (a stack file's schema);
 * - `bootstrap/config.ts` and `outputs.ts` describe the shared stack, which the environment
 *   components (`infra/`) and the mock engine's world read;
 * - the components' fakes (`infra/*.mock.ts`, `infra/fakes.ts`) live beside the components and
 *   are written with `infra/fake-kit.ts`; they sit in a layer of their own between the components
 *   and the engine, which runs them: the engine imports them, never the other way round
 *   (docs/decisions/0021, 0054);
 * - `policy/` evaluates what the engine registered; the CLI runs the engine and the policies;
 * - the two Pulumi programs sit on top; tests and test helpers may import anything.
 */
const layers: readonly { readonly name: string; readonly patterns: readonly RegExp[] }[] = [
  { name: "lib", patterns: [/^lib\//] },
  { name: "environments", patterns: [/^environments\//] },
  // A component's client contract: plain data beside the component, which the apps' objects read
  // (infra/redis-cache.contract.ts, docs/decisions/0057).
  { name: "the components' contracts", patterns: [/^infra\/.*\.contract\.ts$/] },
  { name: "apps (the catalog)", patterns: [/^apps\/(?!manifests\/)/] },
  { name: "apps/manifests", patterns: [/^apps\/manifests\//] },
  { name: "stack-config", patterns: [/^stack-config\//] },
  { name: "bootstrap config", patterns: [/^bootstrap\/(config|outputs)\.ts$/] },
  { name: "infra", patterns: [/^infra\/(?!fakes\.ts$)(?!fake-kit\.ts$)(?!.*\.mock\.ts$)/] },
  {
    name: "the components' fakes",
    patterns: [/^infra\/fake-kit\.ts$/, /^infra\/fakes\.ts$/, /^infra\/.*\.mock\.ts$/],
  },
  { name: "engine", patterns: [/^engine\//] },
  { name: "policy", patterns: [/^policy\//] },
  { name: "cli", patterns: [/^cli\//] },
  { name: "programs", patterns: [/^index\.ts$/, /^bootstrap\/index\.ts$/] },
  { name: "tests", patterns: [/\.test\.ts$/, /^test\//] },
];

/** Imports that skip a layer although both ends are in order: `from` must not import `to`. */
const forbidden: readonly { readonly from: RegExp; readonly to: RegExp; readonly why: string }[] = [
  { from: /^cli\//, to: /^infra\//, why: "the CLI must not load the components (and azure-native)" },
];

/** Packages no source imports, and why. */
const refusedPackages: Readonly<Record<string, string>> = {
  "js-yaml": "one YAML library, the `yaml` package (docs/decisions/0006)",
};

const testFile = /\.test\.ts$|^test\//;

function layerOf(file: string): number {
  const order = testFile.test(file)
    ? layers.length - 1
    : layers.findIndex(({ patterns }) => patterns.some((p) => p.test(file)));
  return order;
}

/** The project file a relative import names, relative to `base`; undefined for a package. */
function resolveImport(
  from: string,
  specifier: string,
  exists: (file: string) => boolean,
): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [`${target}.ts`, `${target}.mts`, `${target}/index.ts`, target];
  return candidates.find(exists) ?? target;
}

/**
 * Every import of `files` (path → text, paths relative to the root with `/`) that breaks the
 * layering, as `file -> import: why`.
 */
function layeringViolations(
  files: ReadonlyMap<string, string>,
  exists: (file: string) => boolean = (file) => files.has(file),
): string[] {
  const problems: string[] = [];
  for (const [file, text] of files) {
    const own = layerOf(file);
    if (own < 0) {
      problems.push(`${file}: in no layer; add it to the layers in test/layers.test.ts`);
      continue;
    }
    for (const { fileName: specifier } of ts.preProcessFile(text, true, false).importedFiles) {
      const refused = refusedPackages[specifier];
      if (refused !== undefined) problems.push(`${file} -> ${specifier}: ${refused}`);
      const target = resolveImport(file, specifier, exists);
      if (target === undefined) continue;
      const edge = `${file} -> ${target}`;
      const theirs = layerOf(target);
      if (theirs < 0) {
        problems.push(`${edge}: imports a file in no layer`);
      } else if (theirs > own) {
        problems.push(`${edge}: ${layers[own]!.name} imports ${layers[theirs]!.name}, a layer above it`);
      } else {
        const rule = forbidden.find(({ from, to }) => from.test(file) && to.test(target));
        if (rule !== undefined) problems.push(`${edge}: ${rule.why}`);
      }
    }
  }
  return problems;
}

const programFile = /^index\.ts$|^bootstrap\/index\.ts$/;

/** The top folder of a file (`.` for one at the root). */
const folderOf = (file: string): string => (file.includes("/") ? file.slice(0, file.indexOf("/")) : ".");

/**
 * Every pair of folders of `files` that import each other, with the imports both ways: a back
 * edge, which the layers allow when both ends are in order (a fake importing the engine that
 * imports the fakes) but which ties two folders into one. Tests and the two programs are left
 * out: they sit on top and may import anything.
 */
function folderBackEdges(
  files: ReadonlyMap<string, string>,
  exists: (file: string) => boolean = (file) => files.has(file),
): string[] {
  const edges = new Map<string, string[]>();
  for (const [file, text] of files) {
    if (testFile.test(file) || programFile.test(file)) continue;
    for (const { fileName: specifier } of ts.preProcessFile(text, true, false).importedFiles) {
      const target = resolveImport(file, specifier, exists);
      if (target === undefined || folderOf(target) === folderOf(file)) continue;
      // A component's contract sits beside it but in a layer below the apps (decision 0057).
      if (/^infra\/.*\.contract\.ts$/.test(target)) continue;
      const key = `${folderOf(file)}/ -> ${folderOf(target)}/`;
      edges.set(key, [...(edges.get(key) ?? []), `${file} -> ${target}`]);
    }
  }
  const problems: string[] = [];
  for (const [key, imports] of [...edges].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [from, to] = key.split(" -> ") as [string, string];
    const back = edges.get(`${to} -> ${from}`);
    if (back === undefined || from > to) continue;
    problems.push(`${from} and ${to} import each other: ${[...imports, ...back].join(", ")}`);
  }
  return problems;
}

/** The project files a program file loads, itself included, following relative imports. */
function loadedBy(entry: string, files: ReadonlyMap<string, string>): Set<string> {
  const loaded = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file) || !files.has(file)) continue;
    loaded.add(file);
    for (const { fileName } of ts.preProcessFile(files.get(file)!, true, false).importedFiles) {
      const target = resolveImport(file, fileName, (candidate) => files.has(candidate));
      if (target !== undefined) pending.push(target);
    }
  }
  return loaded;
}

/** The TypeScript sources of the project, by path relative to the root. */
function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const skip = new Set(["node_modules", "dist", "coverage", ".git"]);
  const visit = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory() && !skip.has(entry.name) && !entry.name.startsWith(".")) visit(relative);
      else if (entry.isFile() && /\.m?ts$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.set(relative, readFileSync(path.join(root, relative), "utf8"));
      }
    }
  };
  visit("");
  return files;
}

describe("the layers of the sources", () => {
  test("every import points to the importer's layer or one below it", () => {
    const files = sources();
    expect(files.size).toBeGreaterThan(100);
    expect(layeringViolations(files, (file) => existsSync(path.join(root, file)))).toEqual([]);
  });

  test("no two folders import each other: engine/ runs the fakes in infra/, which never import it", () => {
    const files = sources();
    expect(files.has("infra/fake-kit.ts")).toBe(true);
    expect(folderBackEdges(files, (file) => existsSync(path.join(root, file)))).toEqual([]);
  });

  test("a back edge between two folders is named with every import both ways", () => {
    const files = new Map([
      ["engine/mock-engine.ts", 'import { fakeHash } from "../infra/fake-kit";\n'],
      ["engine/plan-runner.ts", 'import { platformFakes } from "../infra/fakes";\n'],
      ["infra/fake-kit.ts", "export {};\n"],
      ["infra/fakes.ts", 'import { networkFakes } from "./network.mock";\n'],
      ["infra/network.mock.ts", 'import { type Fakes } from "../engine/mock-engine";\n'],
      ["infra/app-workloads.test.ts", 'import { runProgram } from "../engine/mock-engine";\n'],
      ["bootstrap/index.ts", 'import { deliverySettings } from "../infra/fakes";\n'],
      ["bootstrap/outputs.ts", "export {};\n"],
      ["infra/app-images.ts", 'import { acrTokenUsername } from "../bootstrap/outputs";\n'],
    ]);
    expect(folderBackEdges(files)).toEqual([
      "engine/ and infra/ import each other: engine/mock-engine.ts -> infra/fake-kit.ts, engine/plan-runner.ts -> infra/fakes.ts, infra/network.mock.ts -> engine/mock-engine.ts",
    ]);
  });

  test("every file the program loads is in the stack filters' program list, so a change to it previews every stack", () => {
    const filters = parse(readFileSync(path.join(root, ".github", "stack-filters.yml"), "utf8")) as {
      program: string[];
    };
    // The two shapes the filters may use (test/workflows.test.ts): `dir/**` and a plain path.
    const matched = (file: string) =>
      filters.program.some((pattern) =>
        pattern.endsWith("/**") ? file.startsWith(pattern.slice(0, -2)) : file === pattern,
      );
    const loaded = [...loadedBy("index.ts", sources())];
    expect(loaded).toEqual(expect.arrayContaining(["stack-config/from-pulumi.ts", "lib/values.ts"]));
    expect(loaded.filter((file) => !matched(file))).toEqual([]);
  });

  test('every file the programs load is CommonJS to Node: no package.json above it says "type": "module"', () => {
    // Pulumi's default TypeScript loader (ts-node, which `npm run bench -- program` measures) refuses
    // to require such a file. The stand-ins' package.json once made apps/main-api/app.ts and
    // apps/customer-api/app.ts ES modules; their .mjs files are ES modules by their name alone.
    const packageType = (file: string): string | undefined => {
      for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
        const manifest = path.join(root, dir, "package.json");
        if (existsSync(manifest))
          return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type;
        if (dir === ".") return undefined;
      }
    };
    const files = sources();
    const loaded = [
      ...new Set(["index.ts", "bootstrap/index.ts"].flatMap((program) => [...loadedBy(program, files)])),
    ];
    expect(loaded).toEqual(expect.arrayContaining(["apps/main-api/app.ts", "apps/customer-api/app.ts"]));
    expect(loaded.filter((file) => packageType(file) === "module")).toEqual([]);
  });

  test("an import of a higher layer is named with the file, the import and the layers", () => {
    const files = new Map([
      ["environments/stack-config.ts", 'import { appNames } from "../apps/catalog";\n'],
      ["apps/catalog.ts", 'import type { EnvironmentName } from "../environments/settings";\n'],
      ["apps/manifests/render.ts", 'import { parseStackConfig } from "../../stack-config/schema";\n'],
      ["cli/promotion.ts", 'import { roles } from "../infra/roles";\n// import { x } from "../index";\n'],
      ["infra/network.ts", 'import { runProgram } from "../engine/mock-engine";\n'],
      ["infra/network.mock.ts", 'import { type Fakes } from "../engine/mock-engine";\n'],
      ["infra/fake-kit.ts", 'import { runProgram } from "../engine/mock-engine";\n'],
      ["environments/settings.ts", "export {};\n"],
      ["stack-config/schema.ts", "export {};\n"],
      [
        "engine/mock-engine.ts",
        'import { world } from "./world";\nimport { tool } from "../scripts/tool";\n',
      ],
      ["policy/baseline.ts", 'import { root } from "../test/program";\n'],
      ["infra/roles.ts", "export {};\n"],
      ["scripts/tool.ts", "export {};\n"],
      ["test/render.test.ts", 'import { dump } from "js-yaml";\n'],
    ]);
    expect(layeringViolations(files)).toEqual([
      "environments/stack-config.ts -> apps/catalog.ts: environments imports apps (the catalog), a layer above it",
      "apps/manifests/render.ts -> stack-config/schema.ts: apps/manifests imports stack-config, a layer above it",
      "cli/promotion.ts -> infra/roles.ts: the CLI must not load the components (and azure-native)",
      "infra/network.ts -> engine/mock-engine.ts: infra imports engine, a layer above it",
      "infra/network.mock.ts -> engine/mock-engine.ts: the components' fakes imports engine, a layer above it",
      "infra/fake-kit.ts -> engine/mock-engine.ts: the components' fakes imports engine, a layer above it",
      "engine/mock-engine.ts -> scripts/tool.ts: imports a file in no layer",
      "policy/baseline.ts -> test/program: policy imports tests, a layer above it",
      "scripts/tool.ts: in no layer; add it to the layers in test/layers.test.ts",
      "test/render.test.ts -> js-yaml: one YAML library, the `yaml` package (docs/decisions/0006)",
    ]);
  });
});
