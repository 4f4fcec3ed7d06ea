import type { ProgramRun, Registration } from "../engine/mock-engine";
import { ofType, runIsolated } from "../test/program";
import type { GitHubEnvironmentArgs } from "./github-environment";

const getTeam = "github:index/getTeam:getTeam";
/** What GitHub answers for the teams of these tests (getTeam's result shape, summary only). */
const teams: Readonly<Record<string, { id: string; nodeId: string }>> = {
  "platform-approvers": { id: "4242", nodeId: "T_kwDOAAAAAA" },
  "release-managers": { id: "77", nodeId: "T_kwDOBBBBBB" },
};

/**
 * Builds only a GitHubEnvironment under the mock engine. The shared mock engine answers no
 * GitHub invoke, so this run answers `getTeam` for the teams above (and delegates the rest).
 */
const gitHubEnvironment = (args: GitHubEnvironmentArgs): Promise<ProgramRun> =>
  runIsolated(async (pulumi) => {
    const { mocks } = pulumi.runtime.getMonitor() as unknown as {
      mocks: { call(args: { token: string; inputs: Record<string, unknown> }): unknown };
    };
    const call = mocks.call.bind(mocks);
    mocks.call = (request) => {
      const answer = call(request) as Record<string, unknown>;
      if (request.token !== getTeam) return answer;
      const slug = String(request.inputs["slug"]);
      const team = teams[slug];
      return team ? { ...answer, ...team, slug, name: slug } : answer;
    };
    const { GitHubEnvironment } = await import("./github-environment");
    const environment = new GitHubEnvironment(args.environment, args);
    return { environment: environment.environment };
  });

const environmentOf = (run: ProgramRun): Registration => {
  const [environment, ...others] = ofType(run, "github:index/repositoryEnvironment:RepositoryEnvironment");
  expect(others).toEqual([]);
  return environment!;
};
const variablesOf = (run: ProgramRun) =>
  ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
    .map((variable) => variable.inputs)
    .sort((a, b) => String(a["variableName"]).localeCompare(String(b["variableName"])));

const azureVariables = (environment: string) => ({
  AZURE_CLIENT_ID: `client-${environment}`,
  AZURE_TENANT_ID: "00000000-0000-0000-0000-000000000002",
  AZURE_SUBSCRIPTION_ID: "00000000-0000-0000-0000-000000000001",
  REGISTRY_LOGIN_SERVER: "acrplatform.azurecr.io",
});

describe("production", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await gitHubEnvironment({
      repository: "platform",
      environment: "production",
      reviewerTeams: ["platform-approvers"],
      defaultBranchOnly: true,
      variables: azureVariables("production"),
    });
  });

  test("requires a reviewer of the approvers team and deploys from the default branch only", () => {
    expect(environmentOf(run).inputs).toEqual({
      repository: "platform",
      environment: "production",
      reviewers: [{ teams: [4242] }],
      deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
    });
    expect(run.invocations.filter((invocation) => invocation.token === getTeam)).toEqual([
      { token: getTeam, inputs: { slug: "platform-approvers", summaryOnly: true } },
    ]);
  });

  test("holds the Azure login and registry variables the deploy job reads", () => {
    expect(variablesOf(run)).toEqual([
      {
        repository: "platform",
        environment: "production",
        variableName: "AZURE_CLIENT_ID",
        value: "client-production",
      },
      {
        repository: "platform",
        environment: "production",
        variableName: "AZURE_SUBSCRIPTION_ID",
        value: "00000000-0000-0000-0000-000000000001",
      },
      {
        repository: "platform",
        environment: "production",
        variableName: "AZURE_TENANT_ID",
        value: "00000000-0000-0000-0000-000000000002",
      },
      {
        repository: "platform",
        environment: "production",
        variableName: "REGISTRY_LOGIN_SERVER",
        value: "acrplatform.azurecr.io",
      },
    ]);
  });

  test("every variable waits for the environment to exist", () => {
    const environment = environmentOf(run);
    for (const variable of ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"))
      expect(variable.dependencies).toContain(environment.urn);
  });

  test("the resources are children of the component", () => {
    const component = only(run, "platform:github:GitHubEnvironment");
    const children = run.registrations.filter((r) => r.type.startsWith("github:"));
    expect(children.map((child) => child.parent)).toEqual(children.map(() => component.urn));
    expect(run.outputs).toEqual({ environment: "production" });
  });
});

test("acceptance: no reviewers, any branch, only its variables", async () => {
  const run = await gitHubEnvironment({
    repository: "platform",
    environment: "acceptance",
    reviewerTeams: [],
    defaultBranchOnly: false,
    variables: azureVariables("acceptance"),
  });
  expect(environmentOf(run).inputs).toEqual({ repository: "platform", environment: "acceptance" });
  expect(run.invocations.filter((invocation) => invocation.token === getTeam)).toEqual([]);
  expect(variablesOf(run).map((variable) => [variable["variableName"], variable["value"]])).toEqual([
    ["AZURE_CLIENT_ID", "client-acceptance"],
    ["AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-000000000001"],
    ["AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000002"],
    ["REGISTRY_LOGIN_SERVER", "acrplatform.azurecr.io"],
  ]);
});

test("several reviewer teams are all required reviewers, by id", async () => {
  const run = await gitHubEnvironment({
    repository: "platform",
    environment: "production",
    reviewerTeams: ["platform-approvers", "release-managers"],
    defaultBranchOnly: true,
    variables: {},
  });
  expect(environmentOf(run).inputs["reviewers"]).toEqual([{ teams: [4242, 77] }]);
  expect(variablesOf(run)).toEqual([]);
});

test("teamId takes GitHub's decimal id and refuses anything else", async () => {
  const { teamId } = await import("./github-environment");
  expect(teamId("platform-approvers", "4242")).toBe(4242);
  expect(() => teamId("ghost", undefined)).toThrow(
    "GitHub team 'ghost': expected a numeric team id, got 'undefined'",
  );
  expect(() => teamId("odd", "T_kwDO")).toThrow(
    "GitHub team 'odd': expected a numeric team id, got 'T_kwDO'",
  );
});

test("bad arguments are reported together, each with the value found", async () => {
  await expect(
    gitHubEnvironment({
      repository: "contoso/platform",
      environment: "production",
      reviewerTeams: ["Contoso/Approvers"],
      defaultBranchOnly: true,
      variables: { GITHUB_TOKEN: "x", "1X": "y" },
    }),
  ).rejects.toThrow(
    "GitHubEnvironment production: repository: 'contoso/platform' is not a repository name (without owner); " +
      "reviewerTeams: 'Contoso/Approvers' is not a team slug (lower case, without the organization); " +
      "variables.GITHUB_TOKEN: not a variable name (letters, digits and '_', not starting with a digit or GITHUB_); " +
      "variables.1X: not a variable name (letters, digits and '_', not starting with a digit or GITHUB_)",
  );
});

function only(run: ProgramRun, type: string): Registration {
  const found = ofType(run, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
