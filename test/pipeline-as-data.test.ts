/**
 * Environments and apps are data: a third environment is its settings file, its name in the
 * pipeline's list, its stack file; a fourth app is its folder and the catalog. These tests make
 * both changes in a throwaway copy of the program, run it under the mock engine, and check that
 * what depends on the lists follows them. The lists written outside TypeScript (workflows,
 * required checks, path filters) are checked against them, and each problem names its file.
 */
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { appNames, apps, databaseName } from "../apps/catalog";
import type { ProgramRun } from "../engine/mock-engine";
import { projectWorld } from "../engine/world";
import { environmentNames } from "../environments/settings";
import { pipelineListProblems } from "./pipeline-lists";
import { ofType, only, root, runIsolated, stackConfig } from "./program";
import { projectCopy } from "./project-copy";
import type { CliRun } from "./run-cli";

/** The path of a string-replaced file; fails when `from` is not in it, so the recipe stays true. */
function edit(dir: string, file: string, from: string, to: string): void {
  const text = readFileSync(path.join(dir, file), "utf8");
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}`);
  writeFileSync(path.join(dir, file), text.replace(from, to));
}

/** Runs a copy's program (its `index.ts`, or `bootstrap/index.ts` in its directory) under the mock engine. */
async function runCopy(dir: string, stack: string, config: Record<string, string>): Promise<ProgramRun> {
  if (stack !== "shared") {
    return runIsolated(() => import(path.join(dir, "index.ts")), {
      stack,
      config,
      world: projectWorld(dir, config),
    });
  }
  const cwd = process.cwd();
  process.chdir(path.join(dir, "bootstrap"));
  try {
    return await runIsolated(() => import(path.join(dir, "bootstrap", "index.ts")), { stack, config });
  } finally {
    process.chdir(cwd);
  }
}

const kubernetes = (run: ProgramRun, kind: string) =>
  run.registrations.filter((r) => r.type.startsWith("kubernetes:") && r.inputs["kind"] === kind);
const names = (registrations: readonly { readonly name: string }[]) =>
  registrations.map((r) => r.name).sort();

/** The databases of the catalog's apps that use MySQL, in catalog order. */
const mysqlDatabases = appNames.filter((app) => apps[app].uses.mysql).map(databaseName);

describe("the lists outside TypeScript", () => {
  test("the workflows, the required checks and the path filters follow environmentNames and appNames", () => {
    expect(pipelineListProblems(root, { environments: environmentNames, apps: appNames })).toEqual([]);
  });

  // The lists as the repository has them, and the same lists with one more or one fewer entry.
  const list = (items: readonly string[]) => `[${items.join(", ")}]`;
  const environments = list(environmentNames);

  test("a fourth app: no file outside TypeScript lists the apps; release intake asks the CLI", () => {
    expect(
      pipelineListProblems(root, { environments: environmentNames, apps: [...appNames, "billing-api"] }),
    ).toEqual([]);
  });

  test("a third environment before the last: each CI file that must learn it is named", () => {
    const last = environmentNames[environmentNames.length - 1]!;
    const before = environmentNames[environmentNames.length - 2]!;
    const withStaging = [...environmentNames.slice(0, -1), "staging", last];
    expect(pipelineListProblems(root, { environments: withStaging, apps: appNames })).toEqual([
      `.github/stack-filters.yml: filters for ${environments}, expected one per environment ${list(withStaging)}`,
      '.github/workflows/preview.yml: no job preview-staging named "preview (staging)"',
      ".github/workflows/preview.yml: the changes job has no output staging",
      ".github/workflows/preview.yml: no job runs `platform diff staging`",
      ".github/workflows/preview.yml: no job runs `platform gate staging`",
      '.github/required-checks.json: no "preview (staging)"',
      ".github/workflows/deploy.yml: no job deploy-staging",
      ".github/workflows/deploy.yml: the changes job has no output staging",
      `.github/workflows/deploy.yml: no job runs \`platform promote ${before} staging\``,
      `.github/workflows/deploy.yml: deploy-${last} does not wait for deploy-staging`,
      `.github/workflows/deploy.yml: no job runs \`platform promote staging ${last}\``,
      `.github/workflows/drift.yml: the matrix's stacks ${environments}, expected ${list(withStaging)}`,
    ]);
  });

  /**
   * A copy of the CI files with a third environment, staging, added to deploy.yml before the last
   * the way the successor of the change-cost review did (docs/changing.md): production's job
   * copied for staging, and production waiting for staging; `wire` finishes production's job.
   */
  function ciWithStaging(wire: (production: Record<string, unknown>) => void): string {
    const dir = mkdtempSync(path.join(tmpdir(), "platform-ci-"));
    cpSync(path.join(root, ".github"), path.join(dir, ".github"), { recursive: true });
    const file = path.join(dir, ".github", "workflows", "deploy.yml");
    const deploy = parse(readFileSync(file, "utf8")) as { jobs: Record<string, Record<string, unknown>> };
    const last = environmentNames[environmentNames.length - 1]!;
    const production = deploy.jobs[`deploy-${last}`]!;
    deploy.jobs["deploy-staging"] = JSON.parse(
      JSON.stringify(production).replaceAll(last, "staging"),
    ) as Record<string, unknown>;
    wire(production);
    writeFileSync(file, stringify(deploy));
    return dir;
  }
  const deployProblems = (dir: string, last: string) =>
    pipelineListProblems(dir, {
      environments: [...environmentNames.slice(0, -1), "staging", last],
      apps: appNames,
    }).filter((problem) => problem.startsWith(".github/workflows/deploy.yml: deploy-"));

  test("staging wired as the successor did: production runs after acceptance failed, and the check says so", () => {
    const [first] = environmentNames;
    const last = environmentNames[environmentNames.length - 1]!;
    const dir = ciWithStaging((production) => {
      production["needs"] = ["changes", "deploy-staging"];
      production["if"] =
        `!cancelled() && needs.changes.outputs.${last} == 'true' && ` +
        "(needs.deploy-staging.result == 'success' || needs.deploy-staging.result == 'skipped')";
    });
    try {
      expect(deployProblems(dir, last)).toEqual([
        `.github/workflows/deploy.yml: deploy-${last} does not wait for deploy-${first}`,
        `.github/workflows/deploy.yml: deploy-${last} runs although deploy-${first} did not succeed (deploy-${first} failure, deploy-staging not needed)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("staging wired as deploy.yml's own pattern says: every upstream deploy needed, no problem", () => {
    const last = environmentNames[environmentNames.length - 1]!;
    const dir = ciWithStaging((production) => {
      production["needs"] = [
        "changes",
        ...environmentNames.slice(0, -1).map((name) => `deploy-${name}`),
        "deploy-staging",
      ];
    });
    try {
      expect(deployProblems(dir, last)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a removed environment or app is named too", () => {
    const [first] = environmentNames;
    const fewer = appNames.slice(0, -1);
    expect(pipelineListProblems(root, { environments: [first], apps: fewer })).toEqual([
      `.github/stack-filters.yml: filters for ${environments}, expected one per environment [${first}]`,
      ...environmentNames
        .slice(1)
        .map(
          (name) => `.github/required-checks.json: "preview (${name})" previews no environment of [${first}]`,
        ),
      `.github/workflows/drift.yml: the matrix's stacks ${environments}, expected [${first}]`,
    ]);
  });
});

