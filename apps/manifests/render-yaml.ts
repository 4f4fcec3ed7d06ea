import { Document, visit, type Pair } from "yaml";
import { compareText } from "../../lib/values";
import type { KubeObject } from "./kube-object";

/** Keys printed first, in this order; the others follow alphabetically. */
const leadingKeys = ["apiVersion", "kind", "metadata", "name", "namespace"];

const keyRank = (key: string): number => {
  const rank = leadingKeys.indexOf(key);
  return rank < 0 ? leadingKeys.length : rank;
};

const compareKeys = (left: string, right: string): number =>
  keyRank(left) - keyRank(right) || compareText(left, right);

const comparePairs = (left: Pair, right: Pair): number => compareKeys(String(left.key), String(right.key));

/**
 * A string that starts with `-`, `?`, `:` or `=` may be plain in YAML (`--host=x`), but is printed in
 * quotes: the output stays as it was when the printer was js-yaml (docs/decisions/0006), and a
 * reader cannot take it for a list item, a key or a value indicator.
 */
const indicatorFirst = /^[-?:=]/;

/**
 * A multi-line string with a line of only blanks: the `yaml` package would print it as a block
 * scalar that reads back without those blanks (" \n" as "\n"; eemeli/yaml pull request 695,
 * not merged), so it is printed in quotes.
 */
const blankLine = /(?:^|\n)[ \t]+(?:\n|$)/;

const needsQuotes = (text: string): boolean =>
  indicatorFirst.test(text) || (text.includes("\n") && blankLine.test(text));

/**
 * Prints objects as a multi-document YAML stream, `---` between documents, as `kubectl apply -f`
 * reads it. Map keys are sorted (apiVersion, kind, metadata first), so equal objects print
 * byte-identical whatever order their keys were built in. Strings that a YAML 1.2 or a YAML 1.1
 * reader (kubectl) would take for another type are quoted: "on", "yes", "0755", "1_000", "1:20",
 * "1e3", "2024-01-01".
 */
export function renderYaml(objects: readonly KubeObject[]): string {
  return objects.map(printObject).join("---\n");
}

function printObject(object: KubeObject): string {
  const document = new Document(object, {
    compat: "yaml-1.1",
    sortMapEntries: comparePairs,
    aliasDuplicateObjects: false,
  });
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === "string" && needsQuotes(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return document.toString({ lineWidth: 0, singleQuote: false, blockQuote: "literal" });
}
