import { noOutputs, type Fakes } from "./fake-kit";

export const networkFakes: Fakes = {
  source: "infra/network.mock.ts",
  resources: {
    "azure-native:network:VirtualNetwork": noOutputs,
    "azure-native:network:NetworkSecurityGroup": noOutputs,
    "azure-native:network:Subnet": noOutputs,
  },
};
