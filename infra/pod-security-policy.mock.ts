import { noOutputs, type Fakes } from "./fake-kit";

export const podSecurityPolicyFakes: Fakes = {
  source: "infra/pod-security-policy.mock.ts",
  // The program reads only the assignment's id.
  resources: { "azure-native:authorization:PolicyAssignment": noOutputs },
};
