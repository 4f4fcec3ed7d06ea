import { isRecord } from "../../lib/values";
import { clonePlain, type KubeObject } from "./kube-object";

/**
 * One entry of kustomize's `images:` list. Empty strings count as absent, as in kustomize.
 * (kustomize's `tagSuffix` is not supported: nothing here uses it.)
 */
export interface ImageEntry {
  /**
   * Which images the entry rewrites: the image's name, registry host included, optionally followed
   * by its tag and digest. kustomize reads it as a regular expression, so a `.` matches any
   * character (`my.app` matches `myxapp`); see {@link applyImageEntry}.
   */
  readonly name: string;
  /** Replaces the name; the image keeps its tag and digest. */
  readonly newName?: string;
  /** Sets the tag. Without `digest`, drops the image's digest. */
  readonly newTag?: string;
  /** Sets the digest. Without `newTag`, drops the image's tag. */
  readonly digest?: string;
}

/** The characters an entry's name may use: those of image references. */
const nameAlphabet = /^[A-Za-z0-9._:/@-]*$/;

const given = (value: string | undefined): value is string => value !== undefined && value !== "";

/**
 * The images an entry matches. kustomize matches the Go regular expression
 * `^<name>(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`, the name pasted in unescaped. Of
 * the characters of image references only `.` means something in a regular expression (any
 * character but a newline); names with other characters are refused rather than guessed at.
 */
function entryMatcher(name: string): (image: string) => boolean {
  if (!nameAlphabet.test(name)) {
    throw new Error(
      `image entry name '${name}' may hold only letters, digits and . _ - : / @ (kustomize reads it as a regular expression)`,
    );
  }
  const pattern = name.replaceAll(".", "[^\\n]");
  const expression = new RegExp(`^${pattern}(?::[a-zA-Z0-9_.{}-]*)?(?:@sha256:[a-zA-Z0-9_.{}-]*)?$`, "u");
  // The part before any `.` must start the image: a cheap test that rules out most images at once.
  const literalStart = name.split(".", 1)[0] as string;
  return (image) => image.startsWith(literalStart) && expression.test(image);
}

/**
 * Splits an image the way kustomize does before rewriting it: up to the first `/` is a registry
 * host that may hold a port; after it, the first `@` starts the digest, and the first `:` before
 * that starts the tag (which may hold further `:`).
 */
function splitImage(image: string): { name: string; tag: string; digest: string } {
  const from = Math.max(image.indexOf("/"), 0);
  const at = image.indexOf("@", from);
  const colon = image.indexOf(":", from);
  const digest = at < 0 ? "" : image.slice(at + 1);
  const beforeDigest = at < 0 ? image : image.slice(0, at);
  if (colon < 0 || (at >= 0 && at < colon)) return { name: beforeDigest, tag: "", digest };
  return { name: image.slice(0, colon), tag: beforeDigest.slice(colon + 1), digest };
}

/**
 * One application of one entry to one image, as kustomize's image tag updater does it: when the
 * entry matches, `newName` replaces the name; `newTag` and `digest`, either of them, replace both
 * the tag and the digest. An empty tag or digest is left out: `name[:tag][@digest]`.
 */
function applyCompiled(image: string, entry: ImageEntry, matcher: (image: string) => boolean): string {
  if (!matcher(image)) return image;
  const split = splitImage(image);
  const name = given(entry.newName) ? entry.newName : split.name;
  const pinned = given(entry.newTag) || given(entry.digest);
  const tag = pinned ? (given(entry.newTag) ? entry.newTag : "") : split.tag;
  const digest = pinned ? (given(entry.digest) ? entry.digest : "") : split.digest;
  return `${name}${tag !== "" ? `:${tag}` : ""}${digest !== "" ? `@${digest}` : ""}`;
}

/**
 * One application of one `images:` entry to one image string: the image unchanged when the
 * entry does not match it, else rewritten (see {@link ImageEntry}).
 *
 * @throws Error when the entry's name holds characters other than those of image references.
 */
