import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

/** One line of CODEOWNERS: who must review changes to `path`. */
export interface CodeOwnersEntry {
  /** A CODEOWNERS pattern, e.g. `/Pulumi.production.yaml` (leading `/`: from the root). */
  readonly path: string;
  /** `@user`, `@org/team` or an email address; at least one. */
  readonly owners: readonly string[];
}

/** Arguments of {@link GitHubRepositorySettings}. */
export interface GitHubRepositorySettingsArgs {
  /** The repository's name, without its owner (the provider's `owner` names the owner). */
  readonly repository: string;
  /** The branch every change reaches through a pull request, e.g. `main`. */
  readonly defaultBranch: string;
  /**
   * Status checks a pull request needs before it merges: the names of the jobs that report
   * them (`.github/required-checks.json`, read with {@link readRequiredChecks}).
   */
  readonly requiredChecks: readonly string[];
  /** The CODEOWNERS entries, in order (the last matching pattern wins). */
  readonly codeOwners: readonly CodeOwnersEntry[];
  /**
   * The GitHub App (its id) that alone may create verification records and move `deployed/*`.
   * @default none: nobody can create them
   */
  readonly recorderAppId?: number;
}

/** The tags that record what the environments ran: created by the recorder only. */
export const recordTagPatterns = ["refs/tags/verified/**", "refs/tags/deployed/**"];

/**
 * The repository-wide GitHub settings, owned by the stack that owns shared resources: branch
 * protection on the default branch (a reviewed pull request with the required checks passing,
 * stale approvals dismissed, code owners' review, for admins too) and `.github/CODEOWNERS`.
 */
