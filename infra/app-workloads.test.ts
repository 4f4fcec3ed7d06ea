import {
  environmentObjects,
  resolveDeployTimeValues,
  sortObjects,
} from "../apps/manifests/environment-objects";
import type { KubeObject } from "../apps/manifests/kube-object";
import { parseStackConfig } from "../stack-config/schema";
import { emptyWorld, isSecret, type ProgramRun, type Registration } from "../engine/mock-engine";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { fakeOutputs, ofType, runIsolated, runStack, stackConfig } from "../test/program";
import { deployTimeValueNames } from "../apps/manifests/deploy-time-values";
import { redisCacheFakes } from "./redis-cache.mock";
import { promotedProductionStackFile } from "../test/project-copy";

/** The stack files: acceptance as shipped, production after a promotion (it ships with no app). */
const stackFiles: Record<string, string> = {
  acceptance: readFileSync("Pulumi.acceptance.yaml", "utf8"),
  production: promotedProductionStackFile,
};
const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  runs["acceptance"] = await runStack("acceptance");
  runs["production"] = await runStack("production", stackConfig("production", stackFiles["production"]));
});

/** Removes Pulumi's secret wrappers, keeping the values. */
function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

/** The Kubernetes objects of the AppWorkloads component (not cert-manager's install). */
const kubernetes = (run: ProgramRun): Registration[] =>
  run.registrations.filter(
    (r) =>
      r.type.startsWith("kubernetes:") &&
      r.custom &&
      r.parent?.endsWith("::platform:apps:AppWorkloads::workloads"),
  );
const deployment = (run: ProgramRun, name: string): any =>
  kubernetes(run).find((r) => r.inputs["kind"] === "Deployment" && r.name === name)!.inputs;

/** A generated password's value, as the mock provider made it. */
const password = (run: ProgramRun, name: string): string => {
  const registration = ofType(run, "random:index/randomPassword:RandomPassword").find(
    (r) => r.name === name,
  )!;
  return fakeOutputs(registration)["result"] as string;
};
/** An app's managed identity as Azure reports it (with its client and principal ids). */
const identity = (run: ProgramRun, app: string): Record<string, string> => {
  const registration = ofType(run, "azure-native:managedidentity:UserAssignedIdentity").find(
    (r) => r.name === `identities-${app}`,
  )!;
  return fakeOutputs(registration) as Record<string, string>;
};

const key = (object: { kind: string; metadata: { name: string } }) =>
  `${object.kind}/${object.metadata.name}`;

