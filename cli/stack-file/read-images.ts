import { isMap, isScalar, type Document, type LineCounter, type Pair, type Scalar, type YAMLMap } from "yaml";
import * as v from "valibot";
import { isAppName, type AppName } from "../../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule } from "../../apps/image-reference";
import type { ImageVersion } from "../../apps/image-reference";
import { images as imagesSchema, StackConfigError } from "../../stack-config/schema";
import { isRecord, quote } from "../../lib/values";
import { keyOf, rangeOf, readStackYaml } from "../../stack-config/from-file";
import { lineOf, plainOf, resolved } from "./yaml-nodes";

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
 * Reads the image versions of a stack file as it was at the base of a change, which this
 * checkout's catalog may no longer fully know: an entry of an app the catalog has dropped is
 * not a problem but a removal, returned by name in `removedFromCatalog`. Every other entry is
 * checked as `readImages` checks it.
 *
 * @throws StackConfigError as `readImages`, except for entries of apps the catalog lacks.
 */
export function readBaseImages(
  text: string,
  source: string,
): { versions: StackImages; removedFromCatalog: string[] } {
  const located = locateImages(text, source);
  const written = Object.keys(plainOf(located.doc, located.images) as Record<string, unknown>);
  const removedFromCatalog = written.filter((app) => !isAppName(app));
  const { versions, problems } = readEntries(located, removedFromCatalog);
  if (problems.length > 0) throw new StackConfigError(source, problems);
  return { versions, removedFromCatalog };
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

/** A stack file's `platform:images` map, found: what the reader and the editor start from. */
export interface Located {
  /** Names the file in messages. */
  readonly source: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  readonly newline: string;
  /** The `config:` map, and where its key starts (undefined when it has no position). */
  readonly config: YAMLMap;
  readonly configKey: number | undefined;
  /** The `platform:images` pair of the `config:` map, and its map value. */
  readonly imagesPair: Pair;
  readonly images: YAMLMap;
}

/**
 * Finds the `platform:images` map of a stack file's text.
 *
 * @throws StackConfigError when the text is not YAML or has no `config:` or `platform:images` map.
 */
export function locateImages(text: string, source: string): Located {
  const { doc, lines } = readStackYaml(text, source);
  const toJS = (node: unknown) => plainOf(doc, node);
  const root = doc.contents;
  const configPair = isMap(root) ? root.items.find((pair) => keyOf(pair) === "config") : undefined;
  const config = resolved(doc, configPair?.value);
  if (!isMap(config)) {
    const found = configPair === undefined ? "missing" : `found ${quote(toJS(config))}`;
    throw new StackConfigError(source, [
      `config: ${found}; a stack file holds its settings in a top-level config: map`,
    ]);
  }
  const imagesPair = config.items.find((pair) => keyOf(pair) === imagesKey);
  const images = resolved(doc, imagesPair?.value);
  if (imagesPair === undefined || !isMap(images)) {
    const problem =
      imagesPair === undefined
        ? "missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)"
        : `expected a map of app name to { tag, digest? }, found ${quote(toJS(images))}; write {} for no app${lineOf(lines, rangeOf(imagesPair.key)?.[0])}`;
    throw new StackConfigError(source, [`${imagesKey}: ${problem}`]);
  }
  return {
    source,
    text,
    doc,
    lines,
    newline: text.includes("\r\n") ? "\r\n" : "\n",
    config,
    configKey: rangeOf(configPair?.key)?.[0],
    imagesPair,
    images,
  };
}

/** How YAML read a scalar that is not a string, for messages. */
const kindOf = (value: unknown): string =>
  value === null ? "null" : value instanceof Date ? "date" : typeof value;

/**
 * Checks the entries with the program's own schema (`images` of stack-config/schema.ts), so
 * that the CLI and the program apply one set of rules and word them alike; the CLI adds the
 * line of each problem and, for a value YAML did not read as a string, what was written there.
 */
function readEntries(
  located: Located,
  skipped: readonly string[] = [],
): { versions: StackImages; problems: string[] } {
  const { doc, images } = located;
  // Read as plain data, so that aliases and merge keys count as Pulumi counts them; the nodes
  // written in this map give the lines and the source text of messages.
  const entries = plainOf(doc, images) as Record<string, unknown>;
  const parsed = v.safeParse(imagesSchema, entries);
  const issues = parsed.success ? [] : parsed.issues;
  const versions: Partial<Record<AppName, ImageVersion>> = {};
  const problems: string[] = [];
  for (const [app, entry] of Object.entries(entries)) {
    if (skipped.includes(app)) continue;
    const own = issues.filter((issue) => issue.path?.[0]?.key === app);
    if (own.length === 0 && isAppName(app)) {
      const { tag, digest } = entry as ImageVersion;
      versions[app] = digest === undefined ? { tag } : { tag, digest };
      continue;
    }
    // An entry under an unknown app is not checked further: the unknown app is the problem.
    const relevant = isAppName(app) ? own : own.filter((issue) => issue.path?.length === 1);
    // In the order the keys are written, a missing key last.
    const keys = isRecord(entry) ? Object.keys(entry) : [];
    const rank = (issue: v.BaseIssue<unknown>) => {
      const index = keys.indexOf(String(issue.path?.[1]?.key));
      return index < 0 ? keys.length : index;
    };
    const sorted = [...relevant].sort((a, b) => rank(a) - rank(b));
    problems.push(...new Set(sorted.map((issue) => describeIssue(located, app, issue))));
  }
  return { versions, problems };
}

/** One problem of an entry: its key path, the schema's message (or what was written), its line. */
function describeIssue(located: Located, app: string, issue: v.BaseIssue<unknown>): string {
  const { text, doc, images, lines } = located;
  const pair = images.items.find((item) => keyOf(item) === app);
  const node = resolved(doc, pair?.value);
  const at = (child: unknown) =>
    lineOf(lines, rangeOf(child)?.[0] ?? rangeOf(pair?.key)?.[0] ?? rangeOf(images)?.[0]);
  const [first, second] = issue.path ?? [];
  if (second === undefined) {
    const where = (first as { origin?: string } | undefined)?.origin === "key" ? pair?.key : node;
    return `${imagesKey}.${app}: ${issue.message}${at(where)}`;
  }
  const key = String(second.key);
  const path = `${imagesKey}.${app}.${key}`;
  const item = isMap(node) ? node.items.find((candidate) => keyOf(candidate) === key) : undefined;
  if (issue.expected === "never") return `${path}: ${issue.message}${at(item?.key ?? node)}`;
  if (issue.input === undefined) return `${path}: ${issue.message}${at(node)}`;
  const where = at(item?.value ?? node);
  if (issue.type !== "string") return `${path}: ${issue.message}${where}`;
  // YAML did not read the value as a string: say what was written and how YAML read it.
  const scalar = resolved(doc, item?.value);
  const written = isScalar(scalar) ? sourceOf(text, scalar) : undefined;
  const value = issue.input;
  const [pattern, rule, noun] =
    key === "tag" ? [tagPattern, tagRule, "an image tag"] : [digestPattern, digestRule, "a digest"];
  const wrong = key === "tag" ? "is not a valid image tag" : "is not a sha256 digest";
  if (written === undefined || written === "" || isRecord(value)) {
    return `${path}: ${value === null ? "empty" : quote(value)} ${wrong} (${rule})${where}`;
  }
  const hint = pattern.test(written) ? `; quote it: ${key}: "${written}"` : ` (${rule})`;
  return `${path}: ${written} is read as ${kindOf(value)}, not ${noun}${hint}${where}`;
}

function sourceOf(text: string, node: Scalar): string | undefined {
  const range = rangeOf(node);
  return range === undefined ? undefined : text.slice(range[0], range[1]);
}
