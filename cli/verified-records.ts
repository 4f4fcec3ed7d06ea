// Verification records: what an environment ran together, verified, and when. The deploy workflow
// writes one per successful `platform verify` as an annotated tag under `verified/<env>/`, a
// prefix the bootstrap's tag ruleset lets only the recorder create and nobody move or delete
// (docs/decisions/0046). The CLI trusts a record only as origin has it.
import { parse } from "yaml";
import { appNames, isAppName, type AppName } from "../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule, type ImageVersion } from "../apps/image-reference";
import { environmentNames, isEnvironmentName, type EnvironmentName } from "../environments";
import { isRecord, quote } from "../lib/values";
import { GitError, type Git } from "./git";
import { formatVersion, sameVersion, type StackImages } from "./stack-file/read-images";

/** The reserved tag prefix of the records: `refs/tags/verified/<environment>/<time>-<commit>`. */
export const recordTagPrefix = "refs/tags/verified/";

/**
 * Where the CLI keeps the records as origin had them at the last fetch: a namespace of its own,
 * so that a tag made in the clone (`git tag verified/...`) never counts as a record.
 */
export const fetchedRecordPrefix = "refs/platform/verified/";

/** The first line of every record's message. */
export const recordHeader = "platform verification record";

/** One verification record: the set of images an environment ran together, verified. */
export interface VerifiedRecord {
  /** The tag's name as origin has it, `verified/production/20261201T100000Z-1a2b3c4`. */
  readonly name: string;
  readonly environment: EnvironmentName;
  /** The commit the deploy ran (the tag points to it). */
  readonly commit: string;
  /** When verification passed, in milliseconds since the epoch. */
  readonly verifiedAt: number;
  /** The Actions run that deployed and verified. */
  readonly run: string;
  /** Every app the environment ran, pinned by digest. */
  readonly images: Readonly<Partial<Record<AppName, Required<ImageVersion>>>>;
}

/** `20261201T100000Z`: a time as a tag name carries it (sorts in time order). */
const compactTime = (time: number): string =>
  new Date(time)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** The tag name of a record: `verified/<environment>/<time>-<7 hex of the commit>`. */
export function recordTagName(record: Pick<VerifiedRecord, "environment" | "verifiedAt" | "commit">): string {
  return `verified/${record.environment}/${compactTime(record.verifiedAt)}-${record.commit.slice(0, 7)}`;
}

/** The message of a record's tag: the header, then YAML. */
export function formatRecordMessage(record: Omit<VerifiedRecord, "name">): string {
  const images = appNames
    .filter((app) => record.images[app] !== undefined)
    .map((app) => `  ${app}: ${formatVersion(record.images[app])}`);
  return [
    recordHeader,
    "",
    `environment: ${record.environment}`,
    `commit: ${record.commit}`,
    `verified-at: ${new Date(record.verifiedAt).toISOString()}`,
    `run: ${record.run}`,
    images.length === 0 ? "images: {}" : "images:",
    ...images,
    "",
  ].join("\n");
}

/**
 * Checks a set of images a record would hold: every app known to the catalog and every entry a
 * `tag@digest`. Returns one message per problem (`at` names where the set came from).
 */
export function recordImageProblems(images: unknown, at: string): string[] {
  if (!isRecord(images)) return [`${at}: expected a map of app name to tag@digest, found ${quote(images)}`];
  const problems: string[] = [];
  for (const [app, value] of Object.entries(images)) {
    if (!isAppName(app)) {
      problems.push(`${at}.${app}: '${app}' is not an app of this platform (${appNames.join(", ")})`);
      continue;
    }
    const text = typeof value === "string" ? value : undefined;
    const at2 = text?.lastIndexOf("@") ?? -1;
    const tag = text?.slice(0, at2);
    const digest = text?.slice(at2 + 1);
    if (text === undefined || at2 < 0) {
      problems.push(`${at}.${app}: ${quote(value)} is not tag@digest`);
    } else if (!tagPattern.test(tag!)) {
      problems.push(`${at}.${app}: tag ${quote(tag)} is not a valid image tag (${tagRule})`);
    } else if (!digestPattern.test(digest!)) {
      problems.push(`${at}.${app}: ${quote(digest)} is not a sha256 digest (${digestRule})`);
    }
  }
  return problems;
}

