// Parses a stack file's text as Pulumi does, keeping the nodes' positions: the one YAML reader
// of stack files. read-images.ts reads `platform:images` through it, edit-images.ts splices it.
import {
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Pair,
} from "yaml";
import { StackConfigError } from "../../environments/stack-config";

/** A stack file's text parsed, with the line numbers of its nodes. */
export interface StackYaml {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/**
 * Parses a stack file's text as Pulumi reads it (gopkg.in/yaml.v3): merge keys (`<<`) merge, and
 * a plain scalar that yaml.v3 takes for a number or a date is one here too, although YAML 1.2
 * reads it as a string: `0b1`, `0o17`, `0x1f`, `20240101_1200` (yaml.v3 drops every `_` of a
 * number), `1_000`, `2024-01-01`. So a tag Pulumi would not see as written is never taken for one.
 *
 * @throws StackConfigError for text that is not YAML, each problem with its line (a duplicate
 *   key names its key path).
 */
export function readStackYaml(text: string, source: string): StackYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) throw new StackConfigError(source, syntaxProblems(doc, lines));
  visit(doc, {
    Scalar(_, node) {
      if (node.type !== "PLAIN" || typeof node.source !== "string") return;
      const read = goYamlPlain(node.source);
      if (read !== undefined) node.value = read;
    },
  });
  return { doc, lines };
}

/** The plain data of a stack file's text, read by `readStackYaml`. @throws StackConfigError */
export function readStackData(text: string, source: string): unknown {
  return readStackYaml(text, source).doc.toJS({ maxAliasCount: 1000 });
}

const goTimestamp =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/;
const goInt = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$/;
const goFloat = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * What yaml.v3 makes of a plain scalar that YAML 1.2's core schema reads as a string, when it is
 * not a string there: a number (after dropping `_`, with Go's 0b/0o/0x prefixes) or a date.
 */
function goYamlPlain(plain: string): number | Date | undefined {
  if (!/^[-+0-9]/.test(plain)) return undefined;
  if (goTimestamp.test(plain)) {
    const date = new Date(plain.replace(/^(\d{4})-(\d)(?=-)/, "$1-0$2"));
    return Number.isNaN(date.getTime()) ? new Date(0) : date;
  }
  const digits = plain.replace(/_/g, "");
  if (goInt.test(digits)) {
    const sign = digits.startsWith("-") ? -1 : 1;
    const unsigned = digits.replace(/^[-+]/, "");
    if (/^0[bBoOxX]/.test(unsigned)) return sign * Number(unsigned.toLowerCase());
    // Go reads a leading 0 as octal; a number that is not octal after it is read as a float.
    return sign * (/^0[0-7]+$/.test(unsigned) ? parseInt(unsigned, 8) : parseFloat(unsigned));
  }
  if (goFloat.test(digits)) return parseFloat(digits);
  return undefined;
}

function syntaxProblems(doc: Document.Parsed, lines: LineCounter): string[] {
  const keyPaths = new Map<number, string>();
  visit(doc, {
    Pair(_, pair, path) {
      const start = rangeOf(pair.key)?.[0];
      if (start === undefined) return;
      const parents = path.filter((node) => isPair(node)).map((p) => keyOf(p) ?? "?");
      keyPaths.set(start, `'${keyOf(pair) ?? "?"}'${parents.length > 0 ? ` in ${parents.join(".")}` : ""}`);
    },
  });
  return doc.errors.map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    const at = `line ${line}, column ${col}`;
    if (error.code === "DUPLICATE_KEY") {
      const key = keyPaths.get(error.pos[0]);
      return `${at}: duplicate key${key === undefined ? "" : ` ${key}`}; a key may appear only once in a map, keep one`;
    }
    return `${at}: not valid YAML: ${error.message.split("\n")[0]}`;
  });
}

/** A node as plain data, aliases and merge keys resolved. */
export function plainOf(doc: Document.Parsed, node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isCollection(node) || isAlias(node)) return node.toJS(doc, { maxAliasCount: 1000 });
  return node;
}

/** The node an alias stands for; any other node as it is. */
export function resolved(doc: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

export function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === "symbol";
}

/** The text of a key, or undefined for a key that is not a scalar. */
export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** " (line N)" for a node's start, or nothing when it has none: the end of every message. */
export function lineOf(lines: LineCounter, offset: number | undefined): string {
  return offset === undefined ? "" : ` (line ${lines.linePos(offset).line})`;
}

/** Where a node was written: start, value end, node end. */
export function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  return (node as { range?: [number, number, number] | null } | null)?.range ?? undefined;
}
