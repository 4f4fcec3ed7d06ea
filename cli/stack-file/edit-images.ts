// Editing: splices of the original text, so that nothing outside them can change.
import { isDeepStrictEqual } from "node:util";
import { isAlias, isCollection, isMap, isScalar, type Pair, type Scalar, type YAMLMap } from "yaml";
import type { AppName } from "../../apps/catalog";
import { digestPattern, tagPattern } from "../../apps/image-reference";
import type { ImageVersion } from "../../apps/image-reference";
import { StackConfigError } from "../../stack-config/schema";
import { quote } from "../../lib/values";
import { InputError, PlatformError } from "../errors";
import { keyOf, maxAliasCount, rangeOf, readStackData } from "../../stack-config/from-file";
import { isMergePair, lineOf, plainOf } from "./yaml-nodes";
import { formatVersion, imagesKey, locateImages, type Located } from "./read-images";

/**
 * Sets `platform:images.<app>` to `version` in a stack file's text and returns the new text.
 * Only that entry changes: its tag (and digest) scalars are replaced in place, in the quoting
 * they were written in; a digest is added after the tag or removed with its line; a missing
 * entry is appended after the last one, in the style of its siblings (into an empty `{}` of a
 * block `config:` map: as a block map, one field a line). Every other byte (comments,
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

/**
 * Sets several entries at once, as {@link setImage} sets each: the file is read and checked
 * once for all the entries it has, not once per entry (a promotion of 300 apps read it 600
 * times); missing entries are then appended one by one.
 *
 * @throws as {@link setImage}.
 */
export function setImages(
  text: string,
  versions: readonly (readonly [AppName, ImageVersion])[],
  source = "stack file",
): string {
  if (versions.length <= 1 || new Set(versions.map(([app]) => app)).size < versions.length) {
    return versions.reduce((result, [app, version]) => setImage(result, app, version, source), text);
  }
  for (const [, version] of versions) checkVersion(version);
  const located = locateImages(text, source);
  const entries = new Map(located.images.items.map((pair) => [keyOf(pair), pair] as const));
  const present = versions.filter(([app]) => entries.has(app));
  const edits = present.flatMap(([app, version]) => editEntry(located, entries.get(app)!, version));
  const result = present.length === 0 ? text : applyEdits(text, edits);
  if (present.length > 0) verifyEdits(located, result, present);
  return versions
    .filter(([app]) => !entries.has(app))
    .reduce((current, [app, version]) => setImage(current, app, version, source), result);
}

function checkVersion(version: ImageVersion): void {
  if (!tagPattern.test(version.tag))
    throw new PlatformError(`setImage: '${version.tag}' is not a valid image tag`);
  if (version.digest !== undefined && !digestPattern.test(version.digest)) {
    throw new PlatformError(`setImage: '${version.digest}' is not a sha256 digest`);
  }
}

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

/**
 * A tag, always as a double-quoted string: YAML readers disagree on plain scalars (yaml.v3 reads
 * `0b1`, `20240101_1200` as numbers and `2024-01-01` as a date), and a quoted one is a string
 * in every reader. (A tag holds no character a double-quoted scalar would escape.)
 */
function renderTag(tag: string): string {
  return JSON.stringify(tag);
}

/** A digest in the quoting it replaces: `sha256:<hex>` reads as a string in every style. */
function renderDigest(digest: string, style: Scalar["type"]): string {
  if (style === "QUOTE_SINGLE") return `'${digest}'`;
  if (style === "QUOTE_DOUBLE") return JSON.stringify(digest);
  return digest;
}

function renderFlowEntry(version: ImageVersion): string {
  const tag = renderTag(version.tag);
  return version.digest === undefined ? `{ tag: ${tag} }` : `{ tag: ${tag}, digest: ${version.digest} }`;
}

