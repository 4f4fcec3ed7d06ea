import { stringify } from "yaml";
import type { KubeObject } from "./kube-object";

/** Keys printed first, in this order; the others follow alphabetically. */
const leadingKeys = ["apiVersion", "kind", "metadata", "name", "namespace"];

const keyRank = (key: string): number => {
  const rank = leadingKeys.indexOf(key);
  return rank < 0 ? leadingKeys.length : rank;
};

// The yaml library hands the comparator pairs whose keys are wrapped in Scalar nodes.
const keyText = (key: unknown): string =>
  String(typeof key === "object" && key !== null && "value" in key ? key.value : key);

const compareKeys = (a: { key: unknown }, b: { key: unknown }): number => {
  const left = keyText(a.key);
  const right = keyText(b.key);
  return keyRank(left) - keyRank(right) || (left < right ? -1 : left > right ? 1 : 0);
};

/**
 * Prints objects as a multi-document YAML stream, `---` between documents, as `kubectl apply -f`
 * reads it. Map keys are sorted (apiVersion, kind, metadata first), so equal objects print
 * byte-identical whatever order their keys were built in.
 */
export function renderYaml(objects: readonly KubeObject[]): string {
  return objects
    .map((object) =>
      stringify(object, {
        // kubectl reads YAML 1.1: strings such as "on", "yes" or "0755" must stay quoted.
        version: "1.1",
        lineWidth: 0,
        aliasDuplicateObjects: false,
        sortMapEntries: compareKeys,
      }),
    )
    .join("---\n");
}
