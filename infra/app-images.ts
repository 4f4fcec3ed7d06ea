import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { AppDefinition } from "../apps/app-definition";
import { buildContext } from "../apps/build-context";
import { persistentNames } from "../apps/persistent-names";
import { registryReaderConfigFile } from "../bootstrap/outputs";

/** An app's release pinned by digest in the stack config: deployed as is, never built. */
export interface PinnedImage {
  readonly app: string;
  /** The app's repository in the registry (apps/persistent-names.ts). @default the app */
  readonly repository?: string;
  readonly tag: string;
  readonly digest: string;
}

/** Arguments of {@link AppImages}. */
export interface AppImagesArgs {
  /** The apps to build, each at its tag from stack config. */
  readonly builds: readonly { readonly app: AppDefinition; readonly tag: string }[];
  /** The apps pinned to `tag@digest`: checked against the registry, never built. */
  readonly pinned: readonly PinnedImage[];
  /**
   * Login server of the shared registry, which exists before this stack runs (the bootstrap
   * stack creates it). Pushes use the machine's Docker credentials for it: `az acr login --name
   * <registry>` before `pulumi up` (the deploy workflow does this).
   */
  readonly registryLoginServer: pulumi.Input<string>;
  /**
   * The Docker config file holding a user name and password for the registry, which the lookups
   * read (the provider drops the `identitytoken` that `az acr login` writes, docs/decisions/0029).
   * A path, not the token: the provider's inputs are state, and a token that changes every run
   * would show the provider as changed in every preview (pulumi/pulumi-docker#952).
   * @default {@link registryReaderConfigFile}
   */
  readonly registryReaderConfigFile?: string;
}

/**
 * The image each app deploys, by digest. Apps at a bare tag are built and pushed to the shared
 * registry (with the registry as the layer cache, so a rebuild pushes only the layers that
 * changed) and kept there when the resource goes away: production may run that digest long
 * after acceptance moved on. Apps pinned to `tag@digest` are looked up in the registry first:
 * when the tag is missing or names another digest, the preview fails before any workload changes.
 */
export class AppImages extends pulumi.ComponentResource {
  /** The digest each app deploys, by app name: pushed, or pinned and found in the registry. */
  readonly digests: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: AppImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:apps:AppImages", name, {}, opts);
    const digests: Record<string, pulumi.Output<string>> = {};
    const configFile = args.registryReaderConfigFile ?? registryReaderConfigFile;
    // Reads the registry only: no Docker engine needed. An entry with only an address would
    // read ~/.docker/config.json, where `az acr login` leaves a credential the provider cannot
    // use: every lookup would get 401.
    const reader =
      args.builds.length + args.pinned.length === 0
        ? undefined
        : new docker.Provider(
            `${name}-registry-reader`,
            {
              disableDockerDaemonCheck: true,
              registryAuth: [{ address: args.registryLoginServer, configFile }],
            },
            { parent: this },
          );
    const lookups = { parent: this, ...(reader ? { provider: reader } : {}) };

    for (const { app, tag } of args.builds) {
      const build = pulumi
        .output(args.registryLoginServer)
        .apply((server) => buildSettings(server, app, tag));
      // The tags wait for the check that the release tag is new, or this build's own earlier
      // push: a refusal comes before the image is declared, so nothing is built or pushed.
      const tags = pulumi
        .output(args.registryLoginServer)
        .apply((server) => checkReleaseTag(server, app, tag, lookups, configFile));
      // Named after the repository, which a renamed app keeps: the same resource, not a new one.
      const image = new dockerbuild.Image(
        `${name}-${persistentNames(app).imageRepository}`,
        {
          context: build.context,
          dockerfile: build.dockerfile,
          platforms: build.platforms,
          tags,
          push: true,
          // A preview shows what would be built; only `pulumi up` builds and pushes.
          buildOnPreview: false,
          cacheFrom: build.cacheFrom,
          cacheTo: build.cacheTo,
        },
        // Deleting the resource (a rollback pins the digest, an app is removed, the stack is
        // destroyed) would delete the pushed manifest by digest, which production may still run.
        { parent: this, retainOnDelete: true },
      );
      digests[app.name] = image.digest;
    }

