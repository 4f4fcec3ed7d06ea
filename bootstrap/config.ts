import * as v from "valibot";
import { environmentNames, type EnvironmentName } from "../environments/settings";
import { quote } from "../lib/values";
import { describe, missing, objectIssue, StackConfigError } from "../stack-config/schema";
import { bootstrapStack, bootstrapStackFile } from "../stack-config/stack-files";

export { bootstrapStack, bootstrapStackFile };

/** The bootstrap project, run by an administrator before any environment. */
export const bootstrapProject = "platform-bootstrap";

/** Resource group of the shared registry: outlives every environment. */
export const sharedResourceGroupName = "rg-platform-shared";
/**
 * Resource group of the deploy identities. No pipeline identity has rights in it, so none can
 * add a federated credential to itself or delete itself.
 */
export const identitiesResourceGroupName = "rg-platform-identities";

/** The GitHub repository whose delivery settings the bootstrap stack keeps. */
export interface GitHubSettings {
  readonly owner: string;
  readonly repository: string;
  /** Per environment, the teams (slugs) that must approve its deployments. */
  readonly reviewers: Readonly<Partial<Record<EnvironmentName, readonly string[]>>>;
  /** Code owners of the whole repository (CODEOWNERS `*`): the workflows, the checks, the program, the stack files. */
  readonly codeOwners: readonly string[];
  /**
   * The id of the GitHub App that writes verification records (`verified/*` tags) and moves
   * `deployed/*`: the only actor the tag rulesets let create them (docs/decisions/0046). Absent:
   * nobody can, and the deploy workflow's record step fails.
   */
  readonly recorderAppId?: number;
}

/** The bootstrap stack's config, parsed and checked. */
export interface BootstrapConfig {
  /** The Azure region of the shared resources and the environments' resource groups. */
  readonly location: string;
  /** The shared container registry. Its name is global in Azure: every team chooses its own. */
  readonly registry: {
    readonly name: string;
    /** Always Premium: private endpoints and retention need it (docs/decisions/0016). */
    readonly sku: "Premium";
    /** Days untagged manifests are kept before Azure deletes them. */
    readonly untaggedRetentionDays: number;
    /** Public IPv4 ranges allowed to reach the registry; empty: any address. */
    readonly allowedIpRanges: readonly string[];
  };
  /** Absent when `platform-bootstrap:github` is not set: GitHub is then set up by hand. */
  readonly github?: GitHubSettings;
}

const namespace = bootstrapProject;
const keys = [
  "registryName",
  "registrySku",
  "registryUntaggedRetentionDays",
  "registryAllowedIpRanges",
  "github",
] as const;

/** Premium: retention of untagged manifests and network rules need it (docs/decisions/0016). */
export const defaultRegistrySku = "Premium";
/** Long enough to notice a moved tag (the pinned-digest check fails at once) and put it back. */
export const defaultUntaggedRetentionDays = 30;
const ipv4Range = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/(3[0-2]|[12]?\d))?$/;

const teamSlugs = v.array(
  v.pipe(
    v.string(),
    v.regex(/^[a-z0-9][a-z0-9-]*$/, (issue) => `${quote(issue.input)} is not a team slug`),
  ),
);

