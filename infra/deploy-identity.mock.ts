import { noOutputs, type Fakes } from "./fake-kit";
import { userAssignedIdentity } from "./app-identities.mock";
import { rolesFakes } from "./roles.mock";

export const deployIdentityFakes: Fakes = {
  source: "infra/deploy-identity.mock.ts",
  resources: {
    "azure-native:managedidentity:UserAssignedIdentity": userAssignedIdentity,
    "azure-native:managedidentity:FederatedIdentityCredential": noOutputs,
    ...rolesFakes.resources,
  },
};
