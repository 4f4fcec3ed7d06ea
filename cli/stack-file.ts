import { isDeepStrictEqual } from "node:util";
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parse,
  parseDocument,
  visit,
  type Document,
  type Pair,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { appNames, isAppName, type AppName } from "../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule } from "../apps/image-reference";
import { StackConfigError, type ImageVersion } from "../environments/stack-config";
import { PlatformError } from "./errors";

/** The image versions a stack file holds, by app. An app without an entry is not deployed. */
export type StackImages = Readonly<Partial<Record<AppName, ImageVersion>>>;

/** The key of the image versions in a stack file's `config:` map. */
export const imagesKey = "platform:images";

/** The `tag@digest` (or bare `tag`) form of a version, as commands print and accept it. */
export function formatVersion(version: ImageVersion | undefined): string {
  if (version === undefined) return "not deployed";
  return version.digest === undefined ? version.tag : `${version.tag}@${version.digest}`;
}

/** Whether two entries name the same image: same tag, and the same digest or none in both. */
export function sameVersion(a: ImageVersion | undefined, b: ImageVersion | undefined): boolean {
  return a?.tag === b?.tag && a?.digest === b?.digest;
}

/**
 * Reads the image versions of a stack file's text.
 *
 * @throws StackConfigError listing every problem, each with its line: text that is not YAML,
 *   duplicate keys, no `config:` or `platform:images` map, unknown apps or keys, and tags or
 *   digests of the wrong form.
 */
export function readImages(text: string, source: string): StackImages {
  const { versions, problems } = inspectImages(text, source);
  if (problems.length > 0) throw new StackConfigError(source, problems);
  return versions;
}

/**
 * Reads the valid entries of a stack file's text and lists the problems of the others, for
 * a command that may be about to fix one of them.
 *
 * @throws StackConfigError when the text is not YAML or has no `platform:images` map.
 */
export function inspectImages(text: string, source: string): { versions: StackImages; problems: string[] } {
  return readEntries(locateImages(text, source));
}

/**
 * Sets `platform:images.<app>` to `version` in a stack file's text and returns the new text.
 * Only that entry changes: its tag (and digest) scalars are replaced in place, in the quoting
 * they were written in; a digest is added after the tag or removed with its line; a missing
 * entry is appended after the last one, in the style of its siblings. Every other byte (comments,
 * key order, quoting, blank lines, `secure:` values) is kept. Setting the version an entry
 * already has returns the text unchanged.
 *
 * @throws StackConfigError when the text is not YAML or has no `platform:images` map, or the
 *   entry is not a map; PlatformError when the result would not read back as intended.
 */
export function setImage(text: string, app: AppName, version: ImageVersion, source = "stack file"): string {
  if (!tagPattern.test(version.tag))
    throw new PlatformError(`setImage: '${version.tag}' is not a valid image tag`);
  if (version.digest !== undefined && !digestPattern.test(version.digest)) {
    throw new PlatformError(`setImage: '${version.digest}' is not a sha256 digest`);
  }
  const located = locateImages(text, source);
  const entry = located.images.items.find((pair) => keyOf(pair) === app);
  const edits =
    entry === undefined ? [appendEntry(located, app, version)] : editEntry(located, entry, version);
  const result = applyEdits(text, edits);
  verifyEdit(located, result, app, version);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Located {
  /** Names the file in messages. */
  readonly source: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  readonly newline: string;
  /** The `platform:images` pair of the `config:` map, and its map value. */
  readonly imagesPair: Pair;
  readonly images: YAMLMap;
}

const quote = (value: unknown): string =>
  typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? "nothing");

