import { execFile } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { renameCustomerApi } from "../../test/app-rename";
import { projectCopy, promotedProductionStackFile } from "../../test/project-copy";
import { formatDate } from "../image-history";
import { runCli } from "../../test/run-cli";
import { runPlan } from "../program-runs";

// Each plan the CLI's diff makes is counted, and shared with the other suites as every suite's
// are (test/share-plans.setup.ts).
jest.mock("../program-runs", () => {
  const shared = jest
    .requireActual<typeof import("../../test/shared-plan-runs")>("../../test/shared-plan-runs")
    .sharedProgramRuns(jest.requireActual("../program-runs"));
  return { ...shared, runPlan: jest.fn(shared.runPlan) };
});

// A list of changed files with a blind spot, for the test of the gate's second line: with it on,
// the scope reads every change as a promotion's.
let mockFileListMissesChanges = false;
jest.mock("../changed-files", () => {
  const actual = jest.requireActual<typeof import("../changed-files")>("../changed-files");
  return {
    ...actual,
    promotionScopeSince: async (...args: Parameters<typeof actual.promotionScopeSince>) => {
      const scope = await actual.promotionScopeSince(...args);
      return mockFileListMissesChanges ? { ...scope, isPromotion: true, reasons: [] } : scope;
    },
  };
});
afterEach(() => (mockFileListMissesChanges = false));

const env = { PATH: process.env["PATH"] ?? "" };
const newDigest = `sha256:${"c".repeat(64)}`;
let copy: ReturnType<typeof projectCopy>;

beforeEach(() => {
  copy = projectCopy({ "Pulumi.production.yaml": promotedProductionStackFile });
});
afterEach(() => copy.remove());

