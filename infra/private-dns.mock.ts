import { noOutputs, physicalName, type Fakes } from "./fake-kit";

/** The private DNS zones (`linkedPrivateZone`) the data services add. */
export const privateDnsFakes: Fakes = {
  source: "infra/private-dns.mock.ts",
  resources: {
    // A zone's name is the DNS name it was given.
    "azure-native:privatedns:PrivateZone": ({ name, inputs }) => ({
      name: physicalName(name, inputs, "privateZoneName"),
    }),
    "azure-native:privatedns:VirtualNetworkLink": noOutputs,
  },
};
