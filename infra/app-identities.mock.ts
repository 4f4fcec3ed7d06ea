import { fakeHash, noOutputs, physicalName, type FakeResource, type Fakes } from "./fake-kit";

/** A user-assigned identity: its name as given, and the ids Entra ID assigns. */
export const userAssignedIdentity: FakeResource = ({ name, inputs }) => ({
  name: physicalName(name, inputs, "resourceName"),
  principalId: `principal-${fakeHash(name).slice(0, 12)}`,
  clientId: `client-${fakeHash(name).slice(0, 12)}`,
});

export const appIdentitiesFakes: Fakes = {
  source: "infra/app-identities.mock.ts",
  resources: {
    "azure-native:managedidentity:UserAssignedIdentity": userAssignedIdentity,
    "azure-native:managedidentity:FederatedIdentityCredential": noOutputs,
  },
};
