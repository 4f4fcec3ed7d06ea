import { acceptance } from "../environments/acceptance";
import { ofType, only, runIsolated } from "../test/program";

/** Builds only the cache component under the mock engine, for three users. */
const cacheRun = () =>
  runIsolated(async () => {
    const { RedisCache } = await import("./redis-cache");
    const cache = new RedisCache("redis", {
      resourceGroupName: "rg",
      location: "westeurope",
      settings: acceptance.redis,
      privateEndpointSubnetId: "subnet-id",
      virtualNetworkId: "vnet-id",
      logAnalyticsWorkspaceId: "workspace-id",
      users: { "main-api": "object-main", web: "object-web", "customer-api": "object-customer" },
    });
    return { host: cache.host };
  });

test("writes the access policy assignments one at a time, the first after the private endpoint and its DNS", async () => {
  const run = await cacheRun();
  const urn = (type: string, name: string) => only(run, type, name).urn;
  const assignment = "azure-native:redisenterprise:AccessPolicyAssignment";
  const waitsOn = (name: string) => only(run, assignment, name).dependencies;
  expect(ofType(run, assignment).map((a) => a.name)).toEqual([
    "redis-access-main-api",
    "redis-access-web",
    "redis-access-customer-api",
  ]);
  expect(waitsOn("redis-access-main-api")).toContain(
    urn("azure-native:network:PrivateDnsZoneGroup", "redis-endpoint-dns"),
  );
  expect(waitsOn("redis-access-web")).toContain(urn(assignment, "redis-access-main-api"));
  expect(waitsOn("redis-access-customer-api")).toContain(urn(assignment, "redis-access-web"));
  // The DNS zone group waits for the endpoint itself.
  expect(only(run, "azure-native:network:PrivateDnsZoneGroup", "redis-endpoint-dns").dependencies).toContain(
    urn("azure-native:network:PrivateEndpoint", "redis-endpoint"),
  );
});