    for (const pinned of args.pinned) {
      digests[pinned.app] = pulumi
        .output(args.registryLoginServer)
        .apply((server) => checkPinnedImage(server, pinned, lookups, configFile));
    }
    this.digests = digests;
    this.registerOutputs({ digests });
  }
}

/**
 * Looks `pinned` up in the registry at `server` and returns its digest when the registry holds
 * that tag at that digest.
 *
 * @param configFile the Docker config file the provider in `opts` reads its credential from,
 *   named when the registry refuses the lookup.
 * @throws Error naming the app, the tag and the digest, when the tag is missing or names another
 *   digest, or the registry refused the lookup: what the preview prints before any workload
 *   changes.
 */
export async function checkPinnedImage(
  server: string,
  pinned: PinnedImage,
  opts: pulumi.InvokeOptions,
  configFile: string = registryReaderConfigFile,
): Promise<string> {
  const { app, tag, digest } = pinned;
  const repository = pinned.repository ?? app;
  const cannot = `platform:images.${app}: ${repository}:${tag}@${digest} cannot be deployed`;
  let found: string;
  try {
    found = (await docker.getRegistryImage({ name: `${server}/${repository}:${tag}` }, opts)).sha256Digest;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).trim();
    throw new Error(`${cannot}: ${lookupFailure(server, `${repository}:${tag}`, reason, configFile)}`, {
      cause: error,
    });
  }
  if (found !== digest) {
    throw new Error(`${cannot}: in ${server}, ${repository}:${tag} is ${found}, not ${digest}`);
  }
  return digest;
}

/**
 * Why a lookup of `image` in `server` failed, from the provider's message: the registry has no
 * such tag, or refused the credential (or there was none), with what to run then.
 */
export function lookupFailure(server: string, image: string, reason: string, configFile: string): string {
  if (/\b404 Not Found\b/.test(reason)) return `${server} has no image ${image} (${reason})`;
  const refused = /\b401 Unauthorized\b|could not open config file/.test(reason);
  if (!refused) return `the lookup of ${image} in ${server} failed (${reason})`;
  const registry = server.split(".", 1)[0] ?? server;
  return `${server} refused the lookup of ${image} (${reason}); the lookups authenticate with the ACR token in ${configFile}: write it after \`az acr login --name ${registry} --expose-token\` as docs/deploying.md shows (step 5) (CI: the azure-pulumi action)`;
}

/** What docker-build's Image is given for one app's build, but its tags. */
export interface BuildSettings {
  readonly context: { readonly location: string };
  readonly dockerfile: { readonly location: string };
  readonly platforms: dockerbuild.types.enums.Platform[];
  readonly cacheFrom: { readonly registry: { readonly ref: string } }[];
  readonly cacheTo: {
    readonly registry: {
      readonly ref: string;
      readonly mode: dockerbuild.types.enums.CacheMode;
      readonly imageManifest: boolean;
      readonly ociMediaTypes: boolean;
    };
  }[];
}

/** The build of `app` at `tag` for the registry `server`, with the registry as the layer cache. */
export function buildSettings(server: string, app: AppDefinition, tag: string): BuildSettings {
  const cache = `${server}/${persistentNames(app).imageRepository}:buildcache`;
  const { context, dockerfile } = buildContext(app, tag);
  return {
    context: { location: context },
    dockerfile: { location: dockerfile },
    platforms: ["linux/amd64"],
    cacheFrom: [{ registry: { ref: cache } }],
    cacheTo: [{ registry: { ref: cache, mode: "max", imageManifest: true, ociMediaTypes: true } }],
  };
}

/**
 * The tag that names what a build was made from: `<tag>--src.<12 hex>`, a hash of the build's
 * settings and of every file docker-build hashes into its `contextHash` (more, where the
 * `.dockerignore` is beyond {@link ignoredAtRoot}). docker-build rebuilds when either changes,
 * so an unchanged source tag means docker-build has nothing to rebuild.
 */
export function sourceTag(tag: string, settings: BuildSettings, files: readonly ContextFile[]): string {
  const hash = createHash("sha256").update(JSON.stringify({ settings, files })).digest("hex");
  return `${tag}--src.${hash.slice(0, 12)}`;
}

