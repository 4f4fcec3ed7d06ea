/** The version of one app an environment runs, as the stack config holds it. */
export interface ImageVersion {
  readonly tag: string;
  /** Set: deploy exactly `tag@digest`. Unset: the environment builds the tag itself. */
  readonly digest?: string;
}

/** The image versions of an environment, by app. An app without an entry is not deployed. */
export type ImageVersions = Readonly<Partial<Record<string, ImageVersion>>>;

/** A Docker image tag: 1 to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
export const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A content digest as registries report it: `sha256:` and 64 lowercase hex characters. */
export const digestPattern = /^sha256:[a-f0-9]{64}$/;

/** What a tag must look like, for error messages. */
export const tagRule = "letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'";

/**
 * Whether a tag is a moving one, which names whatever image was pushed last under it, so that a
 * release or promotion of it would not say which image runs:
 * - a tag without any digit: `latest`, `stable`, `main`, `master`, `edge`, `nightly`, a branch;
 * - a floating version, major-only or major.minor: `2`, `v2`, `1.5`, which the usual release
 *   flow moves to each new patch (docs/decisions/0049).
 * Version tags hold a digit and more than a floating version: `1.5.0`, `v1.5.0-rc.1`,
 * `2024.06.01-abc1234`.
 */
export function isMovingTag(tag: string): boolean {
  return movingTagRuleFor(tag) !== undefined;
}

/** Why a moving tag is refused, for error messages. */
export const movingTagRule =
  "a tag without a digit (latest, stable, main, master, edge, nightly) can point to a different image at any time; use a version tag, which holds a digit, such as 1.5.0";

/** A major-only or major.minor version: `2`, `v2`, `1.5`, `V1.5`. */
const floatingVersion = /^v?\d+(?:\.\d+)?$/i;

/** Why a floating version tag is refused, for error messages. */
export const floatingTagRule =
  "a major-only or major.minor tag (2, v2, 1.5) is moved to each new release of that line, so it can point to a different image at any time; use the full version, major.minor.patch, such as 1.5.0, or a tag with a non-numeric part such as build-42";

/** Why `tag` is a moving tag (`movingTagRule` or `floatingTagRule`); undefined for a version tag. */
export function movingTagRuleFor(tag: string): string | undefined {
  if (!/[0-9]/.test(tag)) return movingTagRule;
  if (floatingVersion.test(tag)) return floatingTagRule;
  return undefined;
}

/** What a digest must look like, for error messages. */
export const digestRule = "'sha256:' + 64 lowercase hex chars";
