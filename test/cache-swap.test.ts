import { readFileSync } from "node:fs";
import * as path from "node:path";
import { runPlan } from "../cli/program-runs";
import type { ProgramRun } from "../engine/mock-engine";
import { stackConfig } from "./program";
import { uncheckedDataTypes, unviewedDataTypes } from "./policy-coverage";
import { projectCopy } from "./project-copy";
import { runCli, type CliRun } from "./run-cli";

/**
 * The cache swapped for another implementation in a throwaway copy, by its `redis-cache.*` files
 * only (decision 0057): Azure Cache for Redis (`redis.Redis`), whose TLS port is 6380, signed in
 * with its access key and left public. The NSGs, the NetworkPolicies and the apps' settings must
 * follow the new contract, and the policy pack must refuse the public cache with keys. Before
 * the contract moved to the component, all three stayed on 10000 and `plan --policy` passed
 * (../shared/reviews/change-cost.md, section 1.3).
 */
const swapped: Readonly<Record<string, string>> = {
  "infra/redis-cache.contract.ts": `import type { NetworkLayout } from "../environments/network-layout";

export interface CacheContract {
  readonly port: number;
  readonly scheme: "tls" | "plain";
  readonly subnet: keyof Pick<NetworkLayout, "privateEndpoints">;
  readonly signIn: "entra-token" | "access-key";
}

export const clientsNeedEntraId = (contract: CacheContract): boolean => contract.signIn === "entra-token";

export const cacheContract: CacheContract = {
  port: 6380,
  scheme: "tls",
  subnet: "privateEndpoints",
  signIn: "access-key",
};
`,
  "infra/redis-cache.ts": `import * as redis from "@pulumi/azure-native/redis";
import * as pulumi from "@pulumi/pulumi";
import type { RedisSettings } from "../environments/settings";
import { cacheContract, type CacheContract } from "./redis-cache.contract";

export interface RedisCacheArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly settings: RedisSettings;
  readonly privateEndpointSubnetId: pulumi.Input<string>;
  readonly virtualNetworkId: pulumi.Input<string>;
  readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
  readonly users: Readonly<Record<string, pulumi.Input<string>>>;
}

export class RedisCache extends pulumi.ComponentResource {
  readonly host: pulumi.Output<string>;
  readonly contract: CacheContract = cacheContract;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:RedisCache", name, {}, opts);
    const cache = new redis.Redis(
      \`\${name}-cache\`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: "Standard", family: "C", capacity: 1 },
        minimumTlsVersion: "1.2",
        enableNonSslPort: cacheContract.scheme !== "tls",
        publicNetworkAccess: "Enabled",
        disableAccessKeyAuthentication: cacheContract.signIn !== "access-key",
      },
      { parent: this },
    );
    this.host = cache.hostName;
    this.registerOutputs({ host: this.host });
  }
}
`,
  // The private endpoint's fakes stay: the registry's endpoint relies on them (today's fake has them).
  "infra/redis-cache.mock.ts": `import { noOutputs, physicalName, type Fakes } from "./fake-kit";
import { monitoringFakes } from "./monitoring.mock";
import { privateDnsFakes } from "./private-dns.mock";

export const redisCacheFakes: Fakes = {
  source: "infra/redis-cache.mock.ts",
  resources: {
    "azure-native:redis:Redis": ({ name, inputs }) => ({
      hostName: \`\${physicalName(name, inputs, "name")}.redis.cache.windows.net\`,
      sslPort: 6380,
    }),
    "azure-native:network:PrivateEndpoint": noOutputs,
    "azure-native:network:PrivateDnsZoneGroup": noOutputs,
    ...privateDnsFakes.resources,
    ...monitoringFakes.resources,
  },
  calls: {},
};
`,
};

const env = { PATH: process.env["PATH"] ?? "" };

// The plan `platform plan --policy` makes of the copy is kept for the tests that read its
// registrations: the copy is planned once, not once more in the same runner. It is planned in the
// runners of the jest worker (test/worker-plan-runs.ts), as every suite's plans are, not in a
// runner of this suite's own: a fresh one costs about 1 CPU-s more than one the worker has idle.
jest.mock("../cli/program-runs", () => {
  const actual = jest.requireActual<typeof import("../cli/program-runs")>("../cli/program-runs");
  const { workerRunPlan } = jest.requireActual<typeof import("./worker-plan-runs")>("./worker-plan-runs");
  return { ...actual, runPlan: jest.fn(workerRunPlan(actual.runPlan)) };
});

