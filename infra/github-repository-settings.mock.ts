import { noOutputs, type Fakes } from "./fake-kit";

export const gitHubRepositorySettingsFakes: Fakes = {
  source: "infra/github-repository-settings.mock.ts",
  resources: {
    "github:index/repositoryFile:RepositoryFile": noOutputs,
    "github:index/branchProtection:BranchProtection": noOutputs,
    // Outputs nothing the program reads (no rule's validation is modelled yet).
    "github:index/repositoryRuleset:RepositoryRuleset": noOutputs,
  },
};
