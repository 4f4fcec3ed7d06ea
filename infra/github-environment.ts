import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link GitHubEnvironment}. */
export interface GitHubEnvironmentArgs {
  /** The repository's name, without its owner (the provider's `owner` names the owner). */
  readonly repository: string;
  /** Name of the deployment environment: the stack it deploys, e.g. `production`. */
  readonly environment: string;
  /**
   * Slugs of the organization teams that must approve a deploy job before it runs (any one
   * member of them is enough; GitHub allows at most 6). The teams need read access to the
   * repository. Empty: jobs run without approval.
   */
  readonly reviewerTeams: readonly string[];
  /**
   * Only branches with branch protection rules may deploy: the default branch, the only one
   * the repository settings protect. False: any branch may deploy.
   */
  readonly defaultBranchOnly: boolean;
  /**
   * Whether the person who triggered a run may approve it: false keeps a pull request's author
   * from approving the run of their own code.
   * @default GitHub's: self-review allowed
   */
  readonly preventSelfReview?: boolean;
  /** Environment variables (`vars.<NAME>` in its jobs), by name. */
  readonly variables: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * A GitHub deployment environment: who approves its jobs, which branches may deploy to it, and
 * its variables (which override repository variables of the same name in its jobs).
 */
export class GitHubEnvironment extends pulumi.ComponentResource {
  readonly environment: pulumi.Output<string>;

  constructor(name: string, args: GitHubEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:github:GitHubEnvironment", name, {}, opts);
    checkGitHubEnvironmentArgs(args);

    const teamIds = args.reviewerTeams.map((slug) =>
      github.getTeamOutput({ slug, summaryOnly: true }, { parent: this }).id.apply((id) => teamId(slug, id)),
    );
    const environment = new github.RepositoryEnvironment(
      `${name}-environment`,
      {
        repository: args.repository,
        environment: args.environment,
        reviewers: teamIds.length > 0 ? [{ teams: teamIds }] : undefined,
        ...(args.preventSelfReview === undefined ? {} : { preventSelfReview: args.preventSelfReview }),
        deploymentBranchPolicy: args.defaultBranchOnly
          ? { protectedBranches: true, customBranchPolicies: false }
          : undefined,
      },
      { parent: this },
    );
    for (const [variableName, value] of Object.entries(args.variables)) {
      new github.ActionsEnvironmentVariable(
        `${name}-${variableName}`,
        {
          repository: args.repository,
          // From the environment resource, so the variable waits for the environment to exist.
          environment: environment.environment,
          variableName,
          value,
        },
        { parent: this },
      );
    }

    this.environment = environment.environment;
    this.registerOutputs({ environment: this.environment });
  }
}

/** GitHub returns a team's id as a decimal string; reviewers take it as a number. */
export function teamId(slug: string, id: string | undefined): number {
  const value = Number(id);
  if (id === undefined || !/^\d+$/.test(id) || !Number.isSafeInteger(value))
    throw new Error(`GitHub team '${slug}': expected a numeric team id, got '${String(id)}'`);
  return value;
}

// Letters, digits and '_', not starting with a digit or with GITHUB_ (GitHub's naming rules).
const variableNamePattern = /^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/i;

function checkGitHubEnvironmentArgs(args: GitHubEnvironmentArgs): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._-]+$/.test(args.repository))
    problems.push(`repository: '${args.repository}' is not a repository name (without owner)`);
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(args.environment))
    problems.push(`environment: '${args.environment}' is not letters, digits, '.', '_' and '-'`);
  if (args.reviewerTeams.length > 6)
    problems.push(`reviewerTeams: ${args.reviewerTeams.length} teams, GitHub allows at most 6`);
  if (new Set(args.reviewerTeams).size !== args.reviewerTeams.length)
    problems.push(`reviewerTeams: '${args.reviewerTeams.join(", ")}' names a team twice`);
  for (const slug of args.reviewerTeams)
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(slug))
      problems.push(`reviewerTeams: '${slug}' is not a team slug (lower case, without the organization)`);
  const names = Object.keys(args.variables);
  for (const variableName of names)
    if (!variableNamePattern.test(variableName))
      problems.push(
        `variables.${variableName}: not a variable name (letters, digits and '_', not starting with a digit or GITHUB_)`,
      );
  // GitHub compares variable names case-insensitively.
  if (new Set(names.map((n) => n.toUpperCase())).size !== names.length)
    problems.push(`variables: '${names.join(", ")}' names a variable twice (GitHub ignores case)`);
  if (problems.length > 0) throw new Error(`GitHubEnvironment ${args.environment}: ${problems.join("; ")}`);
}
