// The documentation ranges shipped as placeholders (RFC 5737) and where they are written. A real
// `pulumi preview` or `pulumi up` refuses them before any resource is registered; the offline
// `platform plan` warns and goes on, so that the shipped files plan out of the box
// (docs/decisions/0035).
import type { EnvironmentSettings } from "./settings";

/** The IPv4 blocks RFC 5737 reserves for documentation: never a runner's or an operator's address. */
export const documentationBlocks = [
  { block: "192.0.2.0/24", name: "TEST-NET-1" },
  { block: "198.51.100.0/24", name: "TEST-NET-2" },
  { block: "203.0.113.0/24", name: "TEST-NET-3" },
] as const;

/** One placeholder range: where it is written (`file:line`) and what to do about it. */
export interface Placeholder {
  /** `environments/acceptance.ts:17`; the file alone when the line is not found. */
  readonly where: string;
  readonly message: string;
}

const toNumber = (address: string): number | undefined => {
  const octets = address.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  return octets.reduce((value, octet) => value * 256 + octet, 0);
};

/** The documentation block a range (CIDR or single address) overlaps, if any. */
export function documentationBlockOf(range: string): (typeof documentationBlocks)[number] | undefined {
  const [address = "", prefix = "32"] = range.split("/");
  const start = toNumber(address);
  const length = Number(prefix);
  if (start === undefined || !Number.isInteger(length) || length < 0 || length > 32) return undefined;
  const size = 2 ** (32 - length);
  const first = start - (start % size);
  return documentationBlocks.find(({ block }) => {
    const blockStart = toNumber(block.split("/")[0]!)!;
    return first < blockStart + 256 && blockStart < first + size;
  });
}

/**
 * The 1-based line of `text` on which `range` is written as a value of `key`: the first line,
 * from the one naming `key` on, that holds the range (quoted or bare), skipping comments.
 */
export function lineOf(text: string, key: string, range: string): number | undefined {
  const lines = text.split("\n");
  const uncommented = (line: string) => line.replace(/(^|\s)(\/\/|#).*$/, "");
  const start = lines.findIndex((line) => uncommented(line).includes(key));
  if (start < 0) return undefined;
  const holds = new RegExp(`(^|[^\\d.])${range.replace(/[./]/g, "\\$&")}($|[^\\d.])`);
  const index = lines.findIndex((line, at) => at >= start && holds.test(uncommented(line)));
  return index < 0 ? undefined : index + 1;
}

/**
 * The documentation ranges among `ranges`, each with where it is written in `file` (whose text
 * `text` is, when it can be read) under `key`.
 *
 * @param at the setting's path in messages: `environments.acceptance.cluster.authorizedIpRanges`
 * @param replaceWith what belongs there instead
 */
export function placeholderRanges(
  ranges: readonly string[],
  source: { readonly file: string; readonly text: string | undefined; readonly key: string },
  at: string,
  replaceWith: string,
): Placeholder[] {
  return ranges.flatMap((range, index) => {
    const block = documentationBlockOf(range);
    if (block === undefined) return [];
    const line = source.text === undefined ? undefined : lineOf(source.text, source.key, range);
    return [
      {
        where: line === undefined ? source.file : `${source.file}:${line}`,
        message: `${at}[${index}]: '${range}' is a documentation range (${block.block}, ${block.name}, RFC 5737), a placeholder; replace it with ${replaceWith}`,
      },
    ];
  });
}

/** The placeholder ranges of an environment's settings (its file is `environments/<name>.ts`). */
export function environmentPlaceholders(
  environment: EnvironmentSettings,
  readFile: (file: string) => string | undefined,
): Placeholder[] {
  const file = `environments/${environment.name}.ts`;
  return placeholderRanges(
    environment.cluster.authorizedIpRanges,
    { file, text: readFile(file), key: "authorizedIpRanges" },
    `environments.${environment.name}.cluster.authorizedIpRanges`,
    `the static egress ranges of the runners that deploy and preview ${environment.name} and of its operators (docs/deploying.md, step 2)`,
  );
}

/** Thrown when a real deployment meets a placeholder: before any resource is registered. */
export class PlaceholderRangeError extends Error {
  constructor(readonly placeholders: readonly Placeholder[]) {
    super(
      `documentation IP ranges (RFC 5737) are placeholders, not addresses; nothing was changed:\n${placeholders
        .map(({ where, message }) => `  - ${where}: ${message}`)
        .join("\n")}`,
    );
    this.name = "PlaceholderRangeError";
  }
}

/**
 * Refuses placeholders in a real deployment. Under the offline plan (`underOfflinePlan`: the
 * program runs against the mock engine, which creates nothing) each becomes a warning (`warn`:
 * `pulumi.log.warn`), which `platform plan` prints.
 *
 * @throws PlaceholderRangeError naming every placeholder's file and line.
 */
export function refusePlaceholders(
  placeholders: readonly Placeholder[],
  underOfflinePlan: boolean,
  warn: (message: string) => unknown,
): void {
  if (placeholders.length === 0) return;
  if (!underOfflinePlan) throw new PlaceholderRangeError(placeholders);
  for (const { where, message } of placeholders)
    warn(`${where}: ${message}. pulumi preview and pulumi up refuse it (docs/decisions/0035).`);
}