const github = v.strictObject(
  {
    repository: v.pipe(
      v.string((issue) =>
        missing(issue)
          ? "missing; expected owner/name"
          : `${quote(issue.input)} is not a repository; expected owner/name`,
      ),
      v.regex(
        /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
        (issue) => `${quote(issue.input)} is not a repository; expected owner/name`,
      ),
    ),
    recorderAppId: v.optional(
      v.pipe(
        v.number((issue) => `${quote(issue.input)} is not a GitHub App id; expected a number`),
        v.integer((issue) => `${quote(issue.input)} is not a GitHub App id; expected a whole number`),
        v.minValue(1, (issue) => `${quote(issue.input)} is not a GitHub App id; expected a positive number`),
      ),
    ),
    reviewers: v.optional(
      v.record(
        v.picklist(environmentNames, `unknown environment; expected one of ${environmentNames.join(", ")}`),
        teamSlugs,
      ),
      {},
    ),
    codeOwners: v.pipe(
      v.array(
        v.pipe(
          v.string(),
          v.regex(
            /^@[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/,
            (issue) => `${quote(issue.input)} is not @user or @org/team`,
          ),
        ),
        (issue) =>
          missing(issue)
            ? "missing; name who reviews every change: CODEOWNERS covers the whole repository (@org/team)"
            : `expected a list of @user or @org/team, found ${quote(issue.input)}`,
      ),
      v.minLength(
        1,
        "empty; name who reviews every change: CODEOWNERS covers the whole repository (@org/team)",
      ),
    ),
  },
  objectIssue("repository, reviewers, codeOwners", "{ repository, reviewers?, codeOwners }", {
    repository: "missing; expected owner/name",
    codeOwners: "missing; name who reviews every change: CODEOWNERS covers the whole repository (@org/team)",
  }),
);

/** Azure's rule for registry names: 5 to 50 letters and digits, unique across Azure. */
export const registryNamePattern = /^[a-zA-Z0-9]{5,50}$/;

/**
 * Parses the bootstrap stack's `config:` map (`bootstrap/Pulumi.shared.yaml`). Reports every
 * problem at once, before any resource exists.
 *
 * @throws StackConfigError naming each bad key path, the value found and what is allowed.
 */
export function parseBootstrapConfig(
  config: Readonly<Record<string, unknown>>,
  source = bootstrapStackFile,
): BootstrapConfig {
  const problems: string[] = [];
  for (const key of Object.keys(config)) {
    const [prefix, name] = key.split(":", 2);
    if (prefix === namespace && !(keys as readonly string[]).includes(name ?? "")) {
      problems.push(`${key}: unknown key; allowed ${namespace} keys: ${keys.join(", ")}`);
    }
  }

  const location = config["azure-native:location"];
  if (typeof location !== "string" || location.trim() === "") {
    problems.push(
      `azure-native:location: ${location === undefined ? "missing" : `${quote(location)} is not a region name`}; set the Azure region, for example westeurope`,
    );
  }

  const registryName = config[`${namespace}:registryName`];
  if (typeof registryName !== "string" || !registryNamePattern.test(registryName)) {
    problems.push(
      `${namespace}:registryName: ${registryName === undefined ? "missing" : `${quote(registryName)} is not a registry name`}; choose a name of 5-50 letters and digits that is free in Azure (az acr check-name --name <name>)`,
    );
  }

  const sku = config[`${namespace}:registrySku`] ?? defaultRegistrySku;
  if (sku !== "Premium") {
    problems.push(
      `${namespace}:registrySku: ${quote(sku)} is not Premium; the clusters pull through a private endpoint and untagged manifests expire, both Premium only (docs/decisions/0016)`,
    );
  }
  const rawRetention = config[`${namespace}:registryUntaggedRetentionDays`];
  // Pulumi passes config values as strings.
  const retention = rawRetention === undefined ? defaultUntaggedRetentionDays : Number(rawRetention);
  if (!Number.isInteger(retention) || retention < 0 || retention > 365)
    problems.push(
      `${namespace}:registryUntaggedRetentionDays: ${quote(rawRetention)} is not a whole number of days from 0 to 365`,
    );
  const rawRanges = config[`${namespace}:registryAllowedIpRanges`] ?? [];
  const ranges = Array.isArray(rawRanges) ? rawRanges : [rawRanges];
  for (const range of ranges) {
    if (typeof range !== "string" || !ipv4Range.test(range) || range.startsWith("0.0.0.0"))
      problems.push(
        `${namespace}:registryAllowedIpRanges: ${quote(range)} is not an IPv4 address or range (CIDR) such as 203.0.113.0/28, other than 0.0.0.0/n (every address)`,
      );
  }

  const rawGitHub = config[`${namespace}:github`];
  const parsedGitHub = rawGitHub === undefined ? undefined : v.safeParse(github, rawGitHub);
  if (parsedGitHub && !parsedGitHub.success) {
    problems.push(...describe(parsedGitHub.issues, `${namespace}:github`));
  }
  // A pull request's preview of an environment after the first runs with that environment's
  // state token once one of its reviewers approves (docs/decisions/0041): without a reviewer the
  // GitHub environment would let any pull request's code read the stack unapproved.
  if (parsedGitHub?.success) {
    for (const environment of environmentNames.slice(1)) {
      if ((parsedGitHub.output.reviewers[environment] ?? []).length === 0) {
        problems.push(
          `${namespace}:github.reviewers.${environment}: missing; name at least one team, which approves each pull request's preview of ${environment} (its state token, docs/decisions/0041)`,
        );
      }
    }
  }

  if (problems.length > 0) throw new StackConfigError(source, problems.sort());
  const gitHub = parsedGitHub?.success ? parsedGitHub.output : undefined;
  const [owner = "", repository = ""] = gitHub?.repository.split("/") ?? [];
  return {
    location: location as string,
    registry: {
      name: registryName as string,
      sku: "Premium",
      untaggedRetentionDays: retention,
      allowedIpRanges: ranges as string[],
    },
    ...(gitHub
      ? {
          github: {
            owner,
            repository,
            reviewers: gitHub.reviewers,
            codeOwners: gitHub.codeOwners,
            ...(gitHub.recorderAppId !== undefined ? { recorderAppId: gitHub.recorderAppId } : {}),
          },
        }
      : {}),
  };
}

/** The login server of an Azure Container Registry: its name in lowercase + `.azurecr.io`. */
export function registryLoginServer(registryName: string): string {
  return `${registryName.toLowerCase()}.azurecr.io`;
}