function appendEntry(located: Located, app: AppName, version: ImageVersion): Edit {
  const { text, images, newline } = located;
  refuseShared(located, imagesKey, located.imagesPair.value, rangeOf(located.imagesPair.key)?.[0]);
  const tag = renderTag(version.tag);
  if (images.flow) {
    const range = rangeOf(images)!;
    const last = images.items[images.items.length - 1];
    if (last === undefined && !located.config.flow) return fillEmptyMap(located, app, version);
    if (last === undefined) {
      return { start: range[0], end: range[1], text: `{ ${app}: ${renderFlowEntry(version)} }` };
    }
    const end = rangeOf(last.value ?? last.key)![1];
    return { start: end, end, text: `, ${app}: ${renderFlowEntry(version)}` };
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
      ? [`${indent}${app}: ${renderFlowEntry(version)}`]
      : [
          `${indent}${app}:`,
          `${inner}tag: ${tag}`,
          ...(version.digest === undefined ? [] : [`${inner}digest: ${version.digest}`]),
        ];
  return { start: at, end: at, text: lead + lines.map((line) => line + newline).join("") };
}

/**
 * Turns the empty flow map of a block `config:` map (`platform:images: {}`, as production's stack
 * file ships) into a block map holding the first entry, one field a line, so that every later
 * promotion changes one line per field instead of rewriting one ever longer line. A comment
 * after the `{}` stays on the key's line; the indentation step is the file's own (the key's
 * column in `config:`), two spaces when `config:` has no indentation to copy.
 */
function fillEmptyMap(located: Located, app: AppName, version: ImageVersion): Edit {
  const { text, newline, imagesPair } = located;
  const [, end] = rangeOf(located.images)!;
  const keyColumn = column(text, rangeOf(imagesPair.key)![0]);
  const configColumn = located.configKey === undefined ? 0 : column(text, located.configKey);
  const step = keyColumn > configColumn ? keyColumn - configColumn : 2;
  const appIndent = " ".repeat(keyColumn + step);
  const fieldIndent = " ".repeat(keyColumn + 2 * step);
  const lines = [
    `${appIndent}${app}:`,
    `${fieldIndent}tag: ${renderTag(version.tag)}`,
    ...(version.digest === undefined ? [] : [`${fieldIndent}digest: ${version.digest}`]),
  ];
  // From just after the key's colon to the end of the `{}` line: what followed the `{}` on its
  // line (spaces, a comment) is kept, without its line break.
  const start = text.slice(0, rangeOf(located.images)![0]).trimEnd().length;
  const lineBreak = text.indexOf("\n", end);
  const stop = lineBreak < 0 ? text.length : lineBreak + 1;
  const rest = text.slice(end, lineBreak < 0 ? text.length : lineBreak).replace(/\r$/, "");
  return { start, end: stop, text: rest + newline + lines.map((line) => line + newline).join("") };
}

/**
 * Refuses to edit a node that is written elsewhere (an alias, a merge key) or that other places
 * may share (an anchor): the edit would not land where the value is, or would change them too.
 *
 * @throws InputError naming the key path and the line.
 */
function refuseShared(located: Located, path: string, node: unknown, keyOffset?: number): void {
  const refuse = (what: string, offset: number | undefined) => {
    throw new InputError(
      `${located.source}: cannot edit ${path}: ${what}${lineOf(located.lines, offset)}; platform edits only values written out in full where they are used: write it out there, or edit the file by hand, then run again`,
    );
  };
  if (isAlias(node)) {
    refuse(`it is the YAML alias *${node.source}, a copy of a value written elsewhere`, rangeOf(node)?.[0]);
  }
  const anchored = node as { anchor?: string } | undefined;
  if (anchored?.anchor) {
    refuse(
      `it carries the YAML anchor &${anchored.anchor}, so aliases elsewhere may share it`,
      keyOffset ?? rangeOf(node)?.[0],
    );
  }
  const merge = isMap(node) ? node.items.find(isMergePair) : undefined;
  if (merge !== undefined) {
    refuse("it takes keys from a YAML merge key (<<)", rangeOf(merge.key)?.[0]);
  }
}

function editEntry(located: Located, entry: Pair, version: ImageVersion): Edit[] {
  const { text, doc, newline } = located;
  const toJS = (node: unknown) => plainOf(doc, node);
  const app = keyOf(entry)!;
  const path = `${imagesKey}.${app}`;
  refuseShared(located, imagesKey, located.imagesPair.value, rangeOf(located.imagesPair.key)?.[0]);
  refuseShared(located, path, entry.value, rangeOf(entry.key)?.[0]);
  const map = entry.value;
  if (!isMap(map))
    return cannotEdit(located, path, `expected a map { tag, digest? }, found ${quote(toJS(map))}`);
  if (map.flow && map.items.length === 0) {
    const range = rangeOf(map)!;
    return [{ start: range[0], end: range[1], text: renderFlowEntry(version) }];
  }
  const find = (key: string) => map.items.find((pair) => keyOf(pair) === key);
  const tagPair = find("tag");
  const digestPair = find("digest");
  for (const pair of [tagPair, digestPair]) {
    if (pair !== undefined)
      refuseShared(located, `${path}.${keyOf(pair)}`, pair.value, rangeOf(pair.key)?.[0]);
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
    const isTag = pair === tagPair;
    const rendered = isTag ? renderTag(value) : renderDigest(value, scalar.type);
    if (scalar.value === value) return;
    // An empty value (`tag:`) sits right after the colon: keep YAML's space before it.
    edits.push({ start, end, text: start === end ? ` ${rendered}` : rendered });
  };
  const firstKeyStart = rangeOf(map.items[0]!.key)![0];
  const indent = map.flow ? "" : " ".repeat(column(text, firstKeyStart));

  if (tagPair !== undefined) replace(tagPair, version.tag);
  if (digestPair !== undefined && version.digest !== undefined) replace(digestPair, version.digest);

  if (tagPair === undefined) {
    const tag = `tag: ${renderTag(version.tag)}`;
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
  verifyEdits(located, result, [[app, version]]);
}

/** Guards the splices: the result must read back as the old document with only the entries changed. */
function verifyEdits(
  located: Located,
  result: string,
  versions: readonly (readonly [AppName, ImageVersion])[],
): void {
  // Compared as JSON: plain data, whatever realm or key order the objects come from.
  const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? "null");
  let after: unknown;
  try {
    after = readStackData(result, located.source);
  } catch {
    after = undefined;
  }
  const expected = plain(located.doc.toJS({ maxAliasCount })) as {
    config: Record<string, Record<string, Record<string, unknown>>>;
  };
  const images = expected.config[imagesKey]!;
  for (const [app, version] of versions) {
    const entry = { ...(images[app] ?? {}), tag: version.tag } as Record<string, unknown>;
    if (version.digest === undefined) delete entry["digest"];
    else entry["digest"] = version.digest;
    images[app] = entry;
  }
  if (after === undefined || !isDeepStrictEqual(plain(after), expected)) {
    const what = versions.map(([app, version]) => `${imagesKey}.${app} to ${formatVersion(version)}`);
    if (versions.length === 1) {
      const [[app, version]] = versions as [readonly [AppName, ImageVersion]];
      throw new PlatformError(
        `${located.source}: could not set ${imagesKey}.${app} without touching the rest of the file; edit it by hand to ${formatVersion(version)}`,
      );
    }
    throw new PlatformError(
      `${located.source}: could not set ${versions.length} entries without touching the rest of the file; edit it by hand: ${what.join(", ")}`,
    );
  }
}
