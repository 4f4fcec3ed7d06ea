import * as v from "valibot";
import { appNames, isAppName } from "../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule, type ImageVersions } from "../apps/image-reference";
import { environments, isEnvironmentName } from "../environments/environments";
import { environmentNames, type EnvironmentSettings } from "../environments/settings";
import { isRecord, quote } from "../lib/values";
import { bootstrapStackFile, stackFileName } from "./stack-files";

/** A stack's config, parsed and checked: everything the program reads from it. */
export interface StackConfig {
  readonly environment: EnvironmentSettings;
  /** The Azure region of every resource (`azure-native:location`). */
  readonly location: string;
  readonly images: ImageVersions;
  /** Apps with no entry in `platform:images`: not deployed in this environment yet. */
  readonly notDeployed: readonly string[];
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

/** Keys of the `platform` namespace the program reads; any other is a mistake. */
const platformKeys = ["images"] as const;

export const missing = (issue: v.BaseIssue<unknown>): boolean => issue.input === undefined;

/**
 * The message of a strict object's issue: a key it does not know (valibot expects "never"
 * there), a required key that is absent, or a value that is not a map at all.
 */
export const objectIssue =
  (allowed: string, shape: string, absent: Readonly<Record<string, string>>) =>
  (issue: v.BaseIssue<unknown>): string => {
    if (issue.expected === "never") return `unknown key; allowed: ${allowed}`;
    const key = issue.path?.at(-1)?.key;
    if (missing(issue) && typeof key === "string" && absent[key]) return absent[key];
    return `expected a map ${shape}, found ${quote(issue.input)}`;
  };

const imageVersionFields = v.strictObject(
  {
    tag: v.pipe(
      v.string((issue) =>
        missing(issue)
          ? "missing; expected an image tag such as 1.4.2"
          : typeof issue.input === "number"
            ? `${issue.input} is a number, not a tag; quote it: "${issue.input}"`
            : `${quote(issue.input)} is not an image tag`,
      ),
      v.regex(tagPattern, (issue) => `${quote(issue.input)} is not a valid image tag (${tagRule})`),
    ),
    digest: v.optional(
      v.pipe(
        v.string((issue) => `${quote(issue.input)} is not a sha256 digest (${digestRule})`),
        v.regex(digestPattern, (issue) => `${quote(issue.input)} is not a sha256 digest (${digestRule})`),
      ),
    ),
  },
  objectIssue("tag, digest", "{ tag, digest? }", { tag: "missing; expected an image tag such as 1.4.2" }),
);

/**
 * One `platform:images` entry. The CLI's stack file reader (cli/stack-file/read-images.ts) checks
 * entries with this schema too, so the rules exist once.
 */
export const imageVersion = v.pipe(
  // valibot takes a list or a date (a YAML timestamp, in the CLI) for an object; neither is an entry.
  v.custom<Record<string, unknown>>(
    isRecord,
    (issue) => `expected a map { tag, digest? }, found ${quote(issue.input)}`,
  ),
  imageVersionFields,
);

/** The `platform:images` map: app name to entry. */
export const images = v.record(
  v.picklist(appNames, `unknown app; expected one of ${appNames.join(", ")}`),
  imageVersion,
  (issue) =>
    missing(issue)
      ? "missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)"
      : `expected a map of app name to { tag, digest? }, found ${quote(issue.input)}`,
);

/**
 * One message per problem, each starting with its key path. Entries under an unknown app are
 * not checked further: the unknown app is the problem.
 */
export function describe(issues: readonly v.BaseIssue<unknown>[], prefix: string): string[] {
  const messages = new Set<string>();
  for (const issue of issues) {
    const keys = (issue.path ?? []).map((item) => String(item.key));
    if (prefix === "platform:images" && keys.length > 1 && !isAppName(keys[0] ?? "")) continue;
    messages.add(`${[prefix, ...keys].join(".")}: ${issue.message}`);
  }
  return [...messages];
}

/**
 * Why an entry without a digest cannot deploy in an environment that does not build images, or
 * undefined where it builds them. One wording for the program's config check, `platform
 * set-image` and the gate.
 */
export function onlyTagAtDigest(environment: EnvironmentSettings, app: string): string | undefined {
  if (environment.buildsImages) return undefined;
  return `${environment.name} does not build images and deploys only tag@digest (copy it with: platform promote ${environment.upstream} ${environment.name} --app ${app})`;
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
  source = stackFileName(stack),
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
    if (key === "platform:github") {
      problems.push(
        `${key}: the delivery settings belong to the bootstrap stack now; move them to platform-bootstrap:github in ${bootstrapStackFile}`,
      );
    } else if (namespace === "platform" && !(platformKeys as readonly string[]).includes(name ?? "")) {
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
  // valibot takes a list for a record; a list of images is a mistake worth its own message.
  const parsed = v.safeParse(images, Array.isArray(rawImages) ? null : rawImages);
  if (Array.isArray(rawImages)) {
    problems.push(
      `platform:images: expected a map of app name to { tag, digest? }, found ${quote(rawImages)}`,
    );
  } else if (!parsed.success) {
    problems.push(...describe(parsed.issues, "platform:images"));
  }
  if (!environment.buildsImages && isRecord(rawImages)) {
    for (const [app, version] of Object.entries(rawImages)) {
      if (isAppName(app) && isRecord(version) && version["digest"] === undefined) {
        problems.push(`platform:images.${app}.digest: missing; ${onlyTagAtDigest(environment, app)}`);
      }
    }
  }

  if (problems.length > 0 || !parsed.success) throw new StackConfigError(source, problems.sort());
  return {
    environment,
    location: location as string,
    images: parsed.output,
    notDeployed: appNames.filter((app) => parsed.output[app] === undefined),
  };
}
