import { isMap, isScalar, type Document, type LineCounter, type Pair, type Scalar, type YAMLMap } from "yaml";
import { appNames, isAppName, type AppName } from "../../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule } from "../../apps/image-reference";
import { StackConfigError, type ImageVersion } from "../../environments/stack-config";
import { isRecord, quote } from "../../lib/values";
import { keyOf, lineOf, plainOf, rangeOf, readStackYaml, resolved } from "./parse-yaml";

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

/** A stack file's `platform:images` map, found: what the reader and the editor start from. */
export interface Located {
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
  return { source, text, doc, lines, newline: text.includes("\r\n") ? "\r\n" : "\n", imagesPair, images };
}

/** How YAML read a scalar that is not a string, for messages. */
const kindOf = (value: unknown): string =>
  value === null ? "null" : value instanceof Date ? "date" : typeof value;

function readEntries({ text, doc, images, lines }: Located): { versions: StackImages; problems: string[] } {
  const versions: Partial<Record<AppName, ImageVersion>> = {};
  const problems: string[] = [];
  // Read as plain data, so that aliases and merge keys count as Pulumi counts them; the nodes
  // written in this map give the lines and the source text of messages.
  const entries = plainOf(doc, images) as Record<string, unknown>;
  for (const [app, entry] of Object.entries(entries)) {
    const pair = images.items.find((item) => keyOf(item) === app);
    const node = resolved(doc, pair?.value);
    const at = (child: unknown) =>
      lineOf(lines, rangeOf(child)?.[0] ?? rangeOf(pair?.key)?.[0] ?? rangeOf(images)?.[0]);
    const path = `${imagesKey}.${app}`;
    if (!isAppName(app)) {
      problems.push(`${path}: unknown app; expected one of ${appNames.join(", ")}${at(pair?.key)}`);
      continue;
    }
    if (!isRecord(entry)) {
      problems.push(`${path}: expected a map { tag, digest? }, found ${quote(entry)}${at(node)}`);
      continue;
    }
    let tag: string | undefined;
    let digest: string | undefined;
    let valid = true;
    for (const [key, value] of Object.entries(entry)) {
      const item = isMap(node) ? node.items.find((candidate) => keyOf(candidate) === key) : undefined;
      const scalar = resolved(doc, item?.value);
      if (key !== "tag" && key !== "digest") {
        problems.push(`${path}.${key}: unknown key; allowed: tag, digest${at(item?.key ?? node)}`);
        valid = false;
        continue;
      }
      const written = isScalar(scalar) ? sourceOf(text, scalar) : undefined;
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
      const where = at(item?.value ?? node);
      if (typeof value === "string" || written === undefined || written === "" || isRecord(value)) {
        problems.push(`${path}.${key}: ${value === null ? "empty" : quote(value)} ${rule}${where}`);
      } else {
        // YAML read it as a number, date, boolean or null: say so, and how to keep it a string.
        const hint = pattern.test(written)
          ? `; quote it: ${key}: "${written}"`
          : ` (${key === "tag" ? tagRule : digestRule})`;
        problems.push(`${path}.${key}: ${written} is read as ${kindOf(value)}, not ${noun}${hint}${where}`);
      }
    }
    if (tag === undefined && !("tag" in entry)) {
      problems.push(`${path}.tag: missing; expected an image tag such as 1.4.2${at(node)}`);
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
