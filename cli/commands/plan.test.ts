import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { ProgramRun } from "../../engine/mock-engine";
import { root, runStack } from "../../test/program";
import { projectCopy, promotedProductionStackFile } from "../../test/project-copy";
import { runCli } from "../../test/run-cli";
import { criticalPath, dependencyGraph, waitsOn } from "../plan-view/graph";
import { environmentList, upstreamOf } from "../../test/pipeline-names";

const env = { PATH: process.env["PATH"] ?? "" };

describe("platform plan", () => {
  test("acceptance --policy: the whole platform, three image builds, workloads pinned to the pushed digests, and the security baseline passed", async () => {
    const { code, stdout, stderr } = await runCli(["plan", "acceptance", "--policy"], root, env);
    // The shipped API server range is a placeholder: the plan names where to fill in the real
    // ones, and goes on (pulumi preview and up refuse it: environments/placeholder-ranges.test.ts).
    expect([code, stderr]).toEqual([
      0,
      "WARNING: environments/acceptance.ts:17: environments.acceptance.cluster.authorizedIpRanges[0]: '203.0.113.0/28' is a documentation range (203.0.113.0/24, TEST-NET-3, RFC 5737), a placeholder; replace it with the static egress ranges of the runners that deploy and preview acceptance and of its operators (docs/deploying.md, step 2). pulumi preview and pulumi up refuse it (docs/decisions/0035).\n",
    ]);
    expect(stdout).toMatch(/^ {4}3 docker-build:index:Image$/m);
    expect(stdout).toMatch(/^ {4}1 azure-native:containerservice:ManagedCluster$/m);
    // The registry is the bootstrap stack's: the environment only lets its kubelet pull.
    expect(stdout).not.toContain("azure-native:containerregistry:Registry");
    expect(stdout).toContain(
      "  + azure-native:authorization:RoleAssignment registry-pull-kubelet\n      role: acrPull\n",
    );
    // The release tag and the tag naming its source (docs/decisions/0030).
    expect(stdout).toMatch(
      /^ {6}tags: \["contosoplatformacr\.azurecr\.io\/main-api:1\.4\.0","contosoplatformacr\.azurecr\.io\/main-api:1\.4\.0--src\.[0-9a-f]{12}"\]$/m,
    );
    expect(stdout).toMatch(/ {6}image: contosoplatformacr\.azurecr\.io\/web:2\.0\.1@sha256:[0-9a-f]{64}\n/);
    expect(stdout).toContain("      sku.tier: Free");
    // Secrets never print.
    expect(stdout).toMatch(/ {6}stringData: \[secret [0-9a-f]{8}\]/);
    expect(stdout).not.toContain("mock-password");
    expect(stdout).toMatch(/security baseline: \d+ policies, no violation\n$/);
  });

  test("--json with --graph is refused before any plan runs: the graph is Mermaid, not JSON", async () => {
    expect(await runCli(["plan", "acceptance", "--json", "--graph"], root, env)).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: --json and --graph cannot be combined: --graph prints Mermaid text, not JSON; run plan --json for the plan as JSON, or plan --graph for the graph\n",
    });
  });

  test("production --json: no image build, the stack file's tag@digest references, the zone-redundant database", async () => {
    const copy = projectCopy({ "Pulumi.production.yaml": promotedProductionStackFile });
    const { code, stdout } = await runCli(["plan", "production", "--json"], copy.dir, env).finally(() =>
      copy.remove(),
    );
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as {
      stack: string;
      counts: Record<string, number>;
      outputs: { images: Record<string, { image: string }> };
    };
    expect(plan.stack).toBe("production");
    expect(plan.counts["docker-build:index:Image"]).toBeUndefined();
    expect(plan.counts["kubernetes:apps/v1:Deployment"]).toBe(4);
    expect(plan.counts["azure-native:containerregistry:Registry"]).toBeUndefined();
    expect(plan.outputs.images["web"]!.image).toBe(
      "contosoplatformacr.azurecr.io/web:2.0.1@sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
    );
    expect(stdout).toContain('"highAvailability.mode": "ZoneRedundant"');
  });

  test("--policy: a program that breaks the baseline fails with every violation", async () => {
    // The cache's contract says keys: the component then enables them (decision 0057).
    const contract = readFileSync(path.join(root, "infra", "redis-cache.contract.ts"), "utf8");
    expect(contract).toContain('  signIn: "entra-token",\n');
    const copy = projectCopy({
      "infra/redis-cache.contract.ts": contract.replace(
        '  signIn: "entra-token",\n',
        '  signIn: "access-key",\n',
      ),
    });
    const { code, stderr } = await runCli(["plan", "acceptance", "--policy"], copy.dir, env).finally(() =>
      copy.remove(),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      'acceptance: 1 violation(s) of the security baseline:\n  [redis-private-entra-tls] Database redis-database: accessKeysAuthentication must be "Disabled", found "Enabled"',
    );
  });

  test("--graph: Mermaid text, the data services in parallel, and the critical path", async () => {
    const { code, stdout } = await runCli(["plan", "production", "--graph"], root, env);
    expect(code).toBe(0);
    expect(stdout.startsWith("graph LR\n")).toBe(true);
    expect(stdout).toContain(
      "%% created in parallel (no path between them): azure-native:redisenterprise:RedisEnterprise redis-cluster, azure-native:dbformysql:Server mysql-server, azure-native:containerservice:ManagedCluster aks-cluster",
    );
    expect(stdout).toMatch(/%% critical path of a from-scratch pulumi up: about \d+ minutes\n(%% {3}.+\n)+$/);
  });

  describe("bad input: a message that says what to fix, a non-zero exit", () => {
    test("an unknown environment", async () => {
      expect(await runCli(["plan", "staging"], root, env)).toEqual({
        code: 2,
        stdout: "",
        stderr: `error: unknown environment 'staging'; expected one of ${environmentList}\n`,
      });
    });

    test("an invalid stack file, before the program runs", async () => {
      const copy = projectCopy();
      try {
        writeFileSync(
          path.join(copy.dir, "Pulumi.production.yaml"),
          "config:\n  azure-native:location: westeurope\n  platform:images:\n    web: { tag: 2.0.1 }\n",
        );
        const { code, stderr } = await runCli(["plan", "production"], copy.dir, env);
        expect(code).toBe(2);
        expect(stderr).toBe(
          `error: Pulumi.production.yaml is not valid:\n  - platform:images.web.digest: missing; production does not build images and deploys only tag@digest (copy it with: platform promote ${upstreamOf("production")} production --app web)\n`,
        );
      } finally {
        copy.remove();
      }
    });

    test("a program that throws: its message, no stack trace", async () => {
      const copy = projectCopy();
      try {
        writeFileSync(
          path.join(copy.dir, "index.ts"),
          'throw new Error("the subnet layout does not fit");\n',
        );
        const { code, stderr } = await runCli(["plan", "acceptance"], copy.dir, env);
        expect(code).toBe(1);
        expect(stderr).toBe("error: the program failed for acceptance: the subnet layout does not fit\n");
      } finally {
        copy.remove();
      }
    });

    test("a program that waits forever: stopped in time, naming the resource that waits", async () => {
      const copy = projectCopy();
      try {
        writeFileSync(
          path.join(copy.dir, "index.ts"),
          [
            'import * as pulumi from "@pulumi/pulumi";',
            'import * as resources from "@pulumi/azure-native/resources";',
            "const never = pulumi.output(new Promise<string>(() => undefined));",
            'new resources.ResourceGroup("stuck", { location: never });',
            "",
          ].join("\n"),
        );
        const { code, stderr } = await runCli(["plan", "acceptance"], copy.dir, {
          ...env,
          PLATFORM_PLAN_TIMEOUT_SECONDS: "3",
        });
        expect(code).toBe(1);
        expect(stderr).toBe(
          "error: the program failed for acceptance: the program did not finish within 3 s; still waiting: azure-native:resources:ResourceGroup stuck\n",
        );
      } finally {
        copy.remove();
      }
    });
  });
});

describe("the dependency graph", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("acceptance");
  });

  test("the cluster, the database and the cache have no path between them", () => {
    const graph = dependencyGraph(run);
    const urn = (type: string) => run.registrations.find((r) => r.type === type)!.urn;
    const services = [
      urn("azure-native:containerservice:ManagedCluster"),
      urn("azure-native:dbformysql:Server"),
      urn("azure-native:redisenterprise:RedisEnterprise"),
    ];
    for (const a of services)
      for (const b of services) if (a !== b) expect([a, b, waitsOn(graph, a, b)]).toEqual([a, b, false]);
    // ...and main-api, which uses all three, waits for each of them.
    const api = run.registrations.find(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "main-api",
    )!.urn;
    for (const service of services) expect([service, waitsOn(graph, api, service)]).toEqual([service, true]);
  });

  test("the critical path of a first deployment runs through the cache, the slowest to create", () => {
    const { path: chain, minutes } = criticalPath(run);
    expect(chain.map((urn) => urn.split("::").pop())).toContain("redis-cluster");
    expect(minutes).toBeGreaterThanOrEqual(20);
  });
});