function edit(file: string, from: string, to: string): void {
  const full = path.join(copy.dir, file);
  const text = readFileSync(full, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(full, text.replace(from, to));
}

/** A promotion of web: a new tag and digest in production's stack file. */
function promoteWeb(): void {
  edit(
    "Pulumi.production.yaml",
    'tag: "2.0.1"\n      digest: sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b',
    `tag: "2.1.0"\n      digest: ${newDigest}`,
  );
}

test("a promotion that changes only an image passes --only-images and shows the image moving, its plans checked apart from the changed files", async () => {
  promoteWeb();
  const plans = jest.mocked(runPlan);
  plans.mockClear();
  const { code, stdout, stderr } = await runCli(
    ["diff", "production", "--base", "main", "--only-images"],
    copy.dir,
    env,
  );
  expect([code, stderr]).toEqual([0, ""]);
  expect(stdout).toContain("~ kubernetes:apps/v1:Deployment web\n");
  expect(stdout).toContain(
    `    spec.template.spec.containers.0.image: contosoplatformacr.azurecr.io/web:2.0.1@sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b → contosoplatformacr.azurecr.io/web:2.1.0@${newDigest}\n`,
  );
  expect(stdout.endsWith("only image references change\n")).toBe(true);
  // The base's plan, the working tree's, and the base's with the new versions, although in a
  // promotion it should equal the working tree's: what makes the check independent of the list of
  // changed files (a plan fewer was tried, and kept out for that).
  expect(plans.mock.calls.map(([request]) => request.dir === copy.dir).sort()).toEqual([false, false, true]);
});

test("a promotion that also resizes the database fails --only-images: not a promotion, and the SKU named", async () => {
  promoteWeb();
  edit(
    "environments/production.ts",
    'sku: { name: "Standard_D2ads_v5", tier: "GeneralPurpose" }',
    'sku: { name: "Standard_D4ads_v5", tier: "GeneralPurpose" }',
  );
  const { code, stdout } = await runCli(
    ["diff", "production", "--base", "main", "--only-images"],
    copy.dir,
    env,
  );
  expect(code).toBe(1);
  expect(
    stdout.startsWith("production: not a promotion:\n  - other files change: environments/production.ts\n"),
  ).toBe(true);
  const beyond = stdout.slice(stdout.indexOf("changes beyond image references"));
  expect(beyond).toBe(
    "changes beyond image references (not allowed in a promotion):\n~ azure-native:dbformysql:Server mysql-server\n    sku.name: Standard_D2ads_v5 → Standard_D4ads_v5\n",
  );
});

test("a program change the list of changed files misses still fails --only-images: the plans show it", async () => {
  promoteWeb();
  edit(
    "environments/production.ts",
    'sku: { name: "Standard_D2ads_v5", tier: "GeneralPurpose" }',
    'sku: { name: "Standard_D4ads_v5", tier: "GeneralPurpose" }',
  );
  mockFileListMissesChanges = true;
  const { code, stdout } = await runCli(
    ["diff", "production", "--base", "main", "--only-images"],
    copy.dir,
    env,
  );
  expect(code).toBe(1);
  expect(stdout).not.toContain("not a promotion");
  expect(stdout.slice(stdout.indexOf("\nchanges beyond image references"))).toBe(
    "\nchanges beyond image references (not allowed in a promotion):\n~ azure-native:dbformysql:Server mysql-server\n    sku.name: Standard_D2ads_v5 → Standard_D4ads_v5\n",
  );
});

describe("--only-images decides itself what a promotion is", () => {
  const onlyImages = (...extra: string[]) =>
    runCli(["diff", "production", "--base", "main", "--only-images", ...extra], copy.dir, env);

  test("a change that leaves the stack file alone passes at once, saying it is no promotion", async () => {
    edit("apps/web/app.ts", "web", "web");
    writeFileSync(path.join(copy.dir, "notes.md"), "x\n");
    expect(await onlyImages()).toEqual({
      code: 0,
      stdout:
        "production: Pulumi.production.yaml does not change between main and the working tree: not a promotion, nothing to check (the ordinary review applies)\n",
      stderr: "",
    });
  });

  test("removing an app fails unless --allow-removal, which the output names", async () => {
    edit(
      "Pulumi.production.yaml",
      '    customer-api:\n      tag: "0.9.3"\n      digest: sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9\n',
      "",
    );
    const refused = await onlyImages();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "  - removes customer-api (a promotion may remove an app only with --allow-removal)\n",
    );
    expect(refused.stdout).toContain("- kubernetes:apps/v1:Deployment customer-api\n");
    // What it deletes is named and counted, never "only image references".
    expect(refused.stdout).not.toContain("\nonly image references change");
    expect(refused.stdout).toMatch(
      /\nnot only image references change: the change also deletes \d+ resources \(removes customer-api\), listed above \(\+ created, - deleted\); and the change is not a promotion \(see above\)\n$/,
    );
    const allowed = await onlyImages("--allow-removal");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("production: removal of customer-api allowed by --allow-removal\n");
    const deleted = allowed.stdout.split("\n").filter((line) => line.startsWith("- ")).length;
    expect(deleted).toBeGreaterThan(5);
    expect(allowed.stdout).toContain(
      `\nnot only image references change: the change also deletes ${deleted} resources (removes customer-api), listed above (+ created, - deleted)\n`,
    );
    expect(allowed.stdout).not.toContain("\nonly image references change");
  });

  test("adding an app is a promotion, and says what it creates, never 'only image references'", async () => {
    const customerApi =
      '    customer-api:\n      tag: "0.9.3"\n      digest: sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9\n';
    copy.remove();
    copy = projectCopy({ "Pulumi.production.yaml": promotedProductionStackFile.replace(customerApi, "") });
    writeFileSync(path.join(copy.dir, "Pulumi.production.yaml"), promotedProductionStackFile);
    const run = await onlyImages();
    expect(run.code).toBe(0);
    const created = run.stdout.split("\n").filter((line) => line.startsWith("+ ")).length;
    expect(created).toBeGreaterThan(5);
    expect(run.stdout).toContain("+ kubernetes:apps/v1:Deployment customer-api\n");
    expect(
      run.stdout.endsWith(
        `\nnot only image references change: the change also creates ${created} resources (adds customer-api), listed above (+ created, - deleted)\n`,
      ),
    ).toBe(true);
  });
});

test("without --only-images a diff reports and exits 0; no change at all says so", async () => {
  const { code, stdout } = await runCli(["diff", "acceptance", "--base", "HEAD"], copy.dir, env);
  expect([code, stdout]).toEqual([
    0,
    "acceptance: HEAD → working tree\nno changes\n\nacceptance's last deploy is not recorded (no tag deployed/acceptance): the program changes a deploy of acceptance would also ship are unknown\n",
  ]);
});