describe("a throwaway third environment between acceptance and production, added by the recipe", () => {
  let copy: ReturnType<typeof projectCopy>;
  // A name no real environment takes, between the first and the last: every place that assumes
  // two environments, or a name such as "staging", shows.
  const staging = "zz-throwaway-9";
  let run: ProgramRun;
  let workflows: CliRun;
  let bootstrap: ProgramRun;
  const digest = `sha256:${"5".repeat(64)}`;

  /** The copy's own CLI, in this process: it loads the copy's environments. */
  let platform: (argv: string[]) => Promise<CliRun>;

  beforeAll(async () => {
    // With this checkout's dist/ (the compiled plan runner, which runs the copy's own program),
    // which the copy's build then brings in step with the files edited below.
    copy = projectCopy({}, { cli: true });
    // docs/changing.md, "Add an environment", literally: the settings file (step 1), its entry in
    // the pipeline (step 2), its stack file (step 3) and the generated CI files (step 4).
    const production = readFileSync(path.join(copy.dir, "environments", "production.ts"), "utf8");
    writeFileSync(
      path.join(copy.dir, "environments", `${staging}.ts`),
      production
        .replace("export const production", "export const throwaway")
        .replace('name: "production"', `name: "${staging}"`)
        .replace('"rg-platform-production"', `"rg-platform-${staging}"`)
        .replace('"aks-platform-production"', `"aks-platform-${staging}"`)
        .replace('"10.20.0.0/16"', '"10.30.0.0/16"')
        .replace('dayOfWeek: "Tuesday", startTime: "02:00"', 'dayOfWeek: "Monday", startTime: "12:00"'),
    );
    edit(
      copy.dir,
      "environments/pipeline.ts",
      "  acceptance,\n  production,\n",
      `  acceptance,\n  "${staging}": throwaway,\n  production,\n`,
    );
    edit(
      copy.dir,
      "environments/pipeline.ts",
      'import { production } from "./production";',
      `import { production } from "./production";\nimport { throwaway } from "./${staging}";`,
    );
    // Its reviewers in the bootstrap's config (step 6): they approve its previews.
    edit(
      copy.dir,
      "bootstrap/Pulumi.shared.yaml",
      "      production: [platform-leads]\n",
      `      production: [platform-leads]\n      ${staging}: [platform-leads]\n`,
    );
    // Each app public elsewhere says what it is there (step 7): main-api a host, web internal.
    edit(
      copy.dir,
      "apps/main-api/app.ts",
      'production: "api.example.com" }',
      `production: "api.example.com", "${staging}": "api.${staging}.example.com" }`,
    );
    edit(
      copy.dir,
      "apps/web/app.ts",
      'production: "www.example.com" }',
      `production: "www.example.com", "${staging}": null }`,
    );
    const { main } = (await import(path.join(copy.dir, "cli", "main.ts"))) as typeof import("../cli/main");
    platform = async (argv) => {
      let [stdout, stderr] = ["", ""];
      const code = await main(argv, {
        cwd: copy.dir,
        env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" },
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
      });
      return { code, stdout, stderr };
    };
    const stackFile = [
      "config:",
      "  azure-native:location: westeurope",
      "  platform:images:",
      "    main-api:",
      '      tag: "1.4.0"',
      `      digest: ${digest}`,
      "    customer-api:",
      '      tag: "0.9.3"',
      `      digest: ${digest}`,
      "",
    ].join("\n");
    writeFileSync(path.join(copy.dir, `Pulumi.${staging}.yaml`), stackFile);
    workflows = await platform(["workflows"]);
    run = await runCopy(copy.dir, staging, stackConfig(staging, stackFile));
    bootstrap = await runCopy(
      copy.dir,
      "shared",
      stackConfig("shared", readFileSync(path.join(copy.dir, "bootstrap", "Pulumi.shared.yaml"), "utf8")),
    );
  });
  afterAll(() => copy.remove());

  test("`platform workflows` writes its CI jobs, and the list checks pass for the copy", () => {
    expect(workflows).toMatchObject({ code: 0, stderr: "" });
    expect(workflows.stdout).toBe(
      "wrote .github/workflows/deploy.yml, .github/workflows/preview.yml, .github/workflows/drift.yml, .github/stack-filters.yml, .github/required-checks.json\n",
    );
    expect(
      pipelineListProblems(copy.dir, { environments: ["acceptance", staging, "production"], apps: appNames }),
    ).toEqual([]);
  });

  test("`platform plan` plans it", async () => {
    const plan = await platform(["plan", staging]);
    expect(plan.stderr).not.toContain("error");
    expect(plan.code).toBe(0);
  });

  test("`platform gate` judges it against acceptance, and production against it", async () => {
    copy.git("add", "--all");
    copy.git("commit", "--quiet", "-m", `add ${staging}`);
    const before = copy.git("rev-parse", "HEAD").trim();
    edit(copy.dir, `Pulumi.${staging}.yaml`, '      tag: "0.9.3"', '      tag: "0.9.4"');
    copy.git("commit", "--quiet", "--all", "-m", `promote to ${staging}`);
    const gate = await platform(["gate", staging, "--base", before]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain(
      `customer-api: failed: 0.9.4@${digest} is in no verification record of acceptance; copy it with: platform promote acceptance ${staging}\n`,
    );
    const between = copy.git("rev-parse", "HEAD").trim();
    edit(
      copy.dir,
      "Pulumi.production.yaml",
      "  platform:images: {}",
      `  platform:images:\n    customer-api:\n      tag: "0.9.4"\n      digest: ${digest}`,
    );
    copy.git("commit", "--quiet", "--all", "-m", "promote to production");
    const last = await platform(["gate", "production", "--base", between]);
    expect(last.code).toBe(1);
    expect(last.stdout).toContain(
      `customer-api: failed: 0.9.4@${digest} is in no verification record of ${staging}; copy it with: platform promote ${staging} production\n`,
    );
  });

  test("the promotion chain runs acceptance → it → production", async () => {
    const { environments } = (await import(path.join(copy.dir, "environments", "environments.ts"))) as {
      environments: Record<string, { upstream?: string }>;
    };
    expect(Object.entries(environments).map(([name, env]) => `${env.upstream ?? "-"} → ${name}`)).toEqual([
      "- → acceptance",
      `acceptance → ${staging}`,
      `${staging} → production`,
    ]);
  });

  test("its stack deploys its cluster, databases and cache into its own resource group", () => {
    const cluster = only(run, "azure-native:containerservice:ManagedCluster");
    expect(cluster.inputs).toMatchObject({
      resourceName: `aks-platform-${staging}`,
      resourceGroupName: `rg-platform-${staging}`,
    });
    // Every app of the catalog has its database everywhere, deployed there or not.
    expect(ofType(run, "azure-native:dbformysql:Database").map((r) => r.inputs["databaseName"])).toEqual(
      mysqlDatabases,
    );
    expect(ofType(run, "azure-native:redisenterprise:RedisEnterprise")).toHaveLength(1);
    expect(only(run, "azure-native:network:VirtualNetwork").inputs["addressSpace"]).toEqual({
      addressPrefixes: ["10.30.0.0/16"],
    });
    expect(run.outputs["environmentName"]).toBe(staging);
  });

  test("its namespaces and workloads: the apps it pins, APP_ENV its name, the default replicas", () => {
    expect(names(kubernetes(run, "Namespace"))).toEqual(["apps", "cert-manager-namespace", "mysql-users"]);
    expect(names(kubernetes(run, "Deployment"))).toEqual(["customer-api", "main-api", "main-api-queue"]);
    const configs = kubernetes(run, "ConfigMap").map(
      (r) => (r.inputs["data"] as Record<string, string>)["APP_ENV"],
    );
    expect(new Set(configs)).toEqual(new Set([staging]));
    // No app names staging: each runs its default replicas, and staging autoscales nothing.
    const replicas = kubernetes(run, "Deployment").map((r) => [
      r.name,
      (r.inputs["spec"] as { replicas?: number }).replicas,
    ]);
    expect(replicas.sort()).toEqual([
      ["customer-api", 1],
      ["main-api", 1],
      ["main-api-queue", 1],
    ]);
    expect(kubernetes(run, "HorizontalPodAutoscaler")).toEqual([]);
    // The host its recipe gave main-api: an Ingress there.
    const ingresses = kubernetes(run, "Ingress").map((r) => [
      r.name,
      (r.inputs["spec"] as { rules: { host: string }[] }).rules.map((rule) => rule.host),
    ]);
    expect(ingresses).toEqual([["main-api", [`api.${staging}.example.com`]]]);
    expect(run.outputs["notDeployed"]).toEqual(
      appNames.filter((app) => app !== "main-api" && app !== "customer-api"),
    );
  });

  test("the bootstrap stack gives it a resource group, a deploy identity and a GitHub environment; CODEOWNERS covers its stack file", () => {
    expect(
      ofType(bootstrap, "azure-native:resources:ResourceGroup").map((r) => r.inputs["resourceGroupName"]),
    ).toContain(`rg-platform-${staging}`);
    expect(
      ofType(bootstrap, "azure-native:managedidentity:UserAssignedIdentity").map((r) => r.name),
    ).toContain(`delivery-${staging}-deployer-identity`);
    const gitHubEnvironments = ofType(bootstrap, "github:index/repositoryEnvironment:RepositoryEnvironment");
    const names = gitHubEnvironments.map((r) => String(r.inputs["environment"]));
    const previews = [`preview-${staging}`, "preview-production"];
    // Beside the deploy environments, those that hold the plan identity's state tokens beyond
    // acceptance's: its preview too, approved by its own reviewers (docs/decisions/0041).
    expect(names.filter((name) => name !== "drift" && !previews.includes(name))).toEqual([
      "acceptance",
      staging,
      "production",
    ]);
    expect(names.filter((name) => name === "drift" || previews.includes(name)).sort()).toEqual(
      ["drift", ...previews].sort(),
    );
    const environment = (name: string) =>
      gitHubEnvironments.find((r) => r.inputs["environment"] === name)!.inputs as Record<string, any>;
    expect(environment(`preview-${staging}`)).toMatchObject({ preventSelfReview: true });
    expect(environment(`preview-${staging}`)["reviewers"]).toEqual(environment(staging)["reviewers"]);
    // Its preview job can log in as the plan identity: a federated credential for its environment.
    expect(
      ofType(bootstrap, "azure-native:managedidentity:FederatedIdentityCredential")
        .filter((c) => c.name.startsWith("delivery-planner-"))
        .map((c) => c.inputs["subject"]),
    ).toEqual([
      "repo:contoso/platform:pull_request",
      `repo:contoso/platform:environment:preview-${staging}`,
      "repo:contoso/platform:environment:preview-production",
      "repo:contoso/platform:environment:drift",
    ]);
    const codeOwners = String(
      only(bootstrap, "github:index/repositoryFile:RepositoryFile").inputs["content"],
    );
    const patterns = codeOwners
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => line.split(/\s+/)[0]);
    // `*` matches every file; a pattern per stack file would have to name Pulumi.staging.yaml.
    expect(patterns.some((pattern) => pattern === "*" || pattern === `/Pulumi.${staging}.yaml`)).toBe(true);
  });

  test("the CLI's help and its error for an unknown environment list it", async () => {
    const { environmentArgumentHelp, parseEnvironment } = (await import(
      path.join(copy.dir, "cli", "arguments.ts")
    )) as {
      environmentArgumentHelp: string;
      parseEnvironment: (name: string) => string;
    };
    expect(environmentArgumentHelp).toBe(`acceptance | ${staging} | production`);
    expect(() => parseEnvironment("qa")).toThrow(
      `unknown environment 'qa'; expected one of acceptance, ${staging}, production`,
    );
  });
});

