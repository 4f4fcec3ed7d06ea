import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import type { RegistrySettings } from "../environments/settings";
import { roleDefinitionId, roles } from "./roles";

/** Arguments of {@link ContainerRegistry}. */
export interface ContainerRegistryArgs {
  readonly settings: RegistrySettings;
  /**
   * Creates the registry (and its resource group), protected and kept when the stack is
   * destroyed; otherwise attaches to the one the owning stack created.
   */
  readonly owned: boolean;
  readonly location: string;
  /** Principals (the clusters' kubelet identities) that pull images. */
  readonly pullers: readonly { readonly name: string; readonly principalId: pulumi.Input<string> }[];
}

/**
 * The shared container registry. One stack owns it; the others attach to it by name. Each
 * cluster's kubelet identity gets `AcrPull` on it; nothing uses the admin user.
 */
export class ContainerRegistry extends pulumi.ComponentResource {
  readonly registryId: pulumi.Output<string>;
  readonly loginServer: pulumi.Output<string>;
  readonly registryName: pulumi.Output<string>;

  constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:ContainerRegistry", name, {}, opts);
    const { settings } = args;

    if (args.owned) {
      // Shared resources outlive any one environment: protected, and kept on `pulumi destroy`.
      const keep = { parent: this, protect: true, retainOnDelete: true };
      const group = new resources.ResourceGroup(
        `${name}-rg`,
        { resourceGroupName: settings.resourceGroupName, location: args.location },
        keep,
      );
      const registry = new containerregistry.Registry(
        `${name}-registry`,
        {
          registryName: settings.name,
          resourceGroupName: group.name,
          location: args.location,
          sku: { name: settings.sku },
          adminUserEnabled: false,
          anonymousPullEnabled: false,
        },
        keep,
      );
      this.registryId = registry.id;
      this.loginServer = registry.loginServer;
      this.registryName = registry.name;
    } else {
      const registry = containerregistry.getRegistryOutput(
        { registryName: settings.name, resourceGroupName: settings.resourceGroupName },
        { parent: this },
      );
      this.registryId = registry.id;
      this.loginServer = registry.loginServer;
      this.registryName = registry.name;
    }

    for (const puller of args.pullers) {
      new authorization.RoleAssignment(
        `${name}-pull-${puller.name}`,
        {
          principalId: puller.principalId,
          principalType: "ServicePrincipal",
          roleDefinitionId: roleDefinitionId(roles.acrPull),
          scope: this.registryId,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ registryId: this.registryId, loginServer: this.loginServer });
  }
}
