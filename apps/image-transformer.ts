import { formatImageReference, parseImageReference } from "./image-reference";
import { clonePlain, isRecord, type KubeObject } from "./kube-object";

/** One entry of kustomize's `images:` list. Empty strings count as absent, as in kustomize. */
export interface ImageEntry {
  /** The repository to match, registry host included; a tag or digest on the image is ignored. */
  readonly name: string;
  /** Replaces the repository; the image keeps its tag and digest. */
  readonly newName?: string;
  /** Sets the tag. Without `digest`, drops the image's digest. */
  readonly newTag?: string;
  /** Sets the digest. Without `newTag`, drops the image's tag. */
  readonly digest?: string;
}

/** The fields whose list items have their `image` rewritten; `ephemeralContainers` is not one. */
const containerFields: ReadonlySet<string> = new Set(["containers", "initContainers"]);

const given = (value: string | undefined): value is string => value !== undefined && value !== "";

/**
 * Applies the first entry whose `name` is the repository of `image` (`host:5000/team/app:1.0`
 * has the repository `host:5000/team/app`); returns `image` unchanged when no entry matches.
 */
export function transformImage(image: string, entries: readonly ImageEntry[]): string {
  const reference = parseImageReference(image);
  const entry = entries.find((candidate) => candidate.name === reference.repository);
  if (entry === undefined) return image;

  const repository = given(entry.newName) ? entry.newName : reference.repository;
  // Setting either the tag or the digest replaces both: `repo:old@sha` with newTag gives `repo:new`.
  const pinned =
    given(entry.newTag) || given(entry.digest)
      ? {
          ...(given(entry.newTag) ? { tag: entry.newTag } : {}),
          ...(given(entry.digest) ? { digest: entry.digest } : {}),
        }
      : {
          ...(reference.tag !== undefined ? { tag: reference.tag } : {}),
          ...(reference.digest !== undefined ? { digest: reference.digest } : {}),
        };
  return formatImageReference({ repository, ...pinned });
}

/**
 * Rewrites container images with exactly kustomize's `images:` rules: the `image` of every item
 * of a `containers` or `initContainers` list, at any depth of any object (Pods, Deployments,
 * CronJobs' job templates, ...), except in CustomResourceDefinitions. Returns new objects; the
 * input is not changed.
 */
export function transformImages(
  objects: readonly KubeObject[],
  entries: readonly ImageEntry[],
): KubeObject[] {
  return objects.map((object) =>
    object.kind === "CustomResourceDefinition"
      ? clonePlain(object)
      : (rewriteContainers(object, entries) as KubeObject),
  );
}

function rewriteContainers(node: unknown, entries: readonly ImageEntry[]): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteContainers(item, entries));
  if (!isRecord(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      const rewritten = rewriteContainers(value, entries);
      return [
        key,
        containerFields.has(key) && Array.isArray(rewritten)
          ? rewritten.map((container) => withImage(container, entries))
          : rewritten,
      ];
    }),
  );
}

function withImage(container: unknown, entries: readonly ImageEntry[]): unknown {
  if (!isRecord(container) || typeof container.image !== "string") return container;
  return { ...container, image: transformImage(container.image, entries) };
}