describe("a settings file copied from another that keeps its resource group and address space", () => {
  let copy: ReturnType<typeof projectCopy>;
  beforeAll(() => {
    copy = projectCopy();
    const [first] = environmentNames;
    const last = environmentNames[environmentNames.length - 1]!;
    const firstFile = readFileSync(path.join(copy.dir, "environments", `${first}.ts`), "utf8");
    const group = /resourceGroupName: "([^"]+)"/.exec(firstFile)![1]!;
    const range = /addressSpace: "([^"]+)"/.exec(firstFile)![1]!;
    const lastFile = readFileSync(path.join(copy.dir, "environments", `${last}.ts`), "utf8");
    writeFileSync(
      path.join(copy.dir, "environments", `${last}.ts`),
      lastFile
        .replace(/resourceGroupName: "[^"]+"/, `resourceGroupName: "${group}"`)
        .replace(/addressSpace: "[^"]+"/, `addressSpace: "${range}"`),
    );
  });
  afterAll(() => copy.remove());

  test("is refused by the program itself, before any resource, naming both environments", async () => {
    const [first] = environmentNames;
    const last = environmentNames[environmentNames.length - 1]!;
    const stackFile = readFileSync(path.join(copy.dir, `Pulumi.${last}.yaml`), "utf8");
    const run = runCopy(copy.dir, last, stackConfig(last, stackFile));
    await expect(run).rejects.toThrow(
      new RegExp(
        `environments/ is not valid:\\n  - environments\\.${last}\\.resourceGroupName: '[^']+' is ${first}'s resource group too`,
      ),
    );
    await expect(run).rejects.toThrow(`overlaps ${first}'s`);
  });
});