export function applyImageEntry(image: string, entry: ImageEntry): string {
  return applyCompiled(image, entry, entryMatcher(entry.name));
}

/** Where kustomize's default field specs for images point; list levels do not count. */
const podSpecImagePaths = [
  "spec/containers/image",
  "spec/initContainers/image",
  "spec/template/spec/containers/image",
  "spec/template/spec/initContainers/image",
];

const containerFields: ReadonlySet<string> = new Set(["containers", "initContainers"]);

/**
 * Rewrites container images with exactly kustomize's `images:` rules (`kubectl kustomize`, kustomize
 * 5.5). Returns new objects; the input is not changed. CustomResourceDefinitions are left alone.
 *
 * kustomize applies the entries one after the other, each to the images as the entries before it
 * left them: several entries can rewrite one image, and an entry can match a name that an earlier
 * entry's `newName` gave. Each entry is applied in two passes: one to the `image` of every item of
 * a `containers` or `initContainers` list at any depth (not `ephemeralContainers`), then one to
 * the `image` fields at the paths of {@link podSpecImagePaths}, where lists on the way are looked
 * through and `containers` may be a single map. An image reached by both passes (a Pod's or a
 * Deployment's container, not a CronJob's) gets the entry twice, which changes the result only for
 * an entry whose output it matches again with another split (`newName: foo:1` for `foo` gives
 * `foo:1:1`). Only string images are rewritten; for shapes Kubernetes does not have (a list of
 * lists of containers, a scalar where a map belongs) kustomize fails or has further rules, which
 * the manifests never need.
 *
 * @throws Error when an entry's name holds characters other than those of image references.
 */
export function transformImages(
  objects: readonly KubeObject[],
  entries: readonly ImageEntry[],
): KubeObject[] {
  const matchers = entries.map((entry) => entryMatcher(entry.name));
  const results = new Map<string, string>();
  const rewrite = (image: string, passes: number): string => {
    const key = `${passes} ${image}`;
    let result = results.get(key);
    if (result === undefined) {
      result = entries.reduce(
        (current, entry, index) => applyTimes(current, entry, matchers[index]!, passes),
        image,
      );
      results.set(key, result);
    }
    return result;
  };
  return objects.map((object) =>
    object.kind === "CustomResourceDefinition"
      ? clonePlain(object)
      : (rewriteRecord(object, "", false, rewrite) as KubeObject),
  );
}

function applyTimes(
  image: string,
  entry: ImageEntry,
  matcher: (image: string) => boolean,
  times: number,
): string {
  let result = image;
  for (let time = 0; time < times; time += 1) result = applyCompiled(result, entry, matcher);
  return result;
}

type Rewrite = (image: string, passes: number) => string;

/**
 * @param path the keys from the object's root to `record`, joined by `/`, list levels left out
 * @param isContainer whether `record` is an item of a `containers` or `initContainers` list
 */
function rewriteRecord(
  record: Record<string, unknown>,
  path: string,
  isContainer: boolean,
  rewrite: Rewrite,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => {
      const childPath = path === "" ? key : `${path}/${key}`;
      if (key === "image" && typeof value === "string") {
        const passes = (isContainer ? 1 : 0) + (podSpecImagePaths.includes(childPath) ? 1 : 0);
        return [key, passes > 0 ? rewrite(value, passes) : value];
      }
      return [key, rewriteValue(value, childPath, containerFields.has(key), rewrite)];
    }),
  );
}

/** @param isContainerList whether `value`, when a list, is the value of a container list field */
function rewriteValue(value: unknown, path: string, isContainerList: boolean, rewrite: Rewrite): unknown {
  if (isRecord(value)) return rewriteRecord(value, path, false, rewrite);
  if (!Array.isArray(value)) return value;
  return value.map((item) =>
    isRecord(item)
      ? rewriteRecord(item, path, isContainerList, rewrite)
      : rewriteValue(item, path, false, rewrite),
  );
}
