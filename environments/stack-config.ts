import { z } from "zod";
import { appNames, isAppName } from "../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule } from "../apps/image-reference";
import { environments, isEnvironmentName } from "./environments";
import { environmentNames, type EnvironmentSettings } from "./settings";

/** The version of one app an environment runs, as the stack config holds it. */
export interface ImageVersion {
  readonly tag: string;
  /** Set: deploy exactly `tag@digest`. Unset: the environment builds the tag itself. */
  readonly digest?: string;
}

/** The image versions of an environment, by app. An app without an entry is not deployed. */
export type ImageVersions = Readonly<Partial<Record<string, ImageVersion>>>;

/** The GitHub repository whose settings the stack keeps (optional: off without it). */
export interface GitHubSettings {
  readonly owner: string;
  readonly repository: string;
  /** Teams (slugs) that must approve a deployment of this environment. */
  readonly reviewers: readonly string[];
  /** Code owners of the downstream stack files (read by the stack that owns shared resources). */
  readonly codeOwners: readonly string[];
}

/** A stack's config, parsed and checked: everything the program reads from it. */
export interface StackConfig {
  readonly environment: EnvironmentSettings;
  /** The Azure region of every resource (`azure-native:location`). */
  readonly location: string;
  readonly images: ImageVersions;
  /** Apps with no entry in `platform:images`: not deployed in this environment yet. */
  readonly notDeployed: readonly string[];
  /** Absent when `platform:github` is not set: the program then leaves GitHub alone. */
  readonly github?: GitHubSettings;
}

/** Bad stack config: every problem, each naming the key path, the value and what is allowed. */
export class StackConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Keys of the `platform` namespace the program reads; any other is a mistake. */
const platformKeys = ["images", "github"] as const;

const quote = (value: unknown): string =>
  typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? "nothing");

const imageVersion = z.strictObject(
  {
    tag: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? "missing; expected an image tag such as 1.4.2"
            : typeof issue.input === "number"
              ? `${issue.input} is a number, not a tag; quote it: "${issue.input}"`
              : `${quote(issue.input)} is not an image tag`,
      })
      .regex(tagPattern, { error: (issue) => `${quote(issue.input)} is not a valid image tag (${tagRule})` }),
    digest: z
      .string({ error: (issue) => `${quote(issue.input)} is not a sha256 digest (${digestRule})` })
      .regex(digestPattern, {
        error: (issue) => `${quote(issue.input)} is not a sha256 digest (${digestRule})`,
      })
      .optional(),
  },
  { error: (issue) => `expected a map { tag, digest? }, found ${quote(issue.input)}` },
);

const images = z.partialRecord(z.enum(appNames), imageVersion, {
  error: (issue) =>
    issue.input === undefined
      ? "missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)"
      : `expected a map of app name to { tag, digest? }, found ${quote(issue.input)}`,
});

const github = z.strictObject(
  {
    repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, {
      error: (issue) => `${quote(issue.input)} is not a repository; expected owner/name`,
    }),
    reviewers: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, { error: (issue) => `${quote(issue.input)} is not a team slug` }),
      )
      .default([]),
    codeOwners: z
      .array(
        z.string().regex(/^@[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, {
          error: (issue) => `${quote(issue.input)} is not @user or @org/team`,
        }),
      )
      .default([]),
  },
  { error: (issue) => `expected a map { repository, reviewers?, codeOwners? }, found ${quote(issue.input)}` },
);

function describe(issue: z.core.$ZodIssue, prefix: string): string[] {
  const path = [prefix, ...issue.path.map(String)].join(".");
  if (issue.code === "unrecognized_keys") {
    const reason =
      prefix === "platform:github"
        ? "unknown key; allowed: repository, reviewers, codeOwners"
        : issue.path.length === 0
          ? `unknown app; expected one of ${appNames.join(", ")}`
          : "unknown key; allowed: tag, digest";
    return issue.keys.map((key) => `${path}.${key}: ${reason}`);
  }
  if (issue.code === "invalid_key") {
    return [`${path}: unknown app; expected one of ${appNames.join(", ")}`];
  }
  return [`${path}: ${issue.message}`];
}

/**
 * Parses a stack's `config:` map (keys with their namespace, as in `Pulumi.<stack>.yaml`) for
 * the environment of the same name. Reports every problem at once, before any resource exists.
 *
 * @throws StackConfigError naming each bad key path, the value found and what is allowed.
 */
export function parseStackConfig(
  stack: string,
  config: Readonly<Record<string, unknown>>,
  source = `Pulumi.${stack}.yaml`,
): StackConfig {
  if (!isEnvironmentName(stack)) {
    throw new StackConfigError(source, [
      `stack '${stack}': unknown environment; expected one of ${environmentNames.join(", ")}`,
    ]);
  }
  const environment = environments[stack];
  const problems: string[] = [];

  for (const key of Object.keys(config)) {
    const [namespace, name] = key.split(":", 2);
    if (namespace === "platform" && !(platformKeys as readonly string[]).includes(name ?? "")) {
      problems.push(`${key}: unknown key; allowed platform keys: ${platformKeys.join(", ")}`);
    }
  }

  const location = config["azure-native:location"];
  if (typeof location !== "string" || location.trim() === "") {
    problems.push(
      `azure-native:location: ${location === undefined ? "missing" : `${quote(location)} is not a region name`}; set the Azure region, for example westeurope`,
    );
  }

  const rawImages = config["platform:images"];
  const parsed = images.safeParse(rawImages, { reportInput: true });
  if (!parsed.success)
    problems.push(...parsed.error.issues.flatMap((issue) => describe(issue, "platform:images")));
  if (!environment.buildsImages && isMap(rawImages)) {
    for (const [app, version] of Object.entries(rawImages)) {
      if (isAppName(app) && isMap(version) && version["digest"] === undefined) {
        problems.push(
          `platform:images.${app}.digest: missing; ${stack} does not build images and deploys only tag@digest (copy it with: platform promote ${environment.upstream} ${stack} --app ${app})`,
        );
      }
    }
  }

  const rawGitHub = config["platform:github"];
  const parsedGitHub =
    rawGitHub === undefined ? undefined : github.safeParse(rawGitHub, { reportInput: true });
  if (parsedGitHub && !parsedGitHub.success) {
    problems.push(...parsedGitHub.error.issues.flatMap((issue) => describe(issue, "platform:github")));
  }
  if (parsedGitHub?.success && environment.ownsSharedResources && parsedGitHub.data.codeOwners.length === 0) {
    problems.push(
      `platform:github.codeOwners: missing; ${stack} keeps the repository's branch protection and CODEOWNERS, so name who reviews the downstream stack files (@org/team)`,
    );
  }

  if (problems.length > 0 || !parsed.success) throw new StackConfigError(source, problems.sort());
  const repository = parsedGitHub?.data?.repository.split("/");
  return {
    environment,
    location: location as string,
    images: parsed.data,
    notDeployed: appNames.filter((app) => parsed.data[app] === undefined),
    ...(parsedGitHub?.data && repository
      ? {
          github: {
            owner: repository[0]!,
            repository: repository[1]!,
            reviewers: parsedGitHub.data.reviewers,
            codeOwners: parsedGitHub.data.codeOwners,
          },
        }
      : {}),
  };
}
