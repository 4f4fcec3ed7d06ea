import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { isSecret, type ProgramRun, type Registration } from "../engine/mock-engine";
import { ofType, only, root, runIsolated, runStack, stackConfig } from "../test/program";
import { baselinePolicies, types } from "./baseline";
import { evaluatePolicies } from "./evaluate";

const digest = (char: string) => `sha256:${char.repeat(64)}`;
/** Production after a promotion (as in index.test.ts): every app pinned to what acceptance ran. */
const productionConfig = () => ({
  ...stackConfig("production"),
  "platform:images": JSON.stringify({
    "main-api": { tag: "1.4.0", digest: digest("a") },
    web: { tag: "2.0.1", digest: digest("b") },
    "customer-api": { tag: "0.9.3", digest: digest("c") },
  }),
});

async function runBootstrap(): Promise<ProgramRun> {
  const config = stackConfig(
    "shared",
    readFileSync(path.join(root, "bootstrap", "Pulumi.shared.yaml"), "utf8"),
  );
  const cwd = process.cwd();
  process.chdir(path.join(root, "bootstrap"));
  try {
    return await runIsolated(() => import("../bootstrap/index"), { stack: "shared", config });
  } finally {
    process.chdir(cwd);
  }
}

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  runs["acceptance"] = await runStack("acceptance");
  runs["production"] = await runStack("production", productionConfig());
  runs["bootstrap"] = await runBootstrap();
}, 120_000);

const messages = async (registrations: readonly Registration[]) =>
  (await evaluatePolicies(baselinePolicies, registrations)).map((violation) => violation.message);

/** The run's registrations with `change` applied to the inputs of the one of `type` (and `name`). */
function mutated(
  run: ProgramRun,
  type: string,
  name: string | undefined,
  change: (inputs: Record<string, any>) => void,
): Registration[] {
  const target = only(run, type, name);
  return run.registrations.map((registration) => {
    if (registration !== target) return registration;
    const inputs = structuredClone(registration.inputs) as Record<string, any>;
    change(inputs);
    return { ...registration, inputs };
  });
}

describe.each(["acceptance", "production", "bootstrap"])("the %s stack as shipped", (stack) => {
  test("passes every policy of the baseline", async () => {
    expect(await messages(runs[stack]!.registrations)).toEqual([]);
  });
});

test("the policies see the resources they guard in the real runs", () => {
  const acceptance = runs["acceptance"]!;
  // The registry is the bootstrap's; classic Redis is the offering a swap may bring back (test/cache-swap.test.ts).
  for (const type of Object.values(types).filter(
    (type) => type !== types.registry && type !== types.classicRedis,
  ))
    expect(acceptance.registrations.some((registration) => registration.type === type)).toBe(true);
  expect(only(acceptance, types.randomPassword, "mysql-admin-password")).toBeDefined();
  expect(only(runs["bootstrap"]!, types.registry)).toBeDefined();
});

const cluster = (run: ProgramRun) => only(run, types.managedCluster).name;

