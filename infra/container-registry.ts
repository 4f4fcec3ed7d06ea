import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link ContainerRegistry}. */
export interface ContainerRegistryArgs {
  /** Globally unique registry name (5-50 letters and digits), from the bootstrap config. */
  readonly registryName: string;
  readonly sku: "Basic" | "Standard" | "Premium";
  /** Resource group of the shared resources, created here. */
  readonly resourceGroupName: string;
  readonly location: string;
}

/**
 * The shared container registry and its resource group, created by the bootstrap stack before
 * any environment, so that the first `pulumi up` of an environment pushes to (and pulls from)
 * a registry that exists and that `az acr login` could log in to. Both are protected and kept on
 * `pulumi destroy`: every environment runs images from it. Nothing uses the admin user; each
 * cluster's kubelet gets `AcrPull` from its environment's stack ({@link RegistryPull}).
 */
export class ContainerRegistry extends pulumi.ComponentResource {
  readonly registryId: pulumi.Output<string>;
  readonly loginServer: pulumi.Output<string>;
  readonly registryName: pulumi.Output<string>;

  constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:ContainerRegistry", name, {}, opts);
    const keep = { parent: this, protect: true, retainOnDelete: true };
    const group = new resources.ResourceGroup(
      `${name}-rg`,
      { resourceGroupName: args.resourceGroupName, location: args.location },
      keep,
    );
    const registry = new containerregistry.Registry(
      `${name}-registry`,
      {
        registryName: args.registryName,
        resourceGroupName: group.name,
        location: args.location,
        sku: { name: args.sku },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
      },
      keep,
    );
    this.registryId = registry.id;
    this.loginServer = registry.loginServer;
    this.registryName = registry.name;
    this.registerOutputs({ registryId: this.registryId, loginServer: this.loginServer });
  }
}
