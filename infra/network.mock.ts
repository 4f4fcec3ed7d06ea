import { noOutputs, type Fakes } from "../engine/mock-engine";

export const networkFakes: Fakes = {
  source: "infra/network.mock.ts",
  resources: {
    "azure-native:network:VirtualNetwork": noOutputs,
    "azure-native:network:NetworkSecurityGroup": noOutputs,
    "azure-native:network:Subnet": noOutputs,
  },
};
