// Helpers over the nodes of a parsed stack file (`readStackYaml` in stack-config/from-file.ts,
// the one reader): read-images.ts reports positions with them, edit-images.ts splices by them.
import { isAlias, isCollection, isScalar, type Document, type LineCounter, type Pair } from "yaml";
import { maxAliasCount } from "../../stack-config/from-file";

/** A node as plain data, aliases and merge keys resolved. */
export function plainOf(doc: Document.Parsed, node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isCollection(node) || isAlias(node)) return node.toJS(doc, { maxAliasCount });
  return node;
}

/** The node an alias stands for; any other node as it is. */
export function resolved(doc: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** Whether a map entry is a merge key (`<<: *base`). */
export function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === "symbol";
}

/** " (line N)" for a node's start, or nothing when it has none: the end of every message. */
export function lineOf(lines: LineCounter, offset: number | undefined): string {
  return offset === undefined ? "" : ` (line ${lines.linePos(offset).line})`;
}
