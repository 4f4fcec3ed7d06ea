import { StackConfigError } from "../environments/stack-config";
import { parseBootstrapConfig, registryLoginServer } from "./config";

const valid = {
  "azure-native:location": "westeurope",
  "platform-bootstrap:registryName": "teamacr01",
};

function problems(config: Record<string, unknown>): readonly string[] {
  try {
    parseBootstrapConfig(config);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("parseBootstrapConfig", () => {
  test("reads the registry (Standard by default) and leaves GitHub off when it is not set", () => {
    expect(parseBootstrapConfig(valid)).toEqual({
      location: "westeurope",
      registry: { name: "teamacr01", sku: "Standard" },
    });
  });

  test("reads the GitHub settings: repository split, reviewers per environment, code owners", () => {
    const config = parseBootstrapConfig({
      ...valid,
      "platform-bootstrap:registrySku": "Premium",
      "platform-bootstrap:github": {
        repository: "acme/platform",
        reviewers: { production: ["platform-leads"] },
        codeOwners: ["@acme/platform-leads"],
      },
    });
    expect(config.registry.sku).toBe("Premium");
    expect(config.github).toEqual({
      owner: "acme",
      repository: "platform",
      reviewers: { production: ["platform-leads"] },
      codeOwners: ["@acme/platform-leads"],
    });
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "no registry name: it is global in Azure, so there is no default",
      { "azure-native:location": "westeurope" },
      [
        "platform-bootstrap:registryName: missing; choose a name of 5-50 letters and digits that is free in Azure (az acr check-name --name <name>)",
      ],
    ],
    [
      "a registry name Azure refuses",
      { ...valid, "platform-bootstrap:registryName": "team-acr" },
      [
        "platform-bootstrap:registryName: 'team-acr' is not a registry name; choose a name of 5-50 letters and digits that is free in Azure (az acr check-name --name <name>)",
      ],
    ],
    [
      "a short registry name",
      { ...valid, "platform-bootstrap:registryName": "acr1" },
      [
        "platform-bootstrap:registryName: 'acr1' is not a registry name; choose a name of 5-50 letters and digits that is free in Azure (az acr check-name --name <name>)",
      ],
    ],
    [
      "an unknown SKU, an unknown key and no location",
      {
        "platform-bootstrap:registryName": "teamacr01",
        "platform-bootstrap:registrySku": "Gold",
        "platform-bootstrap:owner": "x",
      },
      [
        "azure-native:location: missing; set the Azure region, for example westeurope",
        "platform-bootstrap:owner: unknown key; allowed platform-bootstrap keys: registryName, registrySku, github",
        "platform-bootstrap:registrySku: 'Gold' is not one of Basic, Standard, Premium",
      ],
    ],
    [
      "bad GitHub settings, each named",
      {
        ...valid,
        "platform-bootstrap:github": {
          repository: "platform",
          reviewers: { staging: ["leads"], production: ["Leads!"] },
          codeOwners: ["team"],
          owner: "x",
        },
      },
      [
        "platform-bootstrap:github.codeOwners.0: 'team' is not @user or @org/team",
        "platform-bootstrap:github.owner: unknown key; allowed: repository, reviewers, codeOwners",
        "platform-bootstrap:github.repository: 'platform' is not a repository; expected owner/name",
        "platform-bootstrap:github.reviewers.production.0: 'Leads!' is not a team slug",
        "platform-bootstrap:github.reviewers.staging: unknown environment; expected one of acceptance, production",
      ],
    ],
    [
      "GitHub settings without code owners for the downstream stack files",
      { ...valid, "platform-bootstrap:github": { repository: "acme/platform", codeOwners: [] } },
      [
        "platform-bootstrap:github.codeOwners: empty; name who reviews every change: CODEOWNERS covers the whole repository (@org/team)",
      ],
    ],
  ])("refuses %s", (_, config, expected) => {
    expect(problems(config)).toEqual(expected);
  });

  test("the error names the bootstrap stack file", () => {
    expect(() => parseBootstrapConfig({})).toThrow("bootstrap/Pulumi.shared.yaml is not valid:");
  });
});

test("registryLoginServer is the registry name in lowercase on azurecr.io", () => {
  expect(registryLoginServer("TeamACR01")).toBe("teamacr01.azurecr.io");
});
