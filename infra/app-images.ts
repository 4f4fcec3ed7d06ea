import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { AppDefinition } from "../apps/app-definition";
import { buildContext } from "../apps/build-context";

/** Arguments of {@link AppImages}. */
export interface AppImagesArgs {
  /** The apps to build, each at its tag from stack config. */
  readonly builds: readonly { readonly app: AppDefinition; readonly tag: string }[];
  /** Login server of the registry the images are pushed to. */
  readonly registryLoginServer: pulumi.Input<string>;
}

/**
 * Builds each app's image at its tag and pushes it to the shared registry, with the registry as
 * the layer cache so that a rebuild pushes only the layers that changed. Exposes the digest of
 * each push: what the environment deploys, and what promotion copies downstream.
 */
export class AppImages extends pulumi.ComponentResource {
  /** The pushed manifest digest of each app's image, by app name. */
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
        { parent: this },
      );
      digests[app.name] = image.digest;
    }
    this.digests = digests;
    this.registerOutputs({ digests });
  }
}