describe.each(["acceptance", "production"])("%s workloads", (stack) => {
  const run = () => runs[stack]!;

  test("the registered Kubernetes objects are exactly what `platform render` prints, with the deploy-time values filled in", () => {
    const file = parse(stackFiles[stack]!) as { config: Record<string, unknown> };
    const config = parseStackConfig(stack, file.config);
    const rendered = environmentObjects(config, "contosoplatformacr.azurecr.io");
    const server = run().registrations.find((r) => r.type === "azure-native:dbformysql:Server")!;
    const images = run().outputs["images"] as Record<string, { digest: string }>;
    const expected = resolveDeployTimeValues(rendered, {
      "mysql.host": run().outputs["databaseHost"] as string,
      "mysql.admin.username": "platformadmin",
      "mysql.admin.password": reveal(server.inputs["administratorLoginPassword"]) as string,
      "redis.host": run().outputs["cacheHost"] as string,
      ...Object.fromEntries(
        ["main-api", "web", "customer-api"].flatMap((app): [string, string][] => [
          ...(app === "web"
            ? []
            : [
                [
                  `mysql.${app}.password`,
                  password(run(), `mysql-user-${app.replace("-", "_")}-password`),
                ] as [string, string],
              ]),
          [`identity.${app}.clientId`, identity(run(), app)["clientId"]!],
          [`identity.${app}.principalId`, identity(run(), app)["principalId"]!],
        ]),
      ),
      ...Object.fromEntries(
        Object.entries(images).map(([app, image]) => [`image.${app}.digest`, image.digest]),
      ),
    });
    const registered = sortObjects(kubernetes(run()).map((r) => reveal(r.inputs) as KubeObject));
    expect(registered.map(key)).toEqual(expected.map(key));
    expect(registered).toEqual(expected);
  });

  test("every object goes through the cluster's provider", () => {
    const provider = run().registrations.find((r) => r.type === "pulumi:providers:kubernetes")!;
    const providers = new Set(kubernetes(run()).map((r) => r.provider?.split("::").slice(0, -1).join("::")));
    expect([...providers]).toEqual([provider.urn]);
  });

  test("only Secrets hold secret values, so a preview shows every other change", () => {
    for (const registration of kubernetes(run())) {
      const secretFields = Object.entries(registration.inputs)
        .filter(([, value]) => isSecret(value))
        .map(([field]) => field);
      expect([registration.name, secretFields]).toEqual([
        registration.name,
        registration.inputs["kind"] === "Secret" ? ["stringData"] : [],
      ]);
    }
  });

  test("each app's migration Job finishes before its Deployments and CronJobs roll", () => {
    const workload = (kind: string, name: string) =>
      kubernetes(run()).find((r) => r.inputs["kind"] === kind && r.name === name)!;
    const job = workload("Job", "main-api-migrate-1-4-0");
    for (const [kind, name] of [
      ["Deployment", "main-api"],
      ["Deployment", "main-api-queue"],
      ["CronJob", "main-api-scheduler"],
    ]) {
      expect(workload(kind!, name!).dependencies).toContain(job.urn);
    }
    expect(workload("Deployment", "web").dependencies).not.toContain(job.urn);
    expect(workload("Deployment", "customer-api").dependencies).toContain(
      workload("Job", "customer-api-migrate-0-9-3").urn,
    );
  });

  test("a migration Job starts only once its settings, secrets, service account and network policies exist", () => {
    const urnOf = (kind: string, name: string) =>
      kubernetes(run()).find((r) => r.inputs["kind"] === kind && r.name === name)!.urn;
    const job = kubernetes(run()).find(
      (r) => r.inputs["kind"] === "Job" && r.name === "main-api-migrate-1-4-0",
    )!;
    for (const [kind, name] of [
      ["ConfigMap", "main-api-config"],
      ["Secret", "main-api-secrets"],
      ["ServiceAccount", "main-api"],
      ["NetworkPolicy", "main-api-egress"],
      ["NetworkPolicy", "default-deny"],
      ["NetworkPolicy", "allow-dns"],
    ] as const) {
      expect([kind, name, job.dependencies.includes(urnOf(kind, name))]).toEqual([kind, name, true]);
    }
    expect(job.dependencies).not.toContain(urnOf("ConfigMap", "web-config"));
  });

  test("the namespace, and so every workload, waits for the registry's pull permission and the apps' node pool", () => {
    const namespace = kubernetes(run()).find((r) => r.inputs["kind"] === "Namespace")!;
    const pull = run().registrations.find((r) => r.name === "registry-pull-kubelet")!;
    const pool = run().registrations.find((r) => r.type === "azure-native:containerservice:AgentPool")!;
    expect(namespace.dependencies).toContain(pull.urn);
    expect(namespace.dependencies).toContain(pool.urn);
  });

  test("the ClusterIssuer waits for cert-manager's release (its CRDs and webhook); nothing else does", () => {
    const release = run().registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    const waiting = kubernetes(run()).filter((r) => r.dependencies.includes(release.urn));
    expect(waiting.map((r) => [r.type, r.name])).toEqual([
      ["kubernetes:cert-manager.io/v1:ClusterIssuer", "acme"],
    ]);
  });
});

test("the objects' order does not change what waits for what", async () => {
  const file = parse(stackFiles["acceptance"]!) as { config: Record<string, unknown> };
  const config = parseStackConfig("acceptance", file.config);
  const objects = environmentObjects(config, "contosoplatformacr.azurecr.io");
  const values = Object.fromEntries(
    deployTimeValueNames(objects).map((token) => [token, `value of ${token}`]),
  );
  const waits = async (given: readonly KubeObject[]) => {
    const run = await runIsolated(async () => {
      const { AppWorkloads } = await import("./app-workloads");
      new AppWorkloads("workloads", { objects: given, deployTimeValues: values });
      return {};
    });
    const names = new Map(run.registrations.map((r) => [r.urn, `${r.type.split(":").pop()}/${r.name}`]));
    return Object.fromEntries(
      kubernetes(run).map((r): [string, string[]] => [
        names.get(r.urn)!,
        r.dependencies.map((urn) => names.get(urn)!).sort(),
      ]),
    );
  };
  const sorted = await waits(objects);
  expect(sorted["Deployment/main-api"]).toEqual(
    expect.arrayContaining(["ConfigMap/main-api-config", "Job/main-api-migrate-1-4-0"]),
  );
  expect(await waits([...objects].reverse())).toEqual(sorted);
});

/** A build's tags: the release tag and the tag naming its source (docs/decisions/0030). */
const withSourceTag = (reference: string): unknown[] => [
  reference,
  expect.stringMatching(/--src\.[0-9a-f]{12}$/),
];

