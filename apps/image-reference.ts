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
 * Whether a tag is a moving one: a tag without any digit (`latest`, `stable`, `main`, `master`,
 * `edge`, `nightly`, a branch name) names whatever image was pushed last under it, so a release
 * or promotion of it would not say which image runs. Version tags hold a digit: `1.5.0`, `v2`,
 * `2024.06.01-abc1234`.
 */
export function isMovingTag(tag: string): boolean {
  return !/[0-9]/.test(tag);
}

/** Why a moving tag is refused, for error messages. */
export const movingTagRule =
  "a tag without a digit (latest, stable, main, master, edge, nightly) can point to a different image at any time; use a version tag, which holds a digit, such as 1.5.0";

/** What a digest must look like, for error messages. */
export const digestRule = "'sha256:' + 64 lowercase hex chars";
