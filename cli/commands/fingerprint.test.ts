import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startGitHubServer, zipOf, type GitHubServer } from "../../test/github-server";
import { projectCopy } from "../../test/project-copy";
import { gitHubEnv, runCli } from "../../test/run-cli";
import { runPlan } from "../program-runs";
import { pulumiConfig } from "../../stack-config/from-file";
import { compareOperations, fingerprintOf, formatOperations, operationsOf } from "../fingerprint/operations";
import { previewOfRuns } from "../fingerprint/runs";

// Two pull requests from the same main: #1 releases web 2.1.0 to acceptance, #2 resizes
// acceptance's MySQL server. #2 merges first; #1 merges next, and its deploy runs before #2's
// (GitHub cancels a pending run of the deploy's concurrency group), so it would also apply the
// SKU change that #1's preview never showed.
const mysqlServer =
  "urn:pulumi:acceptance::platform::platform:azure:MySqlServer$azure-native:dbformysql:Server::mysql-server";

let copy: ReturnType<typeof projectCopy>;
let server: GitHubServer;
let scratch: string;
const commits: Record<"m0" | "h1" | "h2" | "m1" | "m2", string> = { m0: "", h1: "", h2: "", m1: "", m2: "" };
let env: Record<string, string>;

const git = (...args: string[]) => copy.git(...args).trim();
const file = (name: string) => path.join(scratch, name);

/** `platform plan acceptance --fingerprint` at `commit`, against `deployed`: the mock engine's preview. */
async function preview(commit: string, deployed: string, out: string) {
  git("checkout", "--quiet", commit);
  const run = await runCli(
    ["plan", "acceptance", "--fingerprint", "--deployed", deployed, "--out", file(out)],
    copy.dir,
    env,
  );
  expect([run.code, run.stderr.replace(/^WARNING: .*\n/gm, "")]).toEqual([0, ""]);
  return run.stdout;
}

function edit(relative: string, from: string, to: string): void {
  const full = path.join(copy.dir, relative);
  const text = readFileSync(full, "utf8");
  if (!text.includes(from)) throw new Error(`${relative} does not contain ${from}`);
  writeFileSync(full, text.replace(from, to));
}

const merge = (branch: string) => {
  git("checkout", "--quiet", "main");
  git("merge", "--quiet", "--no-ff", "-m", `Merge ${branch}`, branch);
  return git("rev-parse", "HEAD");
};

const check = (commit: string, previewFile: string, ...extra: string[]) =>
  runCli(
    ["fingerprint", "check", "acceptance", "--preview", file(previewFile), "--commit", commit, ...extra],
    copy.dir,
    env,
  );

beforeAll(async () => {
  copy = projectCopy();
  scratch = mkdtempSync(path.join(tmpdir(), "platform-fingerprint-"));
  server = await startGitHubServer({});
  env = { PATH: process.env["PATH"] ?? "", ...gitHubEnv(server) };
  commits.m0 = git("rev-parse", "HEAD");
  git("checkout", "--quiet", "-b", "release-web");
  edit("Pulumi.acceptance.yaml", 'web:\n      tag: "2.0.1"', 'web:\n      tag: "2.1.0"');
  git("commit", "--quiet", "-am", "Release web 2.1.0 to acceptance");
  commits.h1 = git("rev-parse", "HEAD");
  git("checkout", "--quiet", "-b", "mysql-sku", commits.m0);
  edit(
    "environments/acceptance.ts",
    'sku: { name: "Standard_B1ms", tier: "Burstable" }',
    'sku: { name: "Standard_B2ms", tier: "Burstable" }',
  );
  git("commit", "--quiet", "-am", "A larger MySQL server for acceptance");
  commits.h2 = git("rev-parse", "HEAD");
  // Each pull request's preview job: acceptance as deployed (main) → the pull request.
  await preview(commits.h1, commits.m0, "pr-1.json");
  await preview(commits.h2, commits.m0, "pr-2.json");
  for (const [number, name] of [
    [1, "pr-1.json"],
    [2, "pr-2.json"],
  ] as const) {
    server.addArtifact({
      name: `fingerprint-acceptance-pr-${number}`,
      headSha: number === 1 ? commits.h1 : commits.h2,
      files: { "fingerprint.json": readFileSync(file(name), "utf8") },
    });
  }
  commits.m1 = merge("mysql-sku");
  commits.m2 = merge("release-web");
  const pull = (number: number, head: string, headSha: string, mergeCommit: string) => ({
    number,
    head,
    base: "main",
    title: head,
    body: "",
    state: "closed" as const,
    html_url: `https://github.test/acme/platform/pull/${number}`,
    head_sha: headSha,
    merge_commit_sha: mergeCommit,
    merged_at: "2026-11-02T10:00:00Z",
  });
  server.pulls.push(
    pull(1, "release-web", commits.h1, commits.m2),
    pull(2, "mysql-sku", commits.h2, commits.m1),
  );
  // The deploys' previews: nothing of #2 deployed yet when #1's merge commit deploys.
  await preview(commits.m2, commits.m0, "deploy-m2.json");
  await preview(commits.m1, commits.m0, "deploy-m1.json");
});

