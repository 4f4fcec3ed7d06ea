import { noOutputs, physicalName, type Fakes } from "./fake-kit";

export const containerRegistryFakes: Fakes = {
  source: "infra/container-registry.mock.ts",
  resources: {
    // A group's and a registry's names are the ones given; the login server derives from the latter.
    "azure-native:resources:ResourceGroup": ({ name, inputs }) => ({
      name: physicalName(name, inputs, "resourceGroupName"),
    }),
    "azure-native:containerregistry:Registry": ({ name, inputs }) => {
      const physical = physicalName(name, inputs, "registryName");
      return { name: physical, loginServer: `${physical}.azurecr.io` };
    },
    // The endpoint approver role: the program reads only its id.
    "azure-native:authorization:RoleDefinition": noOutputs,
  },
};
