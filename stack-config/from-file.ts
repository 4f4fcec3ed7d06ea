import { isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Pair } from "yaml";
import { isRecord } from "../lib/values";
import { parseStackConfig, StackConfigError, type StackConfig } from "./schema";
import { stackFileName } from "./stack-files";

// The one reader of stack files: the program's tests, the CLI's commands and its edits read
// them through `readStackYaml`, so that every reader sees what Pulumi sees.

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
  refuseAliasBomb(doc, source);
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
  return readStackYaml(text, source).doc.toJS({ maxAliasCount });
}

/**
 * How many times the aliases of a stack file may be expanded while reading it. Every reader
 * resolves aliases with this limit; `refuseAliasBomb` checks it once for all of them.
 */
export const maxAliasCount = 1000;

/**
 * Refuses a file whose anchors and aliases expand exponentially (an "alias bomb": `&a [x, x]`,
 * `&b [*a, *a]`, …): yaml stops it with a ReferenceError, which would reach the user as a stack
 * trace. Pulumi's reader, gopkg.in/yaml.v3, refuses it too ("yaml: document contains excessive
 * aliasing", decode.go).
 *
 * @throws StackConfigError naming the file.
 */
function refuseAliasBomb(doc: Document.Parsed, source: string): void {
  try {
    doc.toJS({ maxAliasCount });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new StackConfigError(source, [
      `its YAML aliases (*name) expand to too many values (more than ${maxAliasCount} expansions), which Pulumi refuses too ("document contains excessive aliasing"); write the values out instead of repeating aliases`,
    ]);
  }
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
    if (error.code === "MULTIPLE_DOCS") {
      return `${at}: a second YAML document ('---'); a stack file holds one document, remove the '---' line and what follows or merge it into the first`;
    }
    return `${at}: not valid YAML: ${error.message.split("\n")[0]}`;
  });
}

/** The key of a map entry, when it is a scalar. */
export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** A node's [start, value end, node end] offsets in the text, when it has any. */
export function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  return (node as { range?: [number, number, number] | null } | null)?.range ?? undefined;
}

/**
 * The `config:` map of a stack file's text, read as Pulumi reads it (`readStackData`).
 *
 * @throws StackConfigError for text that is not YAML (a duplicate key, say) and a file without
 *   a `config:` map.
 */
export function configMap(text: string, source: string): Record<string, unknown> {
  const root = readStackData(text, source);
  const config = isRecord(root) ? root["config"] : undefined;
  if (!isRecord(config)) {
    throw new StackConfigError(source, [
      "config: missing; a stack file holds its settings under a `config:` map",
    ]);
  }
  return config;
}

/**
 * Parses a stack file's text into the checked stack config of `environment`, as the program
 * would see it. Values Pulumi keeps encrypted (`secure:`) stay opaque. (Reading only: edits go
 * through `cli/stack-file/edit-images.ts`, which keeps comments and layout.)
 *
 * @throws StackConfigError for text that is not YAML (a duplicate key, say), a file without a
 *   `config:` map, and every problem `parseStackConfig` finds.
 */
export function parseStackFile(
  text: string,
  environment: string,
  source = stackFileName(environment),
): StackConfig {
  return parseStackConfig(environment, configMap(text, source), source);
}

/**
 * The stack config of a stack file's text as Pulumi hands it to a program: key → string,
 * objects as JSON. What the mock engine runs the program with (`platform plan`, the tests).
 *
 * @throws StackConfigError as `configMap`.
 */
export function pulumiConfig(stackFileText: string, source = "stack file"): Record<string, string> {
  const config = configMap(stackFileText, source);
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}
