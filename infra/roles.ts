import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";

export { roles } from "../lib/role-ids";

/** The full id of a built-in role definition in the current subscription. */
export function roleDefinitionId(roleId: string): pulumi.Output<string> {
  const { subscriptionId } = authorization.getClientConfigOutput();
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}