/**
 * Reads a record from its tag: the name (`verified/<env>/...`), the commit the tag points to and
 * its message. Everything must agree: the environment of the name and the message, the commit of
 * the tag and the message, the time of the name and the message.
 *
 * @returns the record, or why it is not one.
 */
export function parseRecord(
  name: string,
  tagged: string,
  message: string,
): { record: VerifiedRecord } | { problem: string } {
  const nameMatch = /^verified\/([^/]+)\/(\d{8}T\d{6}Z)-([0-9a-f]{7})$/.exec(name);
  if (nameMatch === null) return { problem: "its name is not verified/<environment>/<time>-<commit>" };
  const [header, blank, ...rest] = message.split("\n");
  if (header !== recordHeader || blank !== "")
    return { problem: `its message does not start with '${recordHeader}'` };
  let body: unknown;
  try {
    // Every field is text: read as YAML 1.2's core schema, a commit id of digits alone (or digits
    // around one `e`) would be a number, and the record refused ("failsafe": scalars are strings).
    body = parse(rest.join("\n"), { strict: true, uniqueKeys: true, schema: "failsafe" });
  } catch (error) {
    return { problem: `its message is not YAML (${(error as Error).message.split("\n")[0]})` };
  }
  if (!isRecord(body)) return { problem: "its message holds no fields" };
  const { environment, commit, run } = body;
  const verifiedAt = body["verified-at"];
  const problems: string[] = [];
  const unknown = Object.keys(body).filter(
    (key) => !["environment", "commit", "verified-at", "run", "images"].includes(key),
  );
  if (unknown.length > 0) problems.push(`unknown fields ${unknown.join(", ")}`);
  if (typeof environment !== "string" || !isEnvironmentName(environment)) {
    problems.push(`environment ${quote(environment)} is not one of ${environmentNames.join(", ")}`);
  } else if (environment !== nameMatch[1]) {
    problems.push(`environment ${environment} is not the one its name says (${nameMatch[1]})`);
  }
  if (typeof commit !== "string" || !/^[0-9a-f]{40}$/.test(commit)) {
    problems.push(`commit ${quote(commit)} is not a full commit id`);
  } else if (commit !== tagged) {
    problems.push(`commit ${commit.slice(0, 7)} is not the commit the tag points to (${tagged.slice(0, 7)})`);
  } else if (!commit.startsWith(nameMatch[3]!)) {
    problems.push(`commit ${commit.slice(0, 7)} is not the one its name says (${nameMatch[3]})`);
  }
  const time =
    typeof verifiedAt === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(verifiedAt)
      ? Date.parse(verifiedAt)
      : Number.NaN;
  if (Number.isNaN(time)) {
    problems.push(`verified-at ${quote(verifiedAt)} is not a UTC time (ISO 8601, ending in Z)`);
  } else if (compactTime(time) !== nameMatch[2]) {
    problems.push(`verified-at ${verifiedAt as string} is not the time its name says (${nameMatch[2]})`);
  }
  if (typeof run !== "string" || !/^https:\/\/\S+$/.test(run)) {
    problems.push(`run ${quote(run)} is not the https URL of the run`);
  }
  problems.push(...recordImageProblems(body["images"], "images"));
  if (problems.length > 0) return { problem: problems.join("; ") };
  const images: Partial<Record<AppName, Required<ImageVersion>>> = {};
  for (const [app, value] of Object.entries(body["images"] as Record<string, string>)) {
    const at = value.lastIndexOf("@");
    images[app as AppName] = { tag: value.slice(0, at), digest: value.slice(at + 1) };
  }
  return {
    record: {
      name,
      environment: environment as EnvironmentName,
      commit: commit as string,
      verifiedAt: time,
      run: run as string,
      images,
    },
  };
}

/** An environment's records, oldest first, and the tags that were not taken as records. */
export interface RecordsRead {
  readonly records: readonly VerifiedRecord[];
  /** One line per tag ignored (malformed, not on origin), to print as warnings. */
  readonly ignored: readonly string[];
  /** False when origin could not be asked, and the records are those of the last fetch. */
  readonly fresh: boolean;
}

/** The refspec that fetches every record of origin into {@link fetchedRecordPrefix} (with `--prune`). */
export const recordRefspec = `+${recordTagPrefix}*:${fetchedRecordPrefix}*`;

/**
 * Fetches every record from origin into {@link fetchedRecordPrefix} (pruning what origin no longer
 * has). @returns false when origin could not be asked.
 */