/** The definition of billing-api, an app with a database of its own, named `name` in its file. */
const billingApiFile = (name: string) => `import type { AppDefinition } from "../app-definition";

/** Invoices: its own database, reached only from inside the cluster. */
export const billingApi: AppDefinition = {
  name: "${name}",
  description: "Invoices",
  source: { kind: "folder", path: "apps/billing-api" },
  port: 8080,
  health: { readiness: "/health/ready", liveness: "/health/live" },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  replicas: { default: 1, production: 2 },
  uses: { mysql: true, redis: false },
  settings: { APP_NAME: "billing-api", LOG_CHANNEL: "stderr" },
  migrate: ["node", "server.mjs", "migrate"],
};
`;

/**
 * The whole change that adds billing-api to a copy: its folder (its definition, named `name`, and
 * the build context) and its entry in the catalog, with the import the entry names.
 */
function addBillingApi(dir: string, name: string): void {
  const folder = path.join(dir, "apps", "billing-api");
  mkdirSync(folder);
  for (const file of ["Dockerfile", ".dockerignore", "server.mjs"]) {
    copyFileSync(path.join(dir, "apps", "customer-api", file), path.join(folder, file));
  }
  writeFileSync(path.join(folder, "app.ts"), billingApiFile(name));
  edit(
    dir,
    "apps/catalog.ts",
    'import { web } from "./web/app";',
    'import { web } from "./web/app";\nimport { billingApi } from "./billing-api/app";',
  );
  // The first `});` closes the catalog's record.
  edit(dir, "apps/catalog.ts", "\n});\n", '\n  "billing-api": billingApi,\n});\n');
}