function lineOf(lines: LineCounter, offset: number | undefined): string {
  return offset === undefined ? "" : ` (line ${lines.linePos(offset).line})`;
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function locateImages(text: string, source: string): Located {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new StackConfigError(source, syntaxProblems(doc, lines));
  }
  const root = doc.contents;
  const configPair = isMap(root) ? root.items.find((pair) => keyOf(pair) === "config") : undefined;
  const config = configPair?.value;
  if (!isMap(config)) {
    const found = configPair === undefined ? "missing" : `found ${quote(toJS(config))}`;
    throw new StackConfigError(source, [
      `config: ${found}; a stack file holds its settings in a top-level config: map`,
    ]);
  }
  const imagesPair = config.items.find((pair) => keyOf(pair) === imagesKey);
  const images = imagesPair?.value;
  if (imagesPair === undefined || !isMap(images)) {
    const problem =
      imagesPair === undefined
        ? "missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)"
        : `expected a map of app name to { tag, digest? }, found ${quote(toJS(images))}; write {} for no app${lineOf(lines, rangeOf(imagesPair.key)?.[0])}`;
    throw new StackConfigError(source, [`${imagesKey}: ${problem}`]);
  }
  return { source, text, doc, lines, newline: text.includes("\r\n") ? "\r\n" : "\n", imagesPair, images };
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

function toJS(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isCollection(node) || isAlias(node)) return node.toJSON();
  return node;
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  return (node as { range?: [number, number, number] | null } | null)?.range ?? undefined;
}

function readEntries({ text, images, lines }: Located): { versions: StackImages; problems: string[] } {
  const versions: Partial<Record<AppName, ImageVersion>> = {};
  const problems: string[] = [];
  for (const pair of images.items) {
    const app = keyOf(pair);
    const at = (node: unknown) => lineOf(lines, rangeOf(node)?.[0] ?? rangeOf(pair.key)?.[0]);
    const path = `${imagesKey}.${app ?? "?"}`;
    if (app === undefined || !isAppName(app)) {
      problems.push(`${path}: unknown app; expected one of ${appNames.join(", ")}${at(pair.key)}`);
      continue;
    }
    if (!isMap(pair.value)) {
      problems.push(
        `${path}: expected a map { tag, digest? }, found ${quote(toJS(pair.value))}${at(pair.value)}`,
      );
      continue;
    }
    let tag: string | undefined;
    let digest: string | undefined;
    let valid = true;
    for (const item of pair.value.items) {
      const key = keyOf(item);
      if (key !== "tag" && key !== "digest") {
        problems.push(`${path}.${key}: unknown key; allowed: tag, digest${at(item.key)}`);
        valid = false;
        continue;
      }
      const value = isScalar(item.value) ? item.value.value : toJS(item.value);
      const written = isScalar(item.value) ? sourceOf(text, item.value) : undefined;
      const [pattern, rule, noun] =
        key === "tag"
          ? [tagPattern, `is not a valid image tag (${tagRule})`, "an image tag"]
          : [digestPattern, `is not a sha256 digest (${digestRule})`, "a digest"];
      if (typeof value === "string" && pattern.test(value)) {
        if (key === "tag") tag = value;
        else digest = value;
        continue;
      }
      valid = false;
      if (typeof value === "string" || written === undefined || written === "") {
        problems.push(`${path}.${key}: ${value === null ? "empty" : quote(value)} ${rule}${at(item.value)}`);
      } else {
        // YAML read it as a number, boolean or null: say so, and how to keep it a string.
        const kind = value === null ? "null" : typeof value;
        const hint = pattern.test(written)
          ? `; quote it: ${key}: "${written}"`
          : ` (${key === "tag" ? tagRule : digestRule})`;
        problems.push(`${path}.${key}: ${written} is read as ${kind}, not ${noun}${hint}${at(item.value)}`);
      }
    }
    if (tag === undefined && !pair.value.has("tag")) {
      problems.push(`${path}.tag: missing; expected an image tag such as 1.4.2${at(pair.value)}`);
      valid = false;
    }
    if (valid && tag !== undefined) versions[app] = digest === undefined ? { tag } : { tag, digest };
  }
  return { versions, problems };
}

function sourceOf(text: string, node: Scalar): string | undefined {
  const range = rangeOf(node);
  return range === undefined ? undefined : text.slice(range[0], range[1]);
}

// ---------------------------------------------------------------------------------------------
// Editing: splices of the original text, so that nothing outside them can change.

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  return [...edits]
    .sort((a, b) => b.start - a.start)
    .reduce((result, edit) => result.slice(0, edit.start) + edit.text + result.slice(edit.end), text);
}