export class GitHubRepositorySettings extends pulumi.ComponentResource {
  constructor(name: string, args: GitHubRepositorySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Registered as `platform:github:RepositorySettings` before it had its class's name: the alias
    // keeps existing stacks from replacing the branch protection and CODEOWNERS.
    super(
      "platform:github:GitHubRepositorySettings",
      name,
      {},
      {
        ...opts,
        aliases: [{ type: "platform:github:RepositorySettings" }, ...(opts?.aliases ?? [])],
      },
    );
    checkRepositorySettingsArgs(args);

    const codeOwners = new github.RepositoryFile(
      `${name}-codeowners`,
      {
        repository: args.repository,
        branch: args.defaultBranch,
        file: ".github/CODEOWNERS",
        content: codeOwnersFile(args.codeOwners),
        commitMessage: "Update CODEOWNERS (managed by Pulumi)",
        // The file may exist already; from now on this is its source.
        overwriteOnCreate: true,
      },
      { parent: this },
    );
    new github.BranchProtection(
      `${name}-default-branch`,
      {
        repositoryId: args.repository,
        pattern: args.defaultBranch,
        enforceAdmins: true,
        allowsDeletions: false,
        allowsForcePushes: false,
        requiredPullRequestReviews: [
          {
            dismissStaleReviews: true,
            requireCodeOwnerReviews: true,
            requiredApprovingReviewCount: 1,
          },
        ],
        requiredStatusChecks: [{ strict: true, contexts: [...args.requiredChecks] }],
      },
      // The file is committed straight to the branch, which the protection then closes to
      // anything but pull requests.
      { parent: this, dependsOn: [codeOwners] },
    );
    // Verification records and deployed/*: only the recorder App creates (and moves deployed/*).
    // A ruleset's bypass covers all of its rules, so the records' immutability is a second
    // ruleset that nobody bypasses: rules of every matching ruleset apply together. The GitHub
    // Actions app itself cannot be a bypass actor, and any workflow on any branch gets a
    // GITHUB_TOKEN, so the recorder is an App whose key only the deploy environments hold
    // (docs/decisions/0046).
    new github.RepositoryRuleset(
      `${name}-record-writers`,
      {
        repository: args.repository,
        name: "records: created by the recorder only",
        target: "tag",
        enforcement: "active",
        conditions: { refName: { includes: [...recordTagPatterns], excludes: [] } },
        rules: { creation: true, update: true, deletion: true, nonFastForward: true },
        bypassActors:
          args.recorderAppId === undefined
            ? []
            : [{ actorType: "Integration", actorId: args.recorderAppId, bypassMode: "always" }],
      },
      { parent: this },
    );
    new github.RepositoryRuleset(
      `${name}-records-immutable`,
      {
        repository: args.repository,
        name: "records: never moved or deleted",
        target: "tag",
        enforcement: "active",
        conditions: { refName: { includes: ["refs/tags/verified/**"], excludes: [] } },
        rules: { update: true, deletion: true, nonFastForward: true },
        bypassActors: [],
      },
      { parent: this },
    );
    // "Rebase and merge" puts every commit of a pull request on the default branch's first-parent
    // history: merge commits and squashes only. Branch protection above still holds the reviews;
    // this ruleset's pull request rule repeats them, as a pull_request rule must name them.
    new github.RepositoryRuleset(
      `${name}-merge-methods`,
      {
        repository: args.repository,
        name: "default branch: no rebase merges",
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
        rules: {
          pullRequest: {
            allowedMergeMethods: ["merge", "squash"],
            dismissStaleReviewsOnPush: true,
            requireCodeOwnerReview: true,
            requiredApprovingReviewCount: 1,
            requireLastPushApproval: false,
            requiredReviewThreadResolution: false,
          },
        },
        bypassActors: [],
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}

/** The text of `.github/CODEOWNERS`: a header, then one line per entry. */
export function codeOwnersFile(entries: readonly CodeOwnersEntry[]): string {
  const problems = codeOwnersProblems(entries);
  if (problems.length > 0) throw new Error(`CODEOWNERS: ${problems.join("; ")}`);
  return [
    "# Managed by Pulumi (platform:github:GitHubRepositorySettings of the stack that owns shared",
    "# resources): changes made here are overwritten by the next `pulumi up`.",
    ...entries.map((entry) => `${entry.path} ${entry.owners.join(" ")}`),
    "",
  ].join("\n");
}

/**
 * The required status checks in `.github/required-checks.json`: a non-empty JSON array of
 * distinct, non-empty strings.
 */
export function readRequiredChecks(text: string): string[] {
  const where = ".github/required-checks.json";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`, { cause: error });
  }
  if (!Array.isArray(value) || value.length === 0)
    throw new Error(`${where}: expected a non-empty array of check names, found ${JSON.stringify(value)}`);
  const checks: string[] = [];
  value.forEach((check: unknown, index) => {
    if (typeof check !== "string" || check.trim() === "")
      throw new Error(`${where}[${index}]: expected a check name, found ${JSON.stringify(check)}`);
    if (checks.includes(check)) throw new Error(`${where}[${index}]: '${check}' is listed twice`);
    checks.push(check);
  });
  return checks;
}

const ownerPattern = /^(@[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+)$/;

function codeOwnersProblems(entries: readonly CodeOwnersEntry[]): string[] {
  const problems: string[] = [];
  entries.forEach((entry, index) => {
    const at = `codeOwners[${index}]`;
    if (!/^[^\s#]\S*$/.test(entry.path))
      problems.push(`${at}.path: '${entry.path}' is empty, has whitespace or starts with '#'`);
    if (entry.owners.length === 0) problems.push(`${at}.owners: names no owner of '${entry.path}'`);
    for (const owner of entry.owners)
      if (!ownerPattern.test(owner))
        problems.push(`${at}.owners: '${owner}' is not @user, @org/team or an email address`);
  });
  return problems;
}

function checkRepositorySettingsArgs(args: GitHubRepositorySettingsArgs): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._-]+$/.test(args.repository))
    problems.push(`repository: '${args.repository}' is not a repository name (without owner)`);
  if (!/^[^\s*?[]+$/.test(args.defaultBranch))
    problems.push(`defaultBranch: '${args.defaultBranch}' is not a branch name (no whitespace or wildcards)`);
  if (args.requiredChecks.length === 0) problems.push("requiredChecks: names no check");
  for (const check of args.requiredChecks)
    if (check.trim() === "") problems.push("requiredChecks: contains an empty name");
  if (new Set(args.requiredChecks).size !== args.requiredChecks.length)
    problems.push(`requiredChecks: '${args.requiredChecks.join(", ")}' names a check twice`);
  if (args.codeOwners.length === 0) problems.push("codeOwners: names no entry");
  problems.push(...codeOwnersProblems(args.codeOwners));
  if (problems.length > 0) throw new Error(`GitHubRepositorySettings: ${problems.join("; ")}`);
}
