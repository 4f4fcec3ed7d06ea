import { valueAt } from "../lib/values";
import { createOnlyInputs, fakeHash, noOutputs, physicalName, type Fakes } from "./fake-kit";
import { userAssignedIdentity } from "./app-identities.mock";
import { monitoringFakes } from "./monitoring.mock";
import { rolesFakes } from "./roles.mock";

export const aksClusterFakes: Fakes = {
  source: "infra/aks-cluster.mock.ts",
  resources: {
    // What the program reads of a cluster: its API server, the kubelet's identity, the OIDC issuer.
    // AKS creates the kubelet identity with the cluster: a cluster replaced (a create-only input
    // changed) has a new one.
    "azure-native:containerservice:ManagedCluster": ({ type, name, inputs }) => {
      const physical = physicalName(name, inputs, "resourceName");
      const created = (createOnlyInputs[type] ?? []).map((path) => JSON.stringify(valueAt(inputs, path)));
      return {
        name: physical,
        fqdn: `${physical}.hcp.westeurope.azmk8s.io`,
        identityProfile: {
          kubeletidentity: { objectId: `kubelet-${fakeHash([name, ...created].join("\n")).slice(0, 12)}` },
        },
        oidcIssuerProfile: {
          enabled: true,
          issuerURL: `https://oidc.example/${fakeHash(name).slice(0, 12)}/`,
        },
      };
    },
    "azure-native:containerservice:AgentPool": noOutputs,
    "azure-native:containerservice:MaintenanceConfiguration": noOutputs,
    "azure-native:monitor:DataCollectionRule": noOutputs,
    "azure-native:monitor:DataCollectionRuleAssociation": noOutputs,
    "azure-native:managedidentity:UserAssignedIdentity": userAssignedIdentity,
    ...rolesFakes.resources,
    ...monitoringFakes.resources,
  },
  calls: {
    // The kubeconfig comes base64-encoded, as Azure returns it.
    "azure-native:containerservice:listManagedClusterUserCredentials": ({ inputs }) => ({
      kubeconfigs: [
        {
          name: "clusterUser",
          value: Buffer.from(`apiVersion: v1\nkind: Config\n# ${String(inputs["resourceName"])}\n`).toString(
            "base64",
          ),
        },
      ],
    }),
  },
};