/**
 * One file of a build context: its path in the context, whether it is executable (the mode git
 * keeps; the other bits follow each checkout's umask) and its content hash.
 */
export interface ContextFile {
  readonly path: string;
  readonly executable: boolean;
  readonly sha256: string;
}

/**
 * True when a `.dockerignore` pattern list surely excludes the top-level entry `name`: only
 * plain top-level patterns with `*` and `?` count; with any exception (`!`) nothing does. A file
 * counted as kept when Docker ignores it can only make the source tag change more often.
 */
export function ignoredAtRoot(patterns: readonly string[], name: string): boolean {
  if (patterns.some((pattern) => pattern.startsWith("!"))) return false;
  return patterns.some((pattern) => {
    if (!/^[A-Za-z0-9_.*?-]+$/.test(pattern)) return false;
    const glob = pattern.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
    return new RegExp(`^${glob}$`).test(name);
  });
}

/**
 * The files of a local build context (a folder relative to the working directory, where Pulumi
 * runs the program) and its Dockerfile; none for a git context, whose URL names its git tag.
 */
export function contextFiles(settings: BuildSettings): ContextFile[] {
  const dir = settings.context.location;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const ignoreFile = path.join(dir, ".dockerignore");
  const patterns = existsSync(ignoreFile)
    ? readFileSync(ignoreFile, "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
    : [];
  const files: ContextFile[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.posix.join(relative, entry.name);
      if (relative === "" && ignoredAtRoot(patterns, entry.name)) continue;
      if (entry.isDirectory()) walk(name);
      else {
        const file = path.join(dir, name);
        const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
        files.push({ path: name, executable: (statSync(file).mode & 0o111) !== 0, sha256 });
      }
    }
  };
  walk("");
  const dockerfile = settings.dockerfile.location;
  if (existsSync(dockerfile) && !dockerfile.startsWith(`${dir}/`)) {
    const sha256 = createHash("sha256").update(readFileSync(dockerfile)).digest("hex");
    files.push({ path: dockerfile, executable: (statSync(dockerfile).mode & 0o111) !== 0, sha256 });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The tags to push for `app` at `tag` in `server`: the release tag and its {@link sourceTag},
 * once the registry shows the release tag is new, or names the same digest as the source tag (the
 * stack's own earlier push of this source, which docker-build does not rebuild).
 *
 * @throws Error before anything is built when the registry holds the release tag at another
 *   digest: a rebuild would move a tag that production may pin (release tags are not moved).
 */
export async function checkReleaseTag(
  server: string,
  app: AppDefinition,
  tag: string,
  opts: pulumi.InvokeOptions,
  configFile: string = registryReaderConfigFile,
): Promise<string[]> {
  const settings = buildSettings(server, app, tag);
  const source = sourceTag(tag, settings, contextFiles(settings));
  const repository = persistentNames(app).imageRepository;
  const tags = [`${server}/${repository}:${tag}`, `${server}/${repository}:${source}`];
  const held = await registryDigest(server, app.name, repository, tag, opts, configFile);
  if (held === undefined) return tags;
  const built = await registryDigest(server, app.name, repository, source, opts, configFile);
  if (built === held) return tags;
  throw new Error(
    `platform:images.${app.name}: ${repository}:${tag} cannot be built: ${server} already holds ${repository}:${tag} at ${held}, built from another source than this one (${repository}:${source}), and release tags are not moved; release a new version instead: platform release ${app.name} <version> --pr`,
  );
}

/** The digest `server` holds for `repository:tag` (of `app`); undefined when it has no such tag. */
async function registryDigest(
  server: string,
  app: string,
  repository: string,
  tag: string,
  opts: pulumi.InvokeOptions,
  configFile: string,
): Promise<string | undefined> {
  try {
    return (await docker.getRegistryImage({ name: `${server}/${repository}:${tag}` }, opts)).sha256Digest;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).trim();
    if (/\b404 Not Found\b/.test(reason)) return undefined;
    throw new Error(
      `platform:images.${app}: ${repository}:${tag} cannot be built: ${lookupFailure(server, `${repository}:${tag}`, reason, configFile)}`,
      {
        cause: error,
      },
    );
  }
}
