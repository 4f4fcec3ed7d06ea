import * as docker from "@pulumi/docker";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { AppDefinition } from "../apps/app-definition";
import { buildContext } from "../apps/build-context";
import { registryReaderConfigFile } from "../bootstrap/outputs";

/** An app's release pinned by digest in the stack config: deployed as is, never built. */
export interface PinnedImage {
  readonly app: string;
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
    for (const { app, tag } of args.builds) {
      const repository = pulumi.interpolate`${args.registryLoginServer}/${app.name}`;
      const cache = pulumi.interpolate`${repository}:buildcache`;
      const { context, dockerfile } = buildContext(app, tag);
      const image = new dockerbuild.Image(
        `${name}-${app.name}`,
        {
          context: { location: context },
          dockerfile: { location: dockerfile },
          platforms: ["linux/amd64"],
          tags: [pulumi.interpolate`${repository}:${tag}`],
          push: true,
          // A preview shows what would be built; only `pulumi up` builds and pushes.
          buildOnPreview: false,
          cacheFrom: [{ registry: { ref: cache } }],
          cacheTo: [{ registry: { ref: cache, mode: "max", imageManifest: true, ociMediaTypes: true } }],
        },
        // Deleting the resource (a rollback pins the digest, an app is removed, the stack is
        // destroyed) would delete the pushed manifest by digest, which production may still run.
        { parent: this, retainOnDelete: true },
      );
      digests[app.name] = image.digest;
    }

    if (args.pinned.length > 0) {
      // Reads the registry only: no Docker engine needed. An entry with only an address would
      // read ~/.docker/config.json, where `az acr login` leaves a credential the provider
      // cannot use: every lookup would get 401.
      const configFile = args.registryReaderConfigFile ?? registryReaderConfigFile;
      const reader = new docker.Provider(
        `${name}-registry-reader`,
        { disableDockerDaemonCheck: true, registryAuth: [{ address: args.registryLoginServer, configFile }] },
        { parent: this },
      );
      for (const pinned of args.pinned) {
        digests[pinned.app] = pulumi
          .output(args.registryLoginServer)
          .apply((server) =>
            checkPinnedImage(server, pinned, { parent: this, provider: reader }, configFile),
          );
      }
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
  const cannot = `platform:images.${app}: ${app}:${tag}@${digest} cannot be deployed`;
  let found: string;
  try {
    found = (await docker.getRegistryImage({ name: `${server}/${app}:${tag}` }, opts)).sha256Digest;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).trim();
    throw new Error(`${cannot}: ${lookupFailure(server, `${app}:${tag}`, reason, configFile)}`, {
      cause: error,
    });
  }
  if (found !== digest) {
    throw new Error(`${cannot}: in ${server}, ${app}:${tag} is ${found}, not ${digest}`);
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
  return `${server} refused the lookup of ${image} (${reason}); the lookups authenticate with the ACR token in ${configFile}: write it after \`az acr login --name ${registry} --expose-token\` as README "Deploying for real" shows (CI: the azure-pulumi action)`;
}
