import { noOutputs, type Fakes } from "./fake-kit";

/** The workspace and the diagnostic settings (`sendDiagnostics`) other components add. */
export const monitoringFakes: Fakes = {
  source: "infra/monitoring.mock.ts",
  resources: {
    "azure-native:operationalinsights:Workspace": noOutputs,
    "azure-native:monitor:DiagnosticSetting": noOutputs,
  },
};