export async function fetchRecords(git: Git, remote = "origin"): Promise<boolean> {
  try {
    await git.run(["fetch", "--quiet", "--no-tags", "--prune", remote, recordRefspec]);
    return true;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}

/**
 * Reads an environment's records as origin has them (fetched first, unless `fetched` says the
 * caller fetched them with {@link recordRefspec} just now; the last fetch when origin cannot be
 * asked). A tag that is not a well-formed record is ignored with a line saying why, and so is a
 * local tag under `verified/` that origin does not have: only the deploy workflow can create a
 * record on origin (the ruleset), anyone can create one in a clone.
 */
export async function readRecords(
  git: Git,
  environment: EnvironmentName,
  fetched?: { readonly fresh: boolean },
): Promise<RecordsRead> {
  const fresh = fetched?.fresh ?? (await fetchRecords(git));
  // Both namespaces in one process: for-each-ref sorts by name, the fetched ones apart by prefix.
  const all = (
    await git.run([
      "for-each-ref",
      "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(contents)%1e",
      `${fetchedRecordPrefix}${environment}/`,
      `${recordTagPrefix}${environment}/`,
    ])
  )
    .split("\x1e")
    .map((entry) => entry.replace(/^\n/, ""))
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [ref = "", type = "", object = "", peeled = "", contents = ""] = entry.split("\x00");
      return { ref, type, object, peeled, contents };
    });
  const fetchedTags = all.filter((tag) => tag.ref.startsWith(fetchedRecordPrefix));
  const local = all.filter((tag) => tag.ref.startsWith(recordTagPrefix));
  const ignored: string[] = [];
  const records: VerifiedRecord[] = [];
  for (const tag of fetchedTags) {
    const name = `verified/${tag.ref.slice(fetchedRecordPrefix.length)}`;
    if (tag.type !== "tag") {
      ignored.push(`${name}: ignored: a lightweight tag, not an annotated record`);
      continue;
    }
    const parsed = parseRecord(name, tag.peeled, tag.contents);
    if ("problem" in parsed) ignored.push(`${name}: ignored: ${parsed.problem}`);
    else records.push(parsed.record);
  }
  const onOrigin = new Set(
    fetchedTags.map((tag) => `${tag.ref.slice(fetchedRecordPrefix.length)} ${tag.object}`),
  );
  for (const tag of local) {
    const rest = tag.ref.slice(recordTagPrefix.length);
    if (!onOrigin.has(`${rest} ${tag.object}`)) {
      ignored.push(
        `verified/${rest}: ignored: this tag is not on origin as it is here; only records the deploy workflow pushed count`,
      );
    }
  }
  records.sort((a, b) => a.verifiedAt - b.verifiedAt || a.name.localeCompare(b.name));
  return { records, ignored, fresh };
}

/** Whether a stack file's images are exactly a record's set (same apps, same tag@digest each). */
export function sameSet(images: StackImages, record: VerifiedRecord): boolean {
  return appNames.every((app) => sameVersion(images[app], record.images[app]));
}

/** A set of images as one line: `main-api 1.4.0@sha256:…, web 2.0.2@sha256:…`. */
export function describeSet(images: StackImages): string {
  const entries = appNames
    .filter((app) => images[app] !== undefined)
    .map((app) => `${app} ${formatVersion(images[app])}`);
  return entries.length === 0 ? "no app" : entries.join(", ");
}

/** `verified/production/20261201T100000Z-1a2b3c4 (2026-12-01 10:00 UTC)`: a record as messages name it. */
export function describeRecord(record: VerifiedRecord): string {
  return `${record.name} (${new Date(record.verifiedAt).toISOString().slice(0, 16).replace("T", " ")} UTC)`;
}

/**
 * Creates a record's annotated tag and pushes it to origin. The push creates the tag only: a tag
 * of that name already on origin fails the push (records are never moved).
 */
export async function writeRecord(
  git: Git,
  record: Omit<VerifiedRecord, "name">,
  remote = "origin",
): Promise<string> {
  const name = recordTagName(record);
  await git.run(["tag", "--annotate", "--file=-", "--no-sign", name, record.commit], {
    input: formatRecordMessage(record),
  });
  try {
    await git.run(["push", "--quiet", remote, `refs/tags/${name}:refs/tags/${name}`]);
  } catch (error) {
    // The tag stays out of the clone when origin did not take it.
    await git.run(["tag", "--delete", name]).catch(() => undefined);
    throw error;
  }
  return name;
}