describe.each(["acceptance", "production"])("%s: each rule refuses its violation", (stack) => {
  const run = () => runs[stack]!;

  test.each([
    [
      "local accounts",
      (inputs: Record<string, any>) => (inputs["disableLocalAccounts"] = false),
      (name: string) => `ManagedCluster ${name}: disableLocalAccounts must be true, found false`,
    ],
    [
      "no authorized ranges",
      (inputs: Record<string, any>) => (inputs["apiServerAccessProfile"] = {}),
      (name: string) =>
        `ManagedCluster ${name}: apiServerAccessProfile.authorizedIPRanges must list the addresses allowed to reach the API server (or enablePrivateCluster must be true), found nothing`,
    ],
    [
      "the whole internet",
      (inputs: Record<string, any>) =>
        (inputs["apiServerAccessProfile"] = { authorizedIPRanges: ["0.0.0.0/0"] }),
      (name: string) =>
        `ManagedCluster ${name}: apiServerAccessProfile.authorizedIPRanges must not contain 0.0.0.0/0`,
    ],
    [
      "Kubernetes RBAC instead of Azure RBAC",
      (inputs: Record<string, any>) => (inputs["aadProfile"]["enableAzureRBAC"] = false),
      (name: string) => `ManagedCluster ${name}: aadProfile.enableAzureRBAC must be true, found false`,
    ],
    [
      "no Azure Policy add-on",
      (inputs: Record<string, any>) => delete inputs["addonProfiles"]["azurepolicy"],
      (name: string) =>
        `ManagedCluster ${name}: addonProfiles.azurepolicy.enabled must be true, found nothing`,
    ],
    [
      "no Defender",
      (inputs: Record<string, any>) => delete inputs["securityProfile"]["defender"],
      (name: string) =>
        `ManagedCluster ${name}: securityProfile.defender must be set with securityMonitoring.enabled true, found nothing`,
    ],
  ])("AKS: %s", async (_case, change, message) => {
    expect(await messages(mutated(run(), types.managedCluster, undefined, change))).toEqual([
      message(cluster(run())),
    ]);
  });

  test("a private cluster needs no authorized ranges", async () => {
    const registrations = mutated(run(), types.managedCluster, undefined, (inputs) => {
      inputs["apiServerAccessProfile"] = { enablePrivateCluster: true };
    });
    expect(await messages(registrations)).toEqual([]);
  });

  test("MySQL: public network access", async () => {
    const registrations = mutated(run(), types.mysqlServer, undefined, (inputs) => {
      inputs["network"]["publicNetworkAccess"] = "Enabled";
    });
    expect(await messages(registrations)).toEqual([
      'Server mysql-server: network.publicNetworkAccess must be "Disabled", found "Enabled"',
    ]);
  });

  test("MySQL: require_secure_transport OFF (or its Configuration gone)", async () => {
    const off = mutated(run(), types.mysqlConfiguration, "mysql-require-secure-transport", (inputs) => {
      inputs["value"] = "OFF";
    });
    const gone = run().registrations.filter((r) => r.name !== "mysql-require-secure-transport");
    const expected = ["Server mysql-server: no Configuration sets require_secure_transport to ON"];
    expect(await messages(off)).toEqual(expected);
    expect(await messages(gone)).toEqual(expected);
  });

  test.each([
    [
      types.redisDatabase,
      "accessKeysAuthentication",
      "Enabled",
      'Database redis-database: accessKeysAuthentication must be "Disabled", found "Enabled"',
    ],
    [
      types.redisDatabase,
      "clientProtocol",
      "Plaintext",
      'Database redis-database: clientProtocol must be "Encrypted", found "Plaintext"',
    ],
    [
      types.redisCluster,
      "publicNetworkAccess",
      "Enabled",
      'RedisEnterprise redis-cluster: publicNetworkAccess must be "Disabled", found "Enabled"',
    ],
  ])("Redis: %s %s", async (type, key, value, message) => {
    expect(await messages(mutated(run(), type, undefined, (inputs) => (inputs[key] = value)))).toEqual([
      message,
    ]);
  });

  test("Redis: an access policy assignment other than default, or without an identity", async () => {
    const [first] = ofType(run(), types.redisAccessPolicyAssignment);
    const registrations = mutated(run(), types.redisAccessPolicyAssignment, first!.name, (inputs) => {
      inputs["accessPolicyName"] = "admin";
      inputs["user"] = {};
    });
    expect(await messages(registrations)).toEqual([
      `AccessPolicyAssignment ${first!.name}: accessPolicyName must be "default", found "admin"`,
      `AccessPolicyAssignment ${first!.name}: user.objectId must name an identity, found nothing`,
    ]);
  });

  test("MySQL: an app's database that is not protected", async () => {
    const [first] = ofType(run(), types.mysqlDatabase);
    const registrations = run().registrations.map((registration) =>
      registration === first ? { ...registration, protect: false } : registration,
    );
    expect(await messages(registrations)).toEqual([
      `Database ${first!.name}: must be protected (protect: true), found false`,
    ]);
  });

  test("private DNS: auto-registration, an unlinked zone, a zone group without a zone", async () => {
    const withRegistration = mutated(run(), types.privateZoneLink, "redis-zone-link", (inputs) => {
      inputs["registrationEnabled"] = true;
    });
    expect(await messages(withRegistration)).toEqual([
      "VirtualNetworkLink redis-zone-link: registrationEnabled must be false; auto-registration would write the network's machines into the service's zone",
    ]);
    const zone = only(run(), types.privateZone, "redis-zone");
    const unlinked = run().registrations.filter((registration) => registration.name !== "redis-zone-link");
    expect(await messages(unlinked)).toEqual([
      `PrivateZone redis-zone: no VirtualNetworkLink links ${JSON.stringify(zone.inputs["privateZoneName"])} to a virtual network; the cluster would resolve the service's public name`,
    ]);
    const noZone = mutated(run(), types.privateDnsZoneGroup, "redis-endpoint-dns", (inputs) => {
      inputs["privateDnsZoneConfigs"] = [];
    });
    expect(await messages(noZone)).toEqual([
      "PrivateDnsZoneGroup redis-endpoint-dns: privateDnsZoneConfigs must name a privateDnsZoneId, found []",
    ]);
  });

  test("diagnostics: a setting without the workspace, or sending nothing", async () => {
    const registrations = mutated(run(), types.diagnosticSetting, "redis-logs", (inputs) => {
      delete inputs["workspaceId"];
      inputs["logs"] = [{ categoryGroup: "allLogs", enabled: false }];
    });
    expect(await messages(registrations)).toEqual([
      "DiagnosticSetting redis-logs: workspaceId must name the Log Analytics workspace, found nothing",
      "DiagnosticSetting redis-logs: no logs or metrics enabled; it would send nothing",
    ]);
  });

  test("a subnet without a network security group", async () => {
    const registrations = mutated(run(), types.subnet, "network-nodes", (inputs) => {
      delete inputs["networkSecurityGroup"];
    });
    expect(await messages(registrations)).toEqual([
      "Subnet network-nodes: networkSecurityGroup.id must be set, found nothing",
    ]);
  });

  test("an app Secret with the MySQL administrator password, as stringData or data", async () => {
    const password = only(run(), types.mysqlServer).inputs["administratorLoginPassword"] as { value: string };
    expect(password).toMatchObject({ value: expect.any(String) });
    const asStringData = mutated(run(), types.kubernetesSecret, "main-api-secrets", (inputs) => {
      // stringData is a secret on the wire: the policy sees through it, as Pulumi's analyzer does.
      expect(isSecret(inputs["stringData"])).toBe(true);
      inputs["stringData"].value.DB_PASSWORD = password.value;
    });
    const asData = mutated(run(), types.kubernetesSecret, "main-api-secrets", (inputs) => {
      inputs["data"] = { MYSQL_PWD: Buffer.from(password.value).toString("base64") };
    });
    expect(await messages(asStringData)).toEqual([
      "Secret apps/main-api-secrets: stringData.DB_PASSWORD holds the MySQL administrator password; only the Secret in namespace mysql-users may",
    ]);
    expect(await messages(asData)).toEqual([
      "Secret apps/main-api-secrets: data.MYSQL_PWD holds the MySQL administrator password; only the Secret in namespace mysql-users may",
    ]);
  });

  test("the RandomPassword's result counts as the administrator password too (known after an update)", async () => {
    const registrations = mutated(run(), types.randomPassword, "mysql-admin-password", (inputs) => {
      inputs["result"] = "another-admin-password";
    }).map((registration) =>
      registration.name === "main-api-secrets"
        ? { ...registration, inputs: { ...registration.inputs, stringData: { X: "another-admin-password" } } }
        : registration,
    );
    expect(await messages(registrations)).toEqual([
      "Secret apps/main-api-secrets: stringData.X holds the MySQL administrator password; only the Secret in namespace mysql-users may",
    ]);
  });

  test("no private endpoint to the registry (removed, or pointed at another sub-resource)", async () => {
    const expected = [
      `ManagedCluster ${cluster(run())}: no PrivateEndpoint with groupIds ["registry"]; its nodes would pull images over the internet`,
    ];
    const gone = run().registrations.filter((r) => r.name !== "registry-pull-endpoint");
    const elsewhere = mutated(run(), types.privateEndpoint, "registry-pull-endpoint", (inputs) => {
      inputs["privateLinkServiceConnections"][0].groupIds = ["registry_data_westeurope"];
    });
    expect(await messages(gone)).toEqual(expected);
    expect(await messages(elsewhere)).toEqual(expected);
  });

  const webHost = () => (stack === "acceptance" ? "acceptance.example.com" : "www.example.com");

  test.each<[string, (inputs: Record<string, any>) => void, () => string]>([
    [
      "without spec.tls",
      (inputs) => delete inputs["spec"]["tls"],
      () =>
        `Ingress apps/web: host "${webHost()}" has no spec.tls entry with a secretName; NGINX would serve its self-signed default certificate`,
    ],
    [
      "with a tls entry that names no secret",
      (inputs) => delete inputs["spec"]["tls"][0]["secretName"],
      () =>
        `Ingress apps/web: host "${webHost()}" has no spec.tls entry with a secretName; NGINX would serve its self-signed default certificate`,
    ],
    [
      "with a rule for every host name",
      (inputs) => delete inputs["spec"]["rules"][0]["host"],
      () => "Ingress apps/web: a rule without host answers every name; it cannot have a certificate",
    ],
    [
      "without the issuer annotation",
      (inputs) => delete inputs["metadata"]["annotations"],
      () =>
        "Ingress apps/web: nothing issues the certificate of its spec.tls secret; annotate it with cert-manager.io/cluster-issuer naming an ACME ClusterIssuer (or kubernetes.azure.com/tls-cert-keyvault-uri with a Key Vault certificate)",
    ],
    [
      "naming an issuer the stack does not have",
      (inputs) => (inputs["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] = "letsencrypt"),
      () =>
        'Ingress apps/web: cert-manager.io/cluster-issuer names "letsencrypt", which is no ClusterIssuer of this stack',
    ],
  ])("a public Ingress %s serves no trusted certificate", async (_case, change, message) => {
    expect(await messages(mutated(run(), types.ingress, "web", change))).toEqual([message()]);
  });

  test.each<[string, (inputs: Record<string, any>) => void, string]>([
    [
      "Let's Encrypt's staging directory",
      (inputs) =>
        (inputs["spec"]["acme"]["server"] = "https://acme-staging-v02.api.letsencrypt.org/directory"),
      'ClusterIssuer acme: spec.acme.server must be the https URL of an ACME directory whose certificates browsers trust, found "https://acme-staging-v02.api.letsencrypt.org/directory"',
    ],
    [
      "a self-signed issuer",
      (inputs) => (inputs["spec"] = { selfSigned: {} }),
      'ClusterIssuer acme: spec.acme must be set (an ACME certificate authority), found {"selfSigned":{}}',
    ],
  ])("the Ingresses' issuer as %s, reported once", async (_case, change, message) => {
    expect(await messages(mutated(run(), types.clusterIssuer, "acme", change))).toEqual([message]);
  });

  test("a certificate from Key Vault (the app routing add-on's annotation) passes too", async () => {
    const registrations = mutated(run(), types.ingress, "web", (inputs) => {
      inputs["metadata"]["annotations"] = {
        "kubernetes.azure.com/tls-cert-keyvault-uri": "https://kv-platform.vault.azure.net/certificates/web",
      };
    });
    expect(await messages(registrations)).toEqual([]);
  });

  test("an app Secret with a Redis key", async () => {
    const registrations = mutated(run(), types.kubernetesSecret, "main-api-secrets", (inputs) => {
      inputs["stringData"] = { REDIS_PASSWORD: "x" };
    });
    expect(await messages(registrations)).toEqual([
      "Secret apps/main-api-secrets: stringData.REDIS_PASSWORD is named like a Redis key or password; Redis takes Entra tokens only",
    ]);
  });
});

test.each([
  ["adminUserEnabled", true, "Registry registry-registry: adminUserEnabled must be false, found true"],
  ["anonymousPullEnabled", true, "Registry registry-registry: anonymousPullEnabled must not be true"],
])("bootstrap: the registry with %s %s", async (key, value, message) => {
  const registrations = mutated(
    runs["bootstrap"]!,
    types.registry,
    undefined,
    (inputs) => (inputs[key] = value),
  );
  expect(await messages(registrations)).toEqual([message]);
});

test("the pack Pulumi loads (CI's `policyPacks: policy`) runs the compiled entry and has a version", () => {
  const project = parse(readFileSync(path.join(root, "policy", "PulumiPolicy.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  expect(project).toMatchObject({
    main: "program.js",
    runtime: { name: "nodejs", options: { typescript: false } },
  });
  expect(readFileSync(path.join(root, "policy", "program.js"), "utf8")).toContain('"policy", "index.js"');
  const manifest = JSON.parse(readFileSync(path.join(root, "policy", "package.json"), "utf8")) as {
    version?: string;
  };
  expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
});
