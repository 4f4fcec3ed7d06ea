import { fakeHash, noOutputs, physicalName, type Fakes } from "./fake-kit";
import { monitoringFakes } from "./monitoring.mock";
import { privateDnsFakes } from "./private-dns.mock";

/**
 * What Azure Managed Redis answers. The program reads the cluster's `hostName`: without it the
 * apps' settings have no cache host and their workloads cannot be planned.
 */
export const redisCacheFakes: Fakes = {
  source: "infra/redis-cache.mock.ts",
  resources: {
    "azure-native:redisenterprise:RedisEnterprise": ({ name, inputs }) => {
      const physical = physicalName(name, inputs, "clusterName");
      return { hostName: `${physical}.westeurope.redis.azure.net` };
    },
    "azure-native:redisenterprise:Database": noOutputs,
    "azure-native:redisenterprise:AccessPolicyAssignment": noOutputs,
    "azure-native:network:PrivateEndpoint": noOutputs,
    "azure-native:network:PrivateDnsZoneGroup": noOutputs,
    ...privateDnsFakes.resources,
    ...monitoringFakes.resources,
  },
  calls: {
    // The program calls it no more (access keys are disabled); tests use it to know a key when they see one.
    "azure-native:redisenterprise:listDatabaseKeys": ({ inputs }) => ({
      primaryKey: `mock-redis-key-${fakeHash(String(inputs["clusterName"])).slice(0, 16)}`,
      secondaryKey: "mock-redis-secondary",
    }),
  },
};
