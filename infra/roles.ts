import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";

/** Built-in Azure role definitions the platform assigns, by their fixed ids. */
export const roles = {
  /** Pull images from a container registry. */
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  /** Push (and pull) images to a container registry. */
  acrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
  /** Manage network resources: AKS needs it on its subnet. */
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
} as const;

/** The full id of a built-in role definition in the current subscription. */
export function roleDefinitionId(roleId: string): pulumi.Output<string> {
  const { subscriptionId } = authorization.getClientConfigOutput();
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}
