import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ProgramRun } from "../engine/mock-engine";
import { only, runIsolated } from "../test/program";
import type { GitHubRepositorySettingsArgs } from "./github-repository-settings";

const root = join(__dirname, "..");
const requiredChecksText = readFileSync(join(root, ".github/required-checks.json"), "utf8");
const requiredChecksFile = JSON.parse(requiredChecksText) as string[];

interface Workflow {
  readonly on: string | readonly string[] | Readonly<Record<string, unknown>>;
  readonly jobs: Readonly<Record<string, { readonly name?: string }>>;
}

/** The check each job of a workflow reports: its `name:`, or its id when it has none. */
const workflows = readdirSync(join(root, ".github/workflows"))
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => parse(readFileSync(join(root, ".github/workflows", file), "utf8")) as Workflow);
const triggers = (workflow: Workflow): readonly string[] =>
  typeof workflow.on === "string"
    ? [workflow.on]
    : Array.isArray(workflow.on)
      ? (workflow.on as readonly string[])
      : Object.keys(workflow.on);
const checksOf = (workflow: Workflow): string[] =>
  Object.entries(workflow.jobs).map(([id, job]) => job.name ?? id);
/** Checks that report on pull requests: the only ones a merge can wait for. */
const pullRequestChecks = workflows
  .filter((workflow) => triggers(workflow).includes("pull_request"))
  .flatMap(checksOf);
/** Pull request jobs that are not required: they only decide which other jobs run. */
const routingJobs = ["changes"];

const settingsArgs = (
  overrides: Partial<GitHubRepositorySettingsArgs> = {},
): GitHubRepositorySettingsArgs => ({
  repository: "platform",
  defaultBranch: "main",
  requiredChecks: requiredChecksFile,
  codeOwners: [{ path: "/Pulumi.production.yaml", owners: ["@contoso/platform-approvers"] }],
  ...overrides,
});

/** Builds only GitHubRepositorySettings under the mock engine. */
const repositorySettings = (args: GitHubRepositorySettingsArgs): Promise<ProgramRun> =>
  runIsolated(
    async () => {
      const { GitHubRepositorySettings } = await import("./github-repository-settings");
      new GitHubRepositorySettings("repository", args);
      return {};
    },
    { stack: "acceptance" },
  );

describe("the default branch and CODEOWNERS", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    const { readRequiredChecks } = await import("./github-repository-settings");
    run = await repositorySettings(settingsArgs({ requiredChecks: readRequiredChecks(requiredChecksText) }));
  });
  const protection = () => only(run, "github:index/branchProtection:BranchProtection");
  const codeOwners = () => only(run, "github:index/repositoryFile:RepositoryFile");

  test("take a reviewed pull request, stale approvals dismissed, code owners' review, for admins too", () => {
    expect(protection().inputs).toMatchObject({
      repositoryId: "platform",
      pattern: "main",
      enforceAdmins: true,
      allowsDeletions: false,
      allowsForcePushes: false,
      requiredPullRequestReviews: [
        { dismissStaleReviews: true, requireCodeOwnerReviews: true, requiredApprovingReviewCount: 1 },
      ],
    });
  });

  test("require, up to date with the branch, the checks of .github/required-checks.json", () => {
    expect(protection().inputs["requiredStatusChecks"]).toEqual([
      { strict: true, contexts: ["test", "preview (acceptance)", "preview (production)", "diff", "gate"] },
    ]);
    expect(protection().inputs["requiredStatusChecks"]).toEqual([
      { strict: true, contexts: requiredChecksFile },
    ]);
  });

  test("the required checks are the jobs the pull request workflows define, each defined once", () => {
    for (const check of requiredChecksFile)
      expect(pullRequestChecks.filter((name) => name === check)).toEqual([check]);
    expect(pullRequestChecks.filter((name) => !requiredChecksFile.includes(name)).sort()).toEqual(
      routingJobs,
    );
  });

  test("CODEOWNERS on the default branch gives the production stack file its reviewers", () => {
    expect(codeOwners().inputs).toEqual({
      repository: "platform",
      branch: "main",
      file: ".github/CODEOWNERS",
      content:
        "# Managed by Pulumi (platform:github:GitHubRepositorySettings of the stack that owns shared\n" +
        "# resources): changes made here are overwritten by the next `pulumi up`.\n" +
        "/Pulumi.production.yaml @contoso/platform-approvers\n",
      commitMessage: "Update CODEOWNERS (managed by Pulumi)",
      overwriteOnCreate: true,
    });
  });

  test("the file is committed before the protection closes the branch to direct commits", () => {
    expect(protection().dependencies).toContain(codeOwners().urn);
  });

  test("both are children of the component", () => {
    const component = only(run, "platform:github:GitHubRepositorySettings");
    expect([protection().parent, codeOwners().parent]).toEqual([component.urn, component.urn]);
  });

  test("the component answers to its former type, so that existing stacks keep their resources", () => {
    expect(only(run, "platform:github:GitHubRepositorySettings").aliases).toEqual([
      "type:platform:github:RepositorySettings",
    ]);
  });
});

