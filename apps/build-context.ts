import type { AppDefinition } from "./app-definition";

/** Where and how to build one version of an app's image. */
export interface BuildContext {
  /** A folder of this repository, or a git URL with the release tag as its ref. */
  readonly context: string;
  /** The Dockerfile, relative to the context. */
  readonly dockerfile: string;
}

/**
 * The build context of `app` at image tag `tag`. An app with its own repository is built from
 * that repository at the release's git tag, so that the image tag is the version.
 */
export function buildContext(app: AppDefinition, tag: string): BuildContext {
  const { source } = app;
  const dockerfile = source.dockerfile ?? "Dockerfile";
  if (source.kind === "folder") return { context: source.path, dockerfile: `${source.path}/${dockerfile}` };
  return { context: `${source.repository}#refs/tags/${source.gitTagPrefix ?? ""}${tag}`, dockerfile };
}