test("a change of a create-only input lists what it replaces: a new pod range replaces the cluster and its kubelet's AcrPull", async () => {
  edit("environments/network-layout.ts", 'podCidr: "192.168.0.0/16"', 'podCidr: "10.244.0.0/16"');
  const { code, stdout } = await runCli(["diff", "acceptance", "--base", "main"], copy.dir, env);
  // No management lock covers the registry (docs/decisions/0034): Azure deletes the old assignment.
  expect(code).toBe(0);
  expect(stdout).toContain(
    [
      "replaced (created anew, then the old one deleted):",
      "  azure-native:containerservice:ManagedCluster aks-cluster (networkProfile.podCidr)",
      "  azure-native:authorization:RoleAssignment registry-pull-kubelet (principalId)",
      "",
    ].join("\n"),
  );
  expect(stdout).not.toContain("pulumi up would fail");
});

test("a git ref that does not exist: exit 2 and what to name instead", async () => {
  expect(await runCli(["diff", "production", "--base", "no-such-branch"], copy.dir, env)).toEqual({
    code: 2,
    stdout: "",
    stderr:
      "error: unknown git ref 'no-such-branch'; pass a branch, tag or commit of this repository (in CI, fetch it first: git fetch origin <branch>)\n",
  });
});

describe("what a deploy also ships: program changes since production's last deploy (tag deployed/production)", () => {
  const commit = (message: string, author = "t") => {
    copy.git("add", "--all");
    copy.git(
      "-c",
      `user.name=${author}`,
      "commit",
      "--quiet",
      "--author",
      `${author} <${author}@example.test>`,
      "-m",
      message,
    );
    return copy.git("rev-parse", "HEAD").trim();
  };
  const deployedLine = (sha: string) =>
    `production last deployed ${sha.slice(0, 7)} (${formatDate(copy.git("log", "-1", "--format=%cI", sha).trim())})`;
  const diff = () => runCli(["diff", "production", "--base", "main"], copy.dir, env);

  test("only stack file and docs commits since the deploy: none", async () => {
    const deployed = copy.git("rev-parse", "HEAD").trim();
    copy.git("tag", "deployed/production");
    writeFileSync(path.join(copy.dir, "NOTES.md"), "notes\n");
    edit("Pulumi.acceptance.yaml", "config:\n", "config:\n  # reviewed\n");
    commit("Notes and an acceptance comment");
    promoteWeb();
    const { code, stdout } = await diff();
    expect(code).toBe(0);
    expect(stdout).toContain(`\n${deployedLine(deployed)}; program changes since then: none\n`);
    expect(stdout).not.toContain("resources they change");
  });

  test("a program commit since the deploy is listed with its author, and the resources it changes", async () => {
    const deployed = copy.git("rev-parse", "HEAD").trim();
    copy.git("tag", "deployed/production");
    edit("environments/production.ts", "Standard_D2ads_v5", "Standard_D4ads_v5");
    const resize = commit("Resize production's database", "Alice");
    promoteWeb();
    const { code, stdout } = await diff();
    expect(code).toBe(0);
    const section = stdout.slice(stdout.indexOf(`\n${deployedLine(deployed)}`));
    expect(section).toBe(
      [
        "",
        `${deployedLine(deployed)}; program changes since then, which a deploy of production also ships:`,
        `  ${resize.slice(0, 7)} Resize production's database (Alice)`,
        `resources they change in production (the program at ${deployed.slice(0, 7)} → at main, both with Pulumi.production.yaml at main):`,
        "~ azure-native:dbformysql:Server mysql-server",
        "    sku.name: Standard_D2ads_v5 → Standard_D4ads_v5",
        "",
      ].join("\n"),
    );
  });
});

