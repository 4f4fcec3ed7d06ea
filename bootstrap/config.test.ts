import { StackConfigError } from "../stack-config/schema";
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
  test("reads the registry (Premium, 30 days for untagged manifests, any address by default) and leaves GitHub off when it is not set", () => {
    expect(parseBootstrapConfig(valid)).toEqual({
      location: "westeurope",
      registry: { name: "teamacr01", sku: "Premium", untaggedRetentionDays: 30, allowedIpRanges: [] },
    });
  });

  test("reads the retention days (as Pulumi passes them: a string) and the allowed ranges", () => {
    expect(
      parseBootstrapConfig({
        ...valid,
        "platform-bootstrap:registryUntaggedRetentionDays": "7",
        "platform-bootstrap:registryAllowedIpRanges": ["203.0.113.0/28", "198.51.100.7"],
      }).registry,
    ).toEqual({
      name: "teamacr01",
      sku: "Premium",
      untaggedRetentionDays: 7,
      allowedIpRanges: ["203.0.113.0/28", "198.51.100.7"],
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
        "platform-bootstrap:owner: unknown key; allowed platform-bootstrap keys: registryName, registrySku, registryUntaggedRetentionDays, registryAllowedIpRanges, github",
        "platform-bootstrap:registrySku: 'Gold' is not Premium; the clusters pull through a private endpoint and untagged manifests expire, both Premium only (docs/decisions/0016)",
      ],
    ],
    [
      "a Standard registry: private endpoints and retention need Premium",
      { ...valid, "platform-bootstrap:registrySku": "Standard" },
      [
        "platform-bootstrap:registrySku: 'Standard' is not Premium; the clusters pull through a private endpoint and untagged manifests expire, both Premium only (docs/decisions/0016)",
      ],
    ],
    [
      "retention days out of range and ranges that are not IPv4 CIDRs or allow everyone",
      {
        ...valid,
        "platform-bootstrap:registryUntaggedRetentionDays": "400",
        "platform-bootstrap:registryAllowedIpRanges": ["0.0.0.0/0", "10.0.0.0/33", "2001:db8::/32"],
      },
      [
        "platform-bootstrap:registryAllowedIpRanges: '0.0.0.0/0' is not an IPv4 address or range (CIDR) such as 203.0.113.0/28, other than 0.0.0.0/n (every address)",
        "platform-bootstrap:registryAllowedIpRanges: '10.0.0.0/33' is not an IPv4 address or range (CIDR) such as 203.0.113.0/28, other than 0.0.0.0/n (every address)",
        "platform-bootstrap:registryAllowedIpRanges: '2001:db8::/32' is not an IPv4 address or range (CIDR) such as 203.0.113.0/28, other than 0.0.0.0/n (every address)",
        "platform-bootstrap:registryUntaggedRetentionDays: '400' is not a whole number of days from 0 to 365",
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
      "GitHub settings without a reviewer for an environment after the first: its previews would run unapproved",
      {
        ...valid,
        "platform-bootstrap:github": {
          repository: "acme/platform",
          reviewers: { acceptance: ["platform-leads"], production: [] },
          codeOwners: ["@acme/platform-leads"],
        },
      },
      [
        "platform-bootstrap:github.reviewers.production: missing; name at least one team, which approves each pull request's preview of production (its state token, docs/decisions/0041)",
      ],
    ],
    [
      "GitHub settings without code owners for the downstream stack files",
      { ...valid, "platform-bootstrap:github": { repository: "acme/platform", codeOwners: [] } },
      [
        "platform-bootstrap:github.codeOwners: empty; name who reviews every change: CODEOWNERS covers the whole repository (@org/team)",
      ],
    ],
    [
      "GitHub settings that are not a map",
      { ...valid, "platform-bootstrap:github": "acme/platform" },
      [
        "platform-bootstrap:github: expected a map { repository, reviewers?, codeOwners }, found 'acme/platform'",
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
