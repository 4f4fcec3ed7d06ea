import { mockSubscriptionId, noOutputs, type FakeCall, type Fakes } from "./fake-kit";

/** Who the deployment runs as (`getClientConfig`): the CI identity, in the fake subscription. */
export const clientConfig: FakeCall = () => ({
  subscriptionId: mockSubscriptionId,
  tenantId: "00000000-0000-0000-0000-000000000002",
  clientId: "ci",
  objectId: "ci-object",
});

/** Role assignments (roles.ts) and the subscription they are scoped in. */
export const rolesFakes: Fakes = {
  source: "infra/roles.mock.ts",
  resources: { "azure-native:authorization:RoleAssignment": noOutputs },
  calls: { "azure-native:authorization:getClientConfig": clientConfig },
};