describe("the cache swapped for Azure Cache for Redis (port 6380, access keys) in a copy", () => {
  let copy: ReturnType<typeof projectCopy>;
  let run: ProgramRun;
  let policyRun: CliRun;
  beforeAll(async () => {
    copy = projectCopy(swapped);
    policyRun = await runCli(["plan", "acceptance", "--policy"], copy.dir, env);
    const plans = jest.mocked(runPlan).mock;
    // The one plan the command made: the copy's acceptance stack, with its stack file's config.
    expect(plans.calls.map(([request]) => [request.dir, request.stack, request.config])).toEqual([
      [copy.dir, "acceptance", stackConfig("acceptance")],
    ]);
    run = await (plans.results[0]!.value as Promise<ProgramRun>);
  }, 180_000);
  afterAll(() => copy.remove());

  const registered = (type: string, name: string): Record<string, any> => {
    const found = run.registrations.filter((r) => r.type === type && r.name === name);
    expect(found).toHaveLength(1);
    return found[0]!.inputs as Record<string, any>;
  };

  test("the copy plans with the new component, its contract and its fake: no Azure Managed Redis left", () => {
    expect(copy.git("status", "--porcelain")).toBe("");
    const source = readFileSync(path.join(copy.dir, "infra", "network.ts"), "utf8");
    expect(source).toContain("cacheContract.port");
    expect(run.registrations.filter((r) => r.type.startsWith("azure-native:redisenterprise:"))).toEqual([]);
    expect(registered("azure-native:redis:Redis", "redis-cache")["publicNetworkAccess"]).toBe("Enabled");
  });

  test("the private endpoints' NSG lets the nodes reach 6380, not 10000", () => {
    const rules = registered("azure-native:network:NetworkSecurityGroup", "network-private-endpoints-nsg")[
      "securityRules"
    ] as Record<string, unknown>[];
    expect(
      rules.find((rule) => rule["name"] === "allow-redis-from-nodes")?.["destinationPortRanges"],
    ).toEqual(["6380"]);
  });

  test("the apps' NetworkPolicies open 6380, and no HTTPS egress to Entra ID (no token to fetch)", () => {
    const egress = registered("kubernetes:networking.k8s.io/v1:NetworkPolicy", "main-api-egress")["spec"][
      "egress"
    ] as {
      ports: { port: number }[];
    }[];
    const ports = egress.flatMap((rule) => rule.ports.map((port) => port.port));
    expect(ports).toContain(6380);
    expect(ports).not.toContain(10000);
    expect(ports).not.toContain(443);
  });

  test("the apps' settings say port 6380 over TLS", () => {
    const data = registered("kubernetes:core/v1:ConfigMap", "main-api-config")["data"] as Record<
      string,
      string
    >;
    expect(data).toMatchObject({ REDIS_PORT: "6380", REDIS_SCHEME: "tls" });
  });

  test("every child type of the new cache is checked by a policy", async () => {
    expect(await uncheckedDataTypes(run.registrations)).toEqual([]);
  });

  test("the plan view that does not know the new cache yet is named (docs/changing.md, step 6)", () => {
    expect(unviewedDataTypes(run.registrations)).toEqual([
      "platform:azure:RedisCache: azure-native:redis:Redis shows no input in cli/plan-view/review.ts",
      "platform:azure:RedisCache: azure-native:redis:Redis has no typical minutes in cli/plan-view/graph.ts",
    ]);
  });

  test("plan --policy refuses the public cache that takes keys, with the policy's messages", () => {
    const { code, stderr } = policyRun;
    expect(code).toBe(1);
    expect(stderr).toContain(
      [
        "acceptance: 2 violation(s) of the security baseline:",
        '  [redis-private-entra-tls] Redis redis-cache: publicNetworkAccess must be "Disabled", found "Enabled"',
        "  [redis-private-entra-tls] Redis redis-cache: disableAccessKeyAuthentication must be true, found false",
      ].join("\n"),
    );
  });
});