function cannotEdit({ source }: Located, path: string, problem: string): never {
  throw new StackConfigError(source, [`${path}: ${problem}; edit it by hand, then run again`]);
}

/** Where the last character of a node's content ends: trailing comments and blank lines excluded. */
function contentEnd(node: unknown): number | undefined {
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    return contentEnd((last as Pair).value ?? (last as Pair).key ?? last);
  }
  return rangeOf(node)?.[1];
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The offset just after the line break that ends the line of `offset` (or the end of the text). */
function afterLine(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline < 0 ? text.length : newline + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** A scalar in the style it replaces: quotes kept; plain only where YAML reads it back as the same string. */
function renderScalar(value: string, style: Scalar["type"], doc: Document.Parsed): string {
  if (style === "QUOTE_SINGLE") return `'${value}'`;
  if (style === "PLAIN") {
    const read: unknown = parse(`[${value}]`, { version: doc.directives?.yaml.version ?? "1.2" });
    if (Array.isArray(read) && read[0] === value) return value;
  }
  return JSON.stringify(value);
}

function renderFlowEntry(version: ImageVersion, doc: Document.Parsed): string {
  const tag = renderScalar(version.tag, "QUOTE_DOUBLE", doc);
  return version.digest === undefined ? `{ tag: ${tag} }` : `{ tag: ${tag}, digest: ${version.digest} }`;
}

function appendEntry(located: Located, app: AppName, version: ImageVersion): Edit {
  const { text, images, doc, newline } = located;
  const tag = renderScalar(version.tag, "QUOTE_DOUBLE", doc);
  if (images.flow) {
    const range = rangeOf(images)!;
    const last = images.items[images.items.length - 1];
    if (last === undefined) {
      return { start: range[0], end: range[1], text: `{ ${app}: ${renderFlowEntry(version, doc)} }` };
    }
    const end = rangeOf(last.value ?? last.key)![1];
    return { start: end, end, text: `, ${app}: ${renderFlowEntry(version, doc)}` };
  }
  const last = images.items[images.items.length - 1]!;
  const keyColumn = column(text, rangeOf(last.key)![0]);
  const sibling = images.items.find(
    (pair) => isMap(pair.value) && !pair.value.flow && pair.value.items.length > 0,
  );
  const parentColumn = column(text, rangeOf(located.imagesPair.key)![0]);
  const innerColumn =
    sibling !== undefined
      ? column(text, rangeOf((sibling.value as YAMLMap).items[0]!.key)![0])
      : keyColumn + Math.max(keyColumn - parentColumn, 2);
  const at = afterLine(text, contentEnd(last.value ?? last.key)!);
  const lead = at === text.length && !text.endsWith("\n") ? newline : "";
  const indent = " ".repeat(keyColumn);
  const inner = " ".repeat(innerColumn);
  const lines =
    isMap(last.value) && last.value.flow
      ? [`${indent}${app}: ${renderFlowEntry(version, doc)}`]
      : [
          `${indent}${app}:`,
          `${inner}tag: ${tag}`,
          ...(version.digest === undefined ? [] : [`${inner}digest: ${version.digest}`]),
        ];
  return { start: at, end: at, text: lead + lines.map((line) => line + newline).join("") };
}

function editEntry(located: Located, entry: Pair, version: ImageVersion): Edit[] {
  const { text, doc, newline } = located;
  const app = keyOf(entry)!;
  const path = `${imagesKey}.${app}`;
  const map = entry.value;
  if (!isMap(map))
    return cannotEdit(located, path, `expected a map { tag, digest? }, found ${quote(toJS(map))}`);
  if (map.flow && map.items.length === 0) {
    const range = rangeOf(map)!;
    return [{ start: range[0], end: range[1], text: renderFlowEntry(version, doc) }];
  }
  const find = (key: string) => map.items.find((pair) => keyOf(pair) === key);
  const tagPair = find("tag");
  const digestPair = find("digest");
  for (const pair of [tagPair, digestPair]) {
    if (pair !== undefined && (!isScalar(pair.value) || rangeOf(pair.value) === undefined)) {
      cannotEdit(located, `${path}.${keyOf(pair)}`, `expected a scalar, found ${quote(toJS(pair.value))}`);
    }
    if (pair !== undefined && !map.flow) {
      const keyStart = rangeOf(pair.key)![0];
      if (text.slice(lineStart(text, keyStart), keyStart).trim() !== "") {
        cannotEdit(located, `${path}.${keyOf(pair)}`, "does not start its own line");
      }
    }
    if (pair !== undefined && (pair.value as Scalar).type?.startsWith("BLOCK")) {
      cannotEdit(located, `${path}.${keyOf(pair)}`, "is written as a block scalar");
    }
  }
  const edits: Edit[] = [];
  const replace = (pair: Pair, value: string) => {
    const scalar = pair.value as Scalar;
    const [start, end] = rangeOf(scalar)!;
    if (scalar.value === value && isScalar(scalar)) return;
    const rendered = renderScalar(value, scalar.type, doc);
    // An empty value (`tag:`) sits right after the colon: keep YAML's space before it.
    edits.push({ start, end, text: start === end ? ` ${rendered}` : rendered });
  };
  const firstKeyStart = rangeOf(map.items[0]!.key)![0];
  const indent = map.flow ? "" : " ".repeat(column(text, firstKeyStart));

  if (tagPair !== undefined) replace(tagPair, version.tag);
  if (digestPair !== undefined && version.digest !== undefined) replace(digestPair, version.digest);

  if (tagPair === undefined) {
    const tag = `tag: ${renderScalar(version.tag, "QUOTE_DOUBLE", doc)}`;
    const start = map.flow ? firstKeyStart : lineStart(text, firstKeyStart);
    edits.push({ start, end: start, text: map.flow ? `${tag}, ` : `${indent}${tag}${newline}` });
  }
  if (digestPair === undefined && version.digest !== undefined) {
    const anchor = tagPair ?? map.items[map.items.length - 1]!;
    const end = contentEnd(anchor.value ?? anchor.key)!;
    if (map.flow) {
      edits.push({ start: end, end, text: `, digest: ${version.digest}` });
    } else {
      const at = afterLine(text, end);
      const lead = at === text.length && !text.endsWith("\n") ? newline : "";
      edits.push({ start: at, end: at, text: `${lead}${indent}digest: ${version.digest}${newline}` });
    }
  }
  if (digestPair !== undefined && version.digest === undefined) {
    const index = map.items.indexOf(digestPair);
    const keyStart = rangeOf(digestPair.key)![0];
    const valueEnd = rangeOf(digestPair.value)![1];
    if (!map.flow) {
      edits.push({ start: lineStart(text, keyStart), end: afterLine(text, valueEnd), text: "" });
    } else if (index > 0) {
      const previous = map.items[index - 1]!;
      edits.push({ start: rangeOf(previous.value ?? previous.key)![1], end: valueEnd, text: "" });
    } else {
      const next = map.items[index + 1];
      edits.push({ start: keyStart, end: next ? rangeOf(next.key)![0] : valueEnd, text: "" });
    }
  }
  return edits;
}

/** Guards the splice: the result must read back as the old document with only the entry changed. */
function verifyEdit(located: Located, result: string, app: AppName, version: ImageVersion): void {
  // Compared as JSON: plain data, whatever realm or key order the objects come from.
  const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? "null");
  const after = parseDocument(result, { uniqueKeys: true });
  const expected = plain(located.doc.toJS()) as {
    config: Record<string, Record<string, Record<string, unknown>>>;
  };
  const images = expected.config[imagesKey]!;
  const entry = { ...(images[app] ?? {}), tag: version.tag } as Record<string, unknown>;
  if (version.digest === undefined) delete entry["digest"];
  else entry["digest"] = version.digest;
  images[app] = entry;
  if (after.errors.length > 0 || !isDeepStrictEqual(plain(after.toJS()), expected)) {
    throw new PlatformError(
      `${located.source}: could not set ${imagesKey}.${app} without touching the rest of the file; edit it by hand to ${formatVersion(version)}`,
    );
  }
}
