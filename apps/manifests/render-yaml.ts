import { DEFAULT_SCHEMA, dump, Type } from "js-yaml";
import type { KubeObject } from "./kube-object";

/** Keys printed first, in this order; the others follow alphabetically. */
const leadingKeys = ["apiVersion", "kind", "metadata", "name", "namespace"];

const keyRank = (key: string): number => {
  const rank = leadingKeys.indexOf(key);
  return rank < 0 ? leadingKeys.length : rank;
};

const compareKeys = (left: string, right: string): number =>
  keyRank(left) - keyRank(right) || (left < right ? -1 : left > right ? 1 : 0);

/**
 * Numbers YAML 1.1 has and YAML 1.2 dropped: with underscores (`1_000`) and base 60 (`1:20`).
 * Known to the printer as a type, so that strings of that form are quoted for kubectl.
 */
const yaml11Numbers = new Type("tag:yaml.org,2002:yaml11-number", {
  kind: "scalar",
  resolve: (text: string) =>
    /^[-+]?(?:0b[01_]*_[01_]*|0x[0-9a-fA-F_]*_[0-9a-fA-F_]*|[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?)$/.test(
      text,
    ) || /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(text),
  construct: (text: string) => text,
});
const schema = DEFAULT_SCHEMA.extend({ implicit: [yaml11Numbers] });

/**
 * Prints objects as a multi-document YAML stream, `---` between documents, as `kubectl apply -f`
 * reads it. Map keys are sorted (apiVersion, kind, metadata first), so equal objects print
 * byte-identical whatever order their keys were built in. js-yaml, not the `yaml` package that
 * edits stack files: it prints the same YAML three times faster (docs/decisions).
 */
export function renderYaml(objects: readonly KubeObject[]): string {
  return objects
    .map((object) =>
      dump(object, {
        schema,
        sortKeys: compareKeys,
        lineWidth: -1,
        noRefs: true,
        quotingType: '"',
        // The default compatibility mode quotes what YAML 1.1 (kubectl) would read as another
        // type: "on", "yes", "0755".
        noCompatMode: false,
      }),
    )
    .join("---\n");
}