describe("codeOwnersFile", () => {
  test("renders a header and one line per entry, in order", async () => {
    const { codeOwnersFile } = await import("./github-repository-settings");
    expect(
      codeOwnersFile([
        { path: "*", owners: ["@contoso/platform"] },
        { path: "/Pulumi.production.yaml", owners: ["@contoso/platform-approvers", "ops@contoso.example"] },
      ]),
    ).toBe(
      "# Managed by Pulumi (platform:github:GitHubRepositorySettings of the stack that owns shared\n" +
        "# resources): changes made here are overwritten by the next `pulumi up`.\n" +
        "* @contoso/platform\n" +
        "/Pulumi.production.yaml @contoso/platform-approvers ops@contoso.example\n",
    );
  });

  test.each([
    [
      { path: "/a b", owners: ["@x"] },
      "codeOwners[0].path: '/a b' is empty, has whitespace or starts with '#'",
    ],
    [{ path: "#x", owners: ["@x"] }, "codeOwners[0].path: '#x' is empty, has whitespace or starts with '#'"],
    [{ path: "/x", owners: [] }, "codeOwners[0].owners: names no owner of '/x'"],
    [
      { path: "/x", owners: ["team"] },
      "codeOwners[0].owners: 'team' is not @user, @org/team or an email address",
    ],
  ])("refuses %j", async (entry, message) => {
    const { codeOwnersFile } = await import("./github-repository-settings");
    expect(() => codeOwnersFile([entry])).toThrow(message);
  });
});

describe("the verification records and the merge methods (docs/decisions/0046)", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await repositorySettings(settingsArgs({ recorderAppId: 424242 }));
  });
  const ruleset = "github:index/repositoryRuleset:RepositoryRuleset";

  test("only the recorder App creates verified/* and deployed/* tags", () => {
    expect(only(run, ruleset, "repository-record-writers").inputs).toEqual({
      repository: "platform",
      name: "records: created by the recorder only",
      target: "tag",
      enforcement: "active",
      conditions: { refName: { includes: ["refs/tags/verified/**", "refs/tags/deployed/**"], excludes: [] } },
      rules: { creation: true, update: true, deletion: true, nonFastForward: true },
      bypassActors: [{ actorType: "Integration", actorId: 424242, bypassMode: "always" }],
    });
  });

  test("nobody, the recorder included, moves or deletes a verified/* tag", () => {
    expect(only(run, ruleset, "repository-records-immutable").inputs).toEqual({
      repository: "platform",
      name: "records: never moved or deleted",
      target: "tag",
      enforcement: "active",
      conditions: { refName: { includes: ["refs/tags/verified/**"], excludes: [] } },
      rules: { update: true, deletion: true, nonFastForward: true },
      bypassActors: [],
    });
  });

  test("the default branch takes merge commits and squashes, never a rebase merge", () => {
    const inputs = only(run, ruleset, "repository-merge-methods").inputs;
    expect(inputs["target"]).toBe("branch");
    expect(inputs["conditions"]).toEqual({ refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } });
    expect(
      (inputs["rules"] as { pullRequest: { allowedMergeMethods: string[] } }).pullRequest.allowedMergeMethods,
    ).toEqual(["merge", "squash"]);
    expect(inputs["bypassActors"]).toEqual([]);
  });

  test("without a recorder App nobody can create records", async () => {
    const none = await repositorySettings(settingsArgs());
    expect(only(none, ruleset, "repository-record-writers").inputs["bypassActors"]).toEqual([]);
  });
});

describe("readRequiredChecks", () => {
  test("reads the repository's file", async () => {
    const { readRequiredChecks } = await import("./github-repository-settings");
    expect(readRequiredChecks(requiredChecksText)).toEqual(requiredChecksFile);
    expect(readRequiredChecks('["test"]')).toEqual(["test"]);
  });

  test.each([
    ["not json", ".github/required-checks.json: not JSON ("],
    ["{}", ".github/required-checks.json: expected a non-empty array of check names, found {}"],
    ["[]", ".github/required-checks.json: expected a non-empty array of check names, found []"],
    ['["test", 1]', ".github/required-checks.json[1]: expected a check name, found 1"],
    ['["test", " "]', '.github/required-checks.json[1]: expected a check name, found " "'],
    ['["test", "test"]', ".github/required-checks.json[1]: 'test' is listed twice"],
  ])("refuses %s", async (text, message) => {
    const { readRequiredChecks } = await import("./github-repository-settings");
    expect(() => readRequiredChecks(text)).toThrow(message);
  });
});

test("bad arguments are reported together, each with the value found", async () => {
  await expect(
    repositorySettings(
      settingsArgs({
        repository: "contoso/platform",
        defaultBranch: "release/*",
        requiredChecks: ["test", "test"],
        codeOwners: [],
      }),
    ),
  ).rejects.toThrow(
    "GitHubRepositorySettings: repository: 'contoso/platform' is not a repository name (without owner); " +
      "defaultBranch: 'release/*' is not a branch name (no whitespace or wildcards); " +
      "requiredChecks: 'test, test' names a check twice; codeOwners: names no entry",
  );
});