test("acceptance builds the three images from their folders at their tags and deploys the pushed digests", () => {
  const builds = ofType(runs["acceptance"]!, "docker-build:index:Image");
  expect(builds.map((b) => [b.name, b.inputs["tags"], b.inputs["context"], b.inputs["push"]])).toEqual([
    [
      "images-main-api",
      withSourceTag("contosoplatformacr.azurecr.io/main-api:1.4.0"),
      { location: "apps/main-api" },
      true,
    ],
    ["images-web", withSourceTag("contosoplatformacr.azurecr.io/web:2.0.1"), { location: "apps/web" }, true],
    [
      "images-customer-api",
      withSourceTag("contosoplatformacr.azurecr.io/customer-api:0.9.3"),
      { location: "apps/customer-api" },
      true,
    ],
  ]);
  const images = runs["acceptance"]!.outputs["images"] as Record<
    string,
    { tag: string; digest: string; image: string }
  >;
  for (const [app, tag] of [
    ["main-api", "1.4.0"],
    ["web", "2.0.1"],
    ["customer-api", "0.9.3"],
  ] as const) {
    expect(images[app]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(images[app]!.image).toBe(`contosoplatformacr.azurecr.io/${app}:${tag}@${images[app]!.digest}`);
    expect(deployment(runs["acceptance"]!, app).spec.template.spec.containers[0].image).toBe(
      images[app]!.image,
    );
  }
});

test("acceptance pinned to a digest (a rollback) deploys that digest and builds nothing for that app", async () => {
  const pinned = `sha256:${"e".repeat(64)}`;
  const config = stackConfig("acceptance");
  const images = {
    ...(JSON.parse(config["platform:images"]!) as object),
    "main-api": { tag: "1.3.0", digest: pinned },
  };
  const rollback = await runStack("acceptance", { ...config, "platform:images": JSON.stringify(images) });
  expect(ofType(rollback, "docker-build:index:Image").map((b) => b.name)).toEqual([
    "images-web",
    "images-customer-api",
  ]);
  expect(deployment(rollback, "main-api").spec.template.spec.containers[0].image).toBe(
    `contosoplatformacr.azurecr.io/main-api:1.3.0@${pinned}`,
  );
});

test("production builds nothing and deploys exactly the tag@digest of its stack file", () => {
  expect(ofType(runs["production"]!, "docker-build:index:Image")).toEqual([]);
  expect(runs["production"]!.outputs["images"]).toEqual({
    "main-api": {
      tag: "1.4.0",
      digest: "sha256:3f2a9c1d7e4b5a6978c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2",
      image:
        "contosoplatformacr.azurecr.io/main-api:1.4.0@sha256:3f2a9c1d7e4b5a6978c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2",
    },
    web: {
      tag: "2.0.1",
      digest: "sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
      image:
        "contosoplatformacr.azurecr.io/web:2.0.1@sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
    },
    "customer-api": {
      tag: "0.9.3",
      digest: "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
      image:
        "contosoplatformacr.azurecr.io/customer-api:0.9.3@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
    },
  });
  expect(deployment(runs["production"]!, "web").spec.template.spec.containers[0].image).toBe(
    "contosoplatformacr.azurecr.io/web:2.0.1@sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
  );
});

describe.each(["acceptance", "production"])("%s: apps authenticate as themselves", (stack) => {
  const run = () => runs[stack]!;
  const apps = ["main-api", "web", "customer-api"];
  const object = (kind: string, name: string): KubeObject & Record<string, any> =>
    reveal(kubernetes(run()).find((r) => r.inputs["kind"] === kind && r.name === name)!.inputs) as KubeObject;

  test("each app's ServiceAccount carries the client id of its own managed identity", () => {
    const clientIds = apps.map((app) => object("ServiceAccount", app).metadata.annotations ?? {});
    expect(clientIds).toEqual(
      apps.map((app) => ({ "azure.workload.identity/client-id": identity(run(), app)["clientId"] })),
    );
    expect(new Set(clientIds.map((annotations) => JSON.stringify(annotations))).size).toBe(apps.length);
  });

  test("each identity trusts only its app's ServiceAccount tokens from this cluster's OIDC issuer", () => {
    const cluster = ofType(run(), "azure-native:containerservice:ManagedCluster")[0]!;
    const issuer = (fakeOutputs(cluster)["oidcIssuerProfile"] as any).issuerURL;
    expect(issuer).toMatch(/^https:\/\//);
    const credentials = ofType(run(), "azure-native:managedidentity:FederatedIdentityCredential");
    expect(
      credentials.map((c): unknown[] => [
        c.name,
        c.inputs["resourceName"],
        c.inputs["issuer"],
        c.inputs["subject"],
        c.inputs["audiences"],
      ]),
    ).toEqual(
      apps.map((app): unknown[] => [
        `identities-${app}-federation`,
        `id-platform-${stack}-${app}`,
        issuer,
        `system:serviceaccount:apps:${app}`,
        ["api://AzureADTokenExchange"],
      ]),
    );
  });

  test("no app's Secret holds the MySQL administrator's password or a Redis key", () => {
    const server = ofType(run(), "azure-native:dbformysql:Server")[0]!;
    const adminPassword = reveal(server.inputs["administratorLoginPassword"]) as string;
    expect(adminPassword).toMatch(/^mock-password-/);
    const redisKeys = Object.values(
      redisCacheFakes.calls!["azure-native:redisenterprise:listDatabaseKeys"]!({
        token: "azure-native:redisenterprise:listDatabaseKeys",
        inputs: { clusterName: "redis-cluster" },
        world: {
          ...emptyWorld,
          registryLogins: new Set(),
          registryImages: new Map(),
          dockerConfigFiles: {},
          registryTokens: {},
        },
      }),
    );
    const appSecrets = kubernetes(run()).filter(
      (r) => r.inputs["kind"] === "Secret" && (r.inputs["metadata"] as any).namespace === "apps",
    );
    expect(appSecrets.map((r) => r.name).sort()).toEqual(["customer-api-secrets", "main-api-secrets"]);
    for (const secret of appSecrets) {
      const values = Object.values((reveal(secret.inputs) as any).stringData as Record<string, string>);
      expect([secret.name, values.filter((value) => value.includes(adminPassword))]).toEqual([
        secret.name,
        [],
      ]);
      expect([
        secret.name,
        values.filter((value) => redisKeys.some((k) => value.includes(String(k)))),
      ]).toEqual([secret.name, []]);
      expect(Object.keys((reveal(secret.inputs) as KubeObject)["stringData"] as object)).not.toContain(
        "REDIS_PASSWORD",
      );
    }
    // Each MySQL app signs in as its own user with its own password.
    expect(object("Secret", "main-api-secrets").stringData).toMatchObject({
      DB_USERNAME: "main_api",
      DB_PASSWORD: password(run(), "mysql-user-main_api-password"),
    });
    expect(run().invocations.map((call) => call.token)).not.toContain(
      "azure-native:redisenterprise:listDatabaseKeys",
    );
  });

  test("the cache takes no access key, and each app that uses it gets the default access policy for its identity", () => {
    expect(
      ofType(run(), "azure-native:redisenterprise:Database")[0]!.inputs["accessKeysAuthentication"],
    ).toBe("Disabled");
    const assignments = ofType(run(), "azure-native:redisenterprise:AccessPolicyAssignment").map((a) => [
      a.name,
      a.inputs["accessPolicyName"],
      a.inputs["accessPolicyAssignmentName"],
      a.inputs["user"],
    ]);
    expect(assignments).toEqual([
      [
        "redis-access-main-api",
        "default",
        "mainapi",
        { objectId: identity(run(), "main-api")["principalId"] },
      ],
      ["redis-access-web", "default", "web", { objectId: identity(run(), "web")["principalId"] }],
    ]);
  });

  test("only the users' Job holds the administrator's password, and every workload of a MySQL app waits for it", () => {
    const server = ofType(run(), "azure-native:dbformysql:Server")[0]!;
    const users = object("Secret", "mysql-users");
    expect(users.metadata.namespace).toBe("mysql-users");
    expect(users.stringData.MYSQL_PWD).toBe(reveal(server.inputs["administratorLoginPassword"]));
    expect(users.stringData.USERS_SQL).toContain(
      `CREATE USER IF NOT EXISTS 'main_api'@'%' IDENTIFIED BY '${password(run(), "mysql-user-main_api-password")}';`,
    );
    expect(users.stringData.USERS_SQL).toContain("GRANT ALL ON `customer_api`.* TO 'customer_api'@'%';");
    const job = kubernetes(run()).find((r) => r.inputs["kind"] === "Job" && r.name === "mysql-users")!;
    const mysqlWorkloads = kubernetes(run()).filter(
      (r) =>
        ["Deployment", "Job", "CronJob"].includes(r.inputs["kind"] as string) &&
        /^(main-api|customer-api)(-|$)/.test(r.name),
    );
    expect(mysqlWorkloads.map((r) => r.name).sort()).toEqual([
      "customer-api",
      "customer-api-migrate-0-9-3",
      "main-api",
      "main-api-migrate-1-4-0",
      "main-api-queue",
      "main-api-scheduler",
    ]);
    for (const workload of mysqlWorkloads) {
      expect([workload.name, workload.dependencies.includes(job.urn)]).toEqual([workload.name, true]);
    }
    expect(object("Deployment", "web").metadata.annotations).toBeUndefined();
  });
});