/** Runs the copy's own `platform` (its bin/, built from its sources) in the copy. */
async function platformIn(
  dir: string,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [path.join(dir, "bin", "platform.js"), ...argv], {
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "" },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe("a fourth app, billing-api, with a database of its own and no public host", () => {
  let copy: ReturnType<typeof projectCopy>;
  let acceptance: ProgramRun;
  let changed: { status: string; added: string[]; release: { code: number; stdout: string; stderr: string } };

  beforeAll(async () => {
    copy = projectCopy({}, { cli: true });
    addBillingApi(copy.dir, "billing-api");
    const added = copy
      .git("diff", "--unified=0", "--no-color")
      .split("\n")
      .filter((line) => /^[+-](?![+-]{2} )/.test(line));
    const status = copy.git("status", "--porcelain");
    // Released as release intake does (`platform release <app> <tag> --pr`, here without --pr).
    const release = await platformIn(copy.dir, "release", "billing-api", "1.0.0");
    changed = { status, added, release };
    const stackFile = readFileSync(path.join(copy.dir, "Pulumi.acceptance.yaml"), "utf8");
    acceptance = await runCopy(copy.dir, "acceptance", stackConfig("acceptance", stackFile));
  });
  afterAll(() => copy.remove());

  test("the change is its folder and one entry in the catalog (and the entry's import); nothing else", () => {
    expect(changed.status).toBe(" M apps/catalog.ts\n?? apps/billing-api/\n");
    expect(changed.added).toEqual([
      '+import { billingApi } from "./billing-api/app";',
      '+  "billing-api": billingApi,',
    ]);
  });

  test("platform release takes it, as release intake runs it: acceptance's stack file gets its tag", () => {
    expect(changed.release).toEqual({
      code: 0,
      stdout: "acceptance: billing-api (not deployed) → 1.0.0\n",
      stderr: "",
    });
    expect(copy.git("diff", "--no-color", "Pulumi.acceptance.yaml")).toContain(
      '+    billing-api:\n+      tag: "1.0.0"\n',
    );
  });

  test("acceptance builds and deploys it with its database, its own MySQL user and identity", () => {
    // With the tag naming its source (docs/decisions/0030).
    expect(ofType(acceptance, "docker-build:index:Image").map((r) => r.inputs["tags"])).toContainEqual([
      "contosoplatformacr.azurecr.io/billing-api:1.0.0",
      expect.stringMatching(/^contosoplatformacr\.azurecr\.io\/billing-api:1\.0\.0--src\.[0-9a-f]{12}$/),
    ]);
    expect(
      ofType(acceptance, "azure-native:dbformysql:Database").map((r) => r.inputs["databaseName"]),
    ).toEqual([...mysqlDatabases, "billing_api"]);
    expect(
      ofType(acceptance, "azure-native:managedidentity:UserAssignedIdentity").map(
        (r) => r.inputs["resourceName"],
      ),
    ).toContain("id-platform-acceptance-billing-api");
    expect(names(kubernetes(acceptance, "Deployment"))).toContain("billing-api");
    expect(names(kubernetes(acceptance, "Job"))).toContain("billing-api-migrate-1-0-0");
    expect(names(kubernetes(acceptance, "Secret"))).toContain("billing-api-secrets");
    expect(names(kubernetes(acceptance, "NetworkPolicy"))).toEqual(
      expect.arrayContaining(["billing-api-ingress", "billing-api-egress"]),
    );
    // No public host, no Redis: no Ingress, and no cache access.
    expect(names(kubernetes(acceptance, "Ingress"))).not.toContain("billing-api");
    expect(
      ofType(acceptance, "azure-native:redisenterprise:AccessPolicyAssignment").map((r) => r.name),
    ).not.toContain("redis-access-billing-api");
    expect(Object.keys(acceptance.outputs["images"] as object)).toContain("billing-api");
  });

  test("the other apps may now reach it: their egress opens its port", () => {
    const egress = kubernetes(acceptance, "NetworkPolicy").find((r) => r.name === "web-egress")!;
    expect(JSON.stringify(egress.inputs["spec"])).toContain('"port":8080');
  });
});

describe("an app whose file names it other than its key in the catalog", () => {
  const refusal =
    "apps/catalog.ts is not valid:\n  - apps/billing-api/app.ts: name 'billing' differs from its key 'billing-api' in apps/catalog.ts";
  let copy: ReturnType<typeof projectCopy>;
  beforeAll(() => {
    copy = projectCopy({}, { cli: true });
    addBillingApi(copy.dir, "billing");
  });
  afterAll(() => copy.remove());

  test("is refused by every command, naming both, before anything runs", async () => {
    expect(await platformIn(copy.dir, "plan", "acceptance")).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${refusal}\n`,
    });
  });

  test("is refused by the program itself (pulumi preview and up)", async () => {
    const stackFile = readFileSync(path.join(copy.dir, "Pulumi.acceptance.yaml"), "utf8");
    await expect(runCopy(copy.dir, "acceptance", stackConfig("acceptance", stackFile))).rejects.toThrow(
      refusal,
    );
  });
});
