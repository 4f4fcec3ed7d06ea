import { noOutputs, type Fakes } from "./fake-kit";
import { clientConfig } from "./roles.mock";

export const deliverySettingsFakes: Fakes = {
  source: "infra/delivery-settings.mock.ts",
  resources: { "github:index/actionsVariable:ActionsVariable": noOutputs },
  calls: { "azure-native:authorization:getClientConfig": clientConfig },
};