afterAll(async () => {
  await server?.close();
  copy?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

test("the mock engine's fingerprint of the SKU change is a real pulumi preview --json's of it", async () => {
  const real = await runCli(
    [
      "fingerprint",
      "show",
      "acceptance",
      "--preview",
      path.join(__dirname, "..", "fingerprint", "fixtures", "preview-mysql-sku.json"),
    ],
    copy.dir,
    env,
  );
  expect(real.code).toBe(0);
  const mock = JSON.parse(readFileSync(file("pr-2.json"), "utf8")) as { fingerprint: string };
  expect(real.stdout).toBe(
    `acceptance: 1 operation\n  update ${mysqlServer} (sku.name)\nfingerprint: ${mock.fingerprint}\n`,
  );
});

test("a deploy of a merge commit that also carries an unpreviewed SKU change is refused, naming it", async () => {
  const refused = await check(commits.m2, "deploy-m2.json");
  expect(refused.code).toBe(1);
  expect(refused.stdout).toContain(
    `added (not previewed):\n  update ${mysqlServer} (sku.name)\nmissing (previewed, not planned any more):\n  (none)\n`,
  );
  expect(refused.stdout).toContain(
    `differs from pull request #1's preview (commit ${commits.h1.slice(0, 12)}, run 7001)`,
  );
  expect(refused.stderr).toBe(
    "error: acceptance: deploy refused: it would apply operations that pull request #1 did not preview (listed above); get them reviewed in a pull request of their own, or deploy anyway with the label deploy:override-fingerprint on #1 or the deploy workflow's override-fingerprint input\n",
  );
  // It only read: the commit's pull requests, the artifacts, one download.
  expect(server.requests.every((request) => request.method === "GET")).toBe(true);
  expect(server.requests.map((request) => request.path)).toEqual(
    expect.arrayContaining([
      `/repos/acme/platform/commits/${commits.m2}/pulls`,
      "/repos/acme/platform/actions/artifacts",
      "/repos/acme/platform/actions/artifacts/9001/zip",
      "/_blob/artifacts/9001.zip",
    ]),
  );
});

test("the same pull request deployed unchanged passes", async () => {
  const passed = await check(commits.m1, "deploy-m2.json".replace("m2", "m1"));
  const pr2 = JSON.parse(readFileSync(file("pr-2.json"), "utf8")) as { fingerprint: string };
  expect(passed).toEqual({
    code: 0,
    stdout: `acceptance: the deploy plans ${pr2.fingerprint}\nacceptance: matches pull request #2's preview (commit ${commits.h2.slice(0, 12)}, run 7002): ${pr2.fingerprint}\n`,
    stderr: "",
  });
});

describe("the emergency override deploys anyway and says so loudly", () => {
  test("--override <reason>: the difference, then the banner and a GitHub warning", async () => {
    const run = await runCli(
      [
        "fingerprint",
        "check",
        "acceptance",
        "--preview",
        file("deploy-m2.json"),
        "--commit",
        commits.m2,
        "--override",
        "incident 42: alice",
      ],
      copy.dir,
      { ...env, GITHUB_ACTIONS: "true" },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`added (not previewed):\n  update ${mysqlServer} (sku.name)\n`);
    expect(run.stdout).toContain(
      "FINGERPRINT OVERRIDE: deploying acceptance although its operations differ from what was previewed (above); override: incident 42: alice\n",
    );
    expect(run.stdout).toContain(
      "::warning title=Fingerprint override::FINGERPRINT OVERRIDE: deploying acceptance although its operations differ from what was previewed (above); override: incident 42: alice\n",
    );
  });

  test("the label deploy:override-fingerprint on the merged pull request", async () => {
    server.pulls[0]!.labels = ["deploy:override-fingerprint"];
    try {
      const run = await check(commits.m2, "deploy-m2.json");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("override: label deploy:override-fingerprint on pull request #1\n");
    } finally {
      server.pulls[0]!.labels = [];
    }
  });
});

describe("bad input: a clear message, exit 2, nothing changed", () => {
  test("a malformed fingerprint in the pull request's artifact", async () => {
    const published = JSON.parse(readFileSync(file("pr-2.json"), "utf8")) as Record<string, unknown>;
    const artifact = server.artifacts.find((a) => a.name === "fingerprint-acceptance-pr-2")!;
    const original = artifact.archive;
    artifact.archive = zipOf({ "fingerprint.json": JSON.stringify({ ...published, operations: [] }) });
    try {
      const run = await check(commits.m1, "deploy-m1.json");
      expect(run).toEqual({
        code: 2,
        stdout: expect.any(String) as string,
        stderr: `error: artifact fingerprint-acceptance-pr-2 (id 9002, run 7002): malformed fingerprint: its fingerprint ${String(published["fingerprint"])} is not the hash of its operations (${fingerprintOf([])})\n`,
      });
    } finally {
      artifact.archive = original;
    }
  });

  test("a merged pull request without a successful preview of its last commit", async () => {
    server.pulls.push({
      number: 3,
      head: "hotfix",
      base: "main",
      title: "hotfix",
      body: "",
      state: "closed",
      html_url: "https://github.test/acme/platform/pull/3",
      head_sha: "3".repeat(40),
      merge_commit_sha: "c".repeat(40),
      merged_at: "2026-11-02T11:00:00Z",
    });
    server.addArtifact({ name: "fingerprint-acceptance-pr-3", headSha: "4".repeat(40), files: {} });
    const run = await check("c".repeat(40), "deploy-m1.json");
    expect([run.code, run.stderr]).toEqual([
      2,
      `error: pull request #3 has no successful preview of acceptance for its last commit 333333333333: no artifact fingerprint-acceptance-pr-3 from it (1 from earlier commits); re-run its preview (preview.yml), or deploy with the override\n`,
    ]);
    const direct = await check("d".repeat(40), "deploy-m1.json");
    expect([direct.code, direct.stderr]).toEqual([
      2,
      `error: no pull request of acme/platform was merged as ${"d".repeat(40)}: nothing previewed what it deploys\n`,
    ]);
  });

  test("a deploy preview that failed, or printed nothing; the override does not pass it", async () => {
    writeFileSync(
      file("failed.json"),
      JSON.stringify({
        steps: [],
        diagnostics: [
          { message: "error: preview failed: Kubernetes cluster unreachable\n", severity: "error" },
        ],
      }),
    );
    writeFileSync(file("empty.json"), "");
    const failed = await check(commits.m1, "failed.json", "--override", "incident 42");
    expect([failed.code, failed.stdout, failed.stderr]).toEqual([
      2,
      "",
      `error: ${file("failed.json")}: the preview failed, so it plans nothing that can be compared:\n  error: preview failed: Kubernetes cluster unreachable\n`,
    ]);
    const empty = await check(commits.m1, "empty.json");
    expect([empty.code, empty.stderr]).toEqual([
      2,
      `error: the preview ${file("empty.json")} is empty: pulumi preview --json failed before it printed its result (see its log)\n`,
    ]);
    const badCommit = await check("main", "deploy-m1.json");
    expect([badCommit.code, badCommit.stderr]).toEqual([
      2,
      "error: --commit 'main' is not a full commit SHA (40 lowercase hex)\n",
    ]);
  });
});

test("a drifted resource shows as an added operation: the deployed world differs from the program", async () => {
  git("checkout", "--quiet", commits.m1);
  const config = pulumiConfig(readFileSync(path.join(copy.dir, "Pulumi.acceptance.yaml"), "utf8"));
  const planned = await runPlan({ dir: copy.dir, stack: "acceptance", config, timeoutSeconds: 120 });
  // Someone shortened the backup retention in the portal after the pull request's preview.
  const drifted = {
    ...planned,
    registrations: planned.registrations.map((registration) =>
      registration.urn === mysqlServer
        ? {
            ...registration,
            inputs: {
              ...registration.inputs,
              backup: { backupRetentionDays: 1, geoRedundantBackup: "Disabled" },
            },
          }
        : registration,
    ),
  };
  const previewed = operationsOf(previewOfRuns(planned, planned), "acceptance", "the pull request's preview");
  const now = operationsOf(previewOfRuns(drifted, planned), "acceptance", "the deploy's preview");
  const { added, missing } = compareOperations(previewed, now);
  expect(formatOperations(added)).toBe(`  update ${mysqlServer} (backup.backupRetentionDays)\n`);
  expect(missing).toEqual([]);
});
