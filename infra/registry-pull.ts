import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { roleDefinitionId, roles } from "./roles";

/** Arguments of {@link RegistryPull}. */
export interface RegistryPullArgs {
  /** Id of the shared registry (from the bootstrap stack). */
  readonly registryId: pulumi.Input<string>;
  /** Object id of the cluster's kubelet identity: what pulls the images. */
  readonly kubeletObjectId: pulumi.Input<string>;
}

/**
 * Lets an environment's cluster pull from the shared registry: `AcrPull` for its kubelet
 * identity. The deploy identity may create exactly this assignment (an ABAC condition limits it
 * to `AcrPull` for service principals).
 */
export class RegistryPull extends pulumi.ComponentResource {
  /** The role assignment; pods that pull images wait for it. */
  readonly assignment: authorization.RoleAssignment;

  constructor(name: string, args: RegistryPullArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:RegistryPull", name, {}, opts);
    this.assignment = new authorization.RoleAssignment(
      `${name}-kubelet`,
      {
        principalId: args.kubeletObjectId,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleDefinitionId(roles.acrPull),
        scope: args.registryId,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
