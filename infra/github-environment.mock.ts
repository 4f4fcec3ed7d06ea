import { fakeHash, noOutputs, type Fakes } from "./fake-kit";

export const gitHubEnvironmentFakes: Fakes = {
  source: "infra/github-environment.mock.ts",
  resources: {
    "github:index/repositoryEnvironment:RepositoryEnvironment": noOutputs,
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": noOutputs,
  },
  calls: {
    "github:index/getTeam:getTeam": ({ inputs }) => {
      const slug = String(inputs["slug"]);
      // GitHub team ids are numbers; the provider returns them as decimal strings.
      return {
        id: String(parseInt(fakeHash(slug).slice(0, 6), 16)),
        slug,
        name: slug,
        members: [],
        repositories: [],
      };
    },
  },
};