describe("an app removed from the catalog: the base's stack file names an app the working tree does not have", () => {
  /** Adds billing-api (a copy of customer-api, with its own database) to the catalog and production. */
  function addBillingApi(): void {
    cpSync(path.join(copy.dir, "apps/customer-api"), path.join(copy.dir, "apps/billing-api"), {
      recursive: true,
    });
    edit("apps/billing-api/app.ts", 'name: "customer-api"', 'name: "billing-api"');
    edit("apps/billing-api/app.ts", 'path: "apps/customer-api"', 'path: "apps/billing-api"');
    edit("apps/billing-api/app.ts", "export const customerApi", "export const billingApi");
    edit(
      "apps/catalog.ts",
      '  "customer-api": customerApi,\n',
      '  "customer-api": customerApi,\n  "billing-api": billingApi,\n',
    );
    edit(
      "apps/catalog.ts",
      'import { web } from "./web/app";\n',
      'import { web } from "./web/app";\nimport { billingApi } from "./billing-api/app";\n',
    );
    edit(
      "Pulumi.production.yaml",
      "  platform:images:\n",
      `  platform:images:\n    billing-api:\n      tag: "3.1.0"\n      digest: ${newDigest}\n`,
    );
    copy.git("add", "--all");
    copy.git("commit", "--quiet", "-m", "Production runs billing-api");
  }

  test("the plan shows the app leaving, and its database refused with the engine's message", async () => {
    addBillingApi();
    copy.git("revert", "--no-edit", "--quiet", "HEAD");
    const { code, stdout, stderr } = await runCli(["diff", "production", "--base", "HEAD~1"], copy.dir, env);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toContain("- kubernetes:apps/v1:Deployment billing-api\n");
    const urn =
      "urn:pulumi:production::platform::platform:azure:MySqlServer$azure-native:dbformysql:Database::mysql-db-billing_api";
    expect(stdout).toContain(
      [
        "- azure-native:dbformysql:Database mysql-db-billing_api",
        `    refused, the update stops: resource "${urn}" cannot be deleted`,
        "      because it is protected. To unprotect the resource, either remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, or use the command:",
        `      \`pulumi state unprotect '${urn}'\``,
        "    retainOnDelete: once deleted from the stack it stays in its service; Pulumi only forgets it",
        "",
      ].join("\n"),
    );
    expect(stdout).toContain(
      "\npulumi up of production would stop: protected resources leave the program: mysql-db-billing_api (the refusal above); the engine deletes nothing then. To keep managing one, keep it in the program; to let it go, unprotect it as above before the deploy (one retained on delete stays in its service, Pulumi only forgets it)\n",
    );
  });

  test("--only-images: not a promotion (the catalog changes), reported rather than refused as bad input", async () => {
    addBillingApi();
    copy.git("revert", "--no-edit", "--quiet", "HEAD");
    const { code, stdout, stderr } = await runCli(
      ["diff", "production", "--base", "HEAD~1", "--only-images"],
      copy.dir,
      env,
    );
    expect([code, stderr]).toEqual([1, ""]);
    expect(stdout).toContain(
      "  - removes billing-api (a promotion may remove an app only with --allow-removal)\n",
    );
    expect(stdout).toContain("changes beyond image references (not allowed in a promotion):\n");
  });
});

test("a rename that keeps the persistent names reads as a rename: nothing deleted, created or replaced", async () => {
  // The copy's own CLI, whose catalog has the rename (this process's has not).
  const renamedCopy = projectCopy({}, { cli: true });
  try {
    renameCustomerApi(renamedCopy.dir);
    renamedCopy.git("add", "--all");
    renamedCopy.git("commit", "--quiet", "-m", "Rename customer-api to customers-api");
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(renamedCopy.dir, "bin", "platform.js"), "diff", "acceptance", "--base", "HEAD~1"],
      // Its checkout of the base where this process keeps scratch files (npm test: /dev/shm).
      { cwd: renamedCopy.dir, env: { ...env, TMPDIR: tmpdir() } },
    );
    expect(stderr).toBe("");
    expect(stdout).toContain(
      "acceptance: customer-api renamed to customers-api, which keeps its database, identity, image repository and cluster name (apps/customers-api/app.ts: persistent)\n",
    );
    expect(stdout.split("\n").filter((line) => /^[+-] /.test(line))).toEqual([]);
    expect(stdout).not.toContain("replaced (created anew");
  } finally {
    renamedCopy.remove();
  }
}, 120_000);
