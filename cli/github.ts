import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";
import { compareText, isRecord } from "../lib/values";
import { processInterruption } from "./context";
import { InputError, InterruptedError, PlatformError } from "./errors";

/** Where and as whom the CLI talks to GitHub: the variables GitHub Actions sets. */
export interface GitHubApiSettings {
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  /** `GITHUB_API_URL`. @default https://api.github.com */
  readonly apiUrl: string;
  /**
   * How long one second of back-off lasts, in milliseconds: retries of failed requests wait
   * 1, 4, 9 units, rate limits wait what GitHub asks for, writes are spaced by 1 (3 when they
   * notify, like opening a pull request) units.
   * `PLATFORM_GITHUB_DELAY_UNIT_MS`; tests set it to 0. @default 1000
   */
  readonly delayUnitMs: number;
  /** Retries of a request that failed with 5xx (or could not reach GitHub). @default 3 */
  readonly retries: number;
  /**
   * How long GitHub may take to answer one request, in milliseconds; a request that takes longer
   * fails (it is not retried). `PLATFORM_GITHUB_TIMEOUT_SECONDS` × 1000. @default 30000
   */
  readonly timeoutMs: number;
  /**
   * The longest wait GitHub may ask for (`retry-after`, a rate limit's reset) that is waited out,
   * once, before the request is sent again; a longer one fails at once, saying when to try again.
   * `PLATFORM_GITHUB_MAX_WAIT_SECONDS`. @default 60
   */
  readonly maxWaitSeconds: number;
}

/** Who needs GitHub, and for what: `--pr` by default. */
export interface GitHubPurpose {
  /** Names the option or command in messages. */
  readonly who: string;
  /** What the token must be allowed to do. */
  readonly token: string;
}

const pullRequestPurpose: GitHubPurpose = {
  who: "--pr",
  token: "a token that may push branches and open pull requests",
};

/**
 * Reads the GitHub settings from the environment.
 * @throws InputError naming every variable that is missing or malformed.
 */
export function gitHubSettings(
  env: Readonly<Record<string, string | undefined>>,
  purpose: GitHubPurpose = pullRequestPurpose,
): GitHubApiSettings {
  const problems: string[] = [];
  const token = env["GITHUB_TOKEN"]?.trim();
  const repository = env["GITHUB_REPOSITORY"]?.trim();
  if (!token) {
    problems.push(
      `GITHUB_TOKEN is not set; ${purpose.who} needs ${purpose.token} (in GitHub Actions: env: GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }})`,
    );
  }
  const match = repository ? /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository) : null;
  if (!repository) {
    problems.push(
      "GITHUB_REPOSITORY is not set; set it to the owner/name of the repository, for example acme/platform",
    );
  } else if (!match) {
    problems.push(`GITHUB_REPOSITORY '${repository}' is not owner/name; set it to for example acme/platform`);
  }
  const seconds = (name: string, fallback: number, least: "positive" | "zero or more") => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || (least === "positive" && value === 0)) {
      problems.push(`${name} '${raw}' is not a number of seconds (${least}), for example ${fallback}`);
      return fallback;
    }
    return value;
  };
  const timeoutSeconds = seconds("PLATFORM_GITHUB_TIMEOUT_SECONDS", 30, "positive");
  const maxWaitSeconds = seconds("PLATFORM_GITHUB_MAX_WAIT_SECONDS", 60, "zero or more");
  if (problems.length === 1) throw new InputError(problems[0]!);
  if (problems.length > 1) {
    throw new InputError(
      `${purpose.who} cannot talk to GitHub:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  const unit = Number(env["PLATFORM_GITHUB_DELAY_UNIT_MS"] ?? 1000);
  return {
    token: token!,
    owner: match![1]!,
    repo: match![2]!,
    apiUrl: (env["GITHUB_API_URL"]?.trim() || "https://api.github.com").replace(/\/+$/, ""),
    delayUnitMs: Number.isFinite(unit) && unit >= 0 ? unit : 1000,
    retries: 3,
    timeoutMs: timeoutSeconds * 1000,
    maxWaitSeconds,
  };
}

/** An open pull request, as the CLI needs it. */
export interface PullRequest {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly body: string;
}

/** What the CLI asks of GitHub's REST API. */
export interface GitHub {
  /** `owner/name`, for messages. */
  readonly repository: string;
  /** GET /repos/:owner/:repo: the branch pull requests go to. */
  defaultBranch(): Promise<string>;
  /**
   * GET /repos/:owner/:repo/pulls?head=owner:branch&state=open
   * @param options.interruptible false for a look-up that cleans up after an interruption: it
   *   runs although the command was interrupted (bounded by the timeout). @default true
   */
  findOpenPullRequest(
    branch: string,
    options?: { readonly interruptible?: boolean },
  ): Promise<PullRequest | undefined>;
  /**
   * POST /repos/:owner/:repo/pulls. When the answer leaves open whether GitHub opened it (5xx,
   * no answer, a timeout, an answer that cannot be read), the open pull request of the branch is
   * looked up before anything else: if there is one, it is the result.
   */
  createPullRequest(request: {
    branch: string;
    base: string;
    title: string;
    body: string;
  }): Promise<PullRequest>;
  /** PATCH /repos/:owner/:repo/pulls/:number */
  updatePullRequest(number: number, change: { title: string; body: string }): Promise<PullRequest>;
  /** GET /repos/:owner/:repo/commits/:sha/pulls: the merged pull requests the commit belongs to. */
  mergedPullRequestsOf(sha: string): Promise<MergedPullRequest[]>;
  /** GET /repos/:owner/:repo/actions/artifacts?name=: the artifacts of that name, newest first. */
  artifactsNamed(name: string): Promise<Artifact[]>;
  /** GET /repos/:owner/:repo/actions/artifacts/:id/zip: the artifact's zip archive. */
  downloadArtifact(id: number): Promise<Uint8Array>;
  /**
   * GET /repos/:owner/:repo/pulls/:number and its reviews (GET .../pulls/:number/reviews, up to
   * 100): labels, author, head commit and every review, oldest first.
   */
  pullRequestReviews(number: number): Promise<PullRequestReviews>;
  /** GET /repos/:owner/:repo/collaborators/:user/permission: `admin`, `write`, `read` or `none`. */
  permission(user: string): Promise<string>;
}

/** A merged pull request, as the deploy's fingerprint check needs it. */
export interface MergedPullRequest {
  readonly number: number;
  readonly url: string;
  /** The commit its branch was at when it merged: its last preview ran for this one. */
  readonly headSha: string;
  /** The commit merging it made on the base branch. */
  readonly mergeCommitSha: string;
  readonly labels: readonly string[];
}

/** An Actions artifact (GitHub's `artifact` object), as the fingerprint check needs it. */
export interface Artifact {
  readonly id: number;
  readonly name: string;
  readonly expired: boolean;
  readonly createdAt: string;
  /** The commit of the workflow run that uploaded it (a pull request's head for a pull_request run). */
  readonly headSha: string;
  readonly runId: number;
}

/** A pull request's labels, author, head and reviews, as break-glass needs them. */
export interface PullRequestReviews {
  readonly number: number;
  readonly author: string;
  readonly headSha: string;
  readonly labels: readonly string[];
  readonly reviews: readonly { readonly user: string; readonly state: string; readonly commitId: string }[];
}

/** A GitHub request that failed after its retries; the message says what to do. */
export class GitHubError extends PlatformError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly outcome: {
      /**
       * Whether GitHub may have done what was asked although the call failed: a 5xx, no answer
       * or no complete one, a timeout, an answer that cannot be read.
       */
      readonly uncertain: boolean;
      /** Whether sending the request again may help: a 5xx, or GitHub could not be reached. */
      readonly transient: boolean;
    } = { uncertain: false, transient: false },
  ) {
    super(message, 1);
    this.name = "GitHubError";
  }
}

const PlatformOctokit = Octokit.plugin(retry, throttling);

/**
 * A request cut short by the timeout or by an interruption. Named AbortError so that Octokit
 * passes it on as it is and its retry plugin does not send the request again.
 */
class AbortedRequest extends Error {
  constructor(readonly reason: unknown) {
    super("the request was aborted");
    this.name = "AbortError";
  }
}

/** An answer whose body is not what GitHub's API documents; `problems` name the fields. */
class UnexpectedAnswer extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join(", "));
    this.name = "UnexpectedAnswer";
  }
}

/**
 * `fetch` with a deadline on each request, its body included (a body that never ends times out
 * too), and the caller's signal (the interruption).
 */
function fetchWithin(timeoutMs: number): typeof fetch {
  return async (input, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const caller = init.signal ?? undefined;
    const signal = caller === undefined ? timeout : AbortSignal.any([caller, timeout]);
    try {
      const response = await fetch(input, { ...init, signal });
      const body = await response.arrayBuffer();
      const empty = [101, 103, 204, 205, 304].includes(response.status);
      return new Response(empty ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (caller?.aborted) throw new AbortedRequest(caller.reason);
      if (timeout.aborted) throw new AbortedRequest(timeout.reason);
      throw error;
    }
  };
}

/**
 * A GitHub adapter over Octokit with the retry and throttling plugins. Every request times out
 * after `settings.timeoutMs`; `interrupt` (by default SIGINT and SIGTERM of the process) aborts
 * the request in flight and every later one with its reason, an `InterruptedError`.
 */
export function createGitHub(
  settings: GitHubApiSettings,
  interrupt: AbortSignal = processInterruption(),
): GitHub {
  const unit = settings.delayUnitMs;
  const octokit = new PlatformOctokit({
    auth: settings.token,
    baseUrl: settings.apiUrl,
    userAgent: "platform-cli",
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    request: { fetch: fetchWithin(settings.timeoutMs) },
    // Rate limits (403, 429) are waited for below, in one place, never retried blindly.
    retry: {
      retries: settings.retries,
      retryAfterBaseValue: unit,
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      // Own limiters per client: one run's waits never depend on another client in the process.
      id: `platform-${randomUUID()}`,
      // GitHub's guidance, as the plugin's defaults: writes 1 s apart, notifying writes 3 s apart.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: unit }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * unit }),
      retryAfterBaseValue: unit,
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
  });
  const { owner, repo } = settings;
  const repository = `${owner}/${repo}`;

  /** Waits `units` of back-off; an interruption ends the wait (unless the caller cleans up). */
  const pause = async (units: number, action: string, interruptible: boolean) => {
    try {
      await sleep(units * unit, undefined, interruptible ? { signal: interrupt } : {});
    } catch (error) {
      throw interrupted(interrupt, action) ?? error;
    }
  };

  /**
   * Sends a request and reads its answer. A rate limit that lifts within `maxWaitSeconds` is
   * waited out once; any other failure becomes a GitHubError saying what to do.
   */
  const call = async <T>(
    action: string,
    send: (signal: AbortSignal | undefined) => Promise<{ status: number; data: unknown }>,
    read: (data: unknown) => T,
    interruptible = true,
  ): Promise<T> => {
    for (let waited = false; ; waited = true) {
      let answer: { status: number; data: unknown };
      try {
        answer = await send(interruptible ? interrupt : undefined);
      } catch (error) {
        if (error instanceof AbortedRequest && error.reason instanceof InterruptedError) {
          throw new InterruptedError(error.reason.signal, action);
        }
        const wait = requestedWait(error, new Date());
        if (wait !== undefined && !waited && wait <= settings.maxWaitSeconds) {
          await pause(wait, action, interruptible);
          continue;
        }
        throw describeFailure(error, action, settings);
      }
      try {
        return read(answer.data);
      } catch (error) {
        if (!(error instanceof UnexpectedAnswer)) throw error;
        throw new GitHubError(
          `GitHub's answer to ${action} (${answer.status}) is not what its API documents: ${error.message}; check that GITHUB_API_URL (${settings.apiUrl}) is GitHub's REST API, then run again`,
          answer.status,
          { uncertain: true, transient: false },
        );
      }
    }
  };

  const findOpenPullRequest: GitHub["findOpenPullRequest"] = (branch, options = {}) =>
    call(
      `looking for an open pull request from ${branch}`,
      (signal) =>
        octokit.rest.pulls.list({
          owner,
          repo,
          head: `${owner}:${branch}`,
          state: "open",
          request: { signal },
        }),
      (data) => readPullRequestList(data)[0],
      options.interruptible ?? true,
    );

  return {
    repository,
    defaultBranch: () =>
      call(
        `reading repository ${repository}`,
        (signal) => octokit.rest.repos.get({ owner, repo, request: { signal } }),
        readDefaultBranch,
      ),
    findOpenPullRequest,
    createPullRequest: async ({ branch, base, title, body }) => {
      const action = `opening a pull request from ${branch} into ${base}`;
      for (let attempt = 1; ; attempt++) {
        try {
          return await call(
            action,
            // Sent again only below, once it is known that GitHub did not open it.
            (signal) =>
              octokit.rest.pulls.create({
                owner,
                repo,
                head: branch,
                base,
                title,
                body,
                request: { signal, retries: 0 },
              }),
            readPullRequest,
          );
        } catch (error) {
          if (!(error instanceof GitHubError) || !error.outcome.uncertain) throw error;
          // GitHub may have opened it before failing: sending it again would be refused, and
          // deleting the branch would close it.
          const opened = await findOpenPullRequest(branch);
          if (opened !== undefined) return opened;
          if (!error.outcome.transient || attempt > settings.retries) throw error;
          await pause(attempt ** 2, action, true);
        }
      }
    },
    pullRequestReviews: async (number) => {
      const pull = await call(
        `reading pull request #${number}`,
        (signal) => octokit.rest.pulls.get({ owner, repo, pull_number: number, request: { signal } }),
        (data) => data,
      );
      const reviews = await call(
        `reading the reviews of pull request #${number}`,
        (signal) =>
          octokit.rest.pulls.listReviews({
            owner,
            repo,
            pull_number: number,
            per_page: 100,
            request: { signal },
          }),
        (data) => data,
      );
      return readPullRequestReviews(pull, reviews);
    },
    permission: (user) =>
      call(
        `reading ${user}'s permission on ${repository}`,
        (signal) =>
          octokit.rest.repos.getCollaboratorPermissionLevel({
            owner,
            repo,
            username: user,
            request: { signal },
          }),
        (data) => {
          const permission = isRecord(data) ? data["permission"] : undefined;
          if (typeof permission !== "string")
            throw new UnexpectedAnswer([`permission is ${shortJson(permission)}, not a string`]);
          return permission;
        },
      ),
    updatePullRequest: (number, { title, body }) =>
      call(
        `updating pull request #${number}`,
        (signal) =>
          octokit.rest.pulls.update({ owner, repo, pull_number: number, title, body, request: { signal } }),
        readPullRequest,
      ),
    mergedPullRequestsOf: (sha) =>
      call(
        `looking for the pull request merged as ${sha}`,
        (signal) =>
          octokit.rest.repos.listPullRequestsAssociatedWithCommit({
            owner,
            repo,
            commit_sha: sha,
            per_page: 100,
            request: { signal },
          }),
        readMergedPullRequests,
      ),
    artifactsNamed: (name) =>
      call(
        `listing the artifacts named ${name}`,
        (signal) =>
          octokit.rest.actions.listArtifactsForRepo({
            owner,
            repo,
            name,
            per_page: 100,
            request: { signal },
          }),
        readArtifacts,
      ),
    downloadArtifact: (id) =>
      call(
        `downloading artifact ${id}`,
        (signal) =>
          octokit.rest.actions.downloadArtifact({
            owner,
            repo,
            artifact_id: id,
            archive_format: "zip",
            request: { signal },
          }),
        (data) => {
          if (data instanceof ArrayBuffer) return new Uint8Array(data);
          if (data instanceof Uint8Array) return data;
          throw new UnexpectedAnswer([`the body is ${shortJson(data)}, not a zip archive`]);
        },
      ),
  };
}

/** The InterruptedError for `action` when `interrupt` has fired. */
function interrupted(interrupt: AbortSignal, action: string): InterruptedError | undefined {
  const reason: unknown = interrupt.reason;
  return interrupt.aborted && reason instanceof InterruptedError
    ? new InterruptedError(reason.signal, action)
    : undefined;
}

/**
 * Opens a pull request from `branch`, or updates the open one (`existing`, from
 * `findOpenPullRequest`) instead of opening a second.
 */
export async function openOrUpdatePullRequest(
  github: GitHub,
  request: { branch: string; base: string; title: string; body: string },
  existing: PullRequest | undefined,
): Promise<{ action: "opened" | "updated"; pullRequest: PullRequest }> {
  if (existing !== undefined) {
    return { action: "updated", pullRequest: await github.updatePullRequest(existing.number, request) };
  }
  return { action: "opened", pullRequest: await github.createPullRequest(request) };
}

/** An answer's value as a message shows it: JSON, cut at 60 characters (unlike lib's `quote`). */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads a pull request from GitHub's answer: `number` (a positive integer), `html_url` (an
 * http(s) URL), `title` (a string) and `body` (a string or null).
 * @throws UnexpectedAnswer naming each field that is missing or of the wrong type.
 */
export function readPullRequest(data: unknown): PullRequest {
  if (!isRecord(data)) throw new UnexpectedAnswer([`the body is ${shortJson(data)}, not a JSON object`]);
  const problems: string[] = [];
  const field = (name: string, valid: (value: unknown) => boolean, what: string) => {
    const value = data[name];
    if (valid(value)) return;
    problems.push(value === undefined ? `${name} is missing` : `${name} is ${shortJson(value)}, not ${what}`);
  };
  field("number", (v) => Number.isSafeInteger(v) && (v as number) > 0, "a positive integer");
  field("html_url", (v) => typeof v === "string" && /^https?:\/\/\S+$/.test(v), "an http(s) URL");
  field("title", (v) => typeof v === "string", "a string");
  field("body", (v) => v === undefined || v === null || typeof v === "string", "a string or null");
  if (problems.length > 0) throw new UnexpectedAnswer(problems);
  return {
    number: data["number"] as number,
    url: data["html_url"] as string,
    title: data["title"] as string,
    body: (data["body"] as string | null | undefined) ?? "",
  };
}

/** Reads a list of pull requests. @throws UnexpectedAnswer as readPullRequest, with the index. */
export function readPullRequestList(data: unknown): PullRequest[] {
  if (!Array.isArray(data)) throw new UnexpectedAnswer([`the body is ${shortJson(data)}, not a JSON array`]);
  return data.map((item, index) => {
    try {
      return readPullRequest(item);
    } catch (error) {
      if (!(error instanceof UnexpectedAnswer)) throw error;
      throw new UnexpectedAnswer(error.problems.map((problem) => `[${index}]: ${problem}`));
    }
  });
}

/**
 * Reads the merged pull requests of GET /commits/:sha/pulls: `number`, `html_url`, `merged_at`
 * (null for one not merged, which is left out), `merge_commit_sha`, `head.sha`, `labels[].name`.
 * @throws UnexpectedAnswer naming each field that is missing or of the wrong type
 */
export function readMergedPullRequests(data: unknown): MergedPullRequest[] {
  if (!Array.isArray(data)) throw new UnexpectedAnswer([`the body is ${shortJson(data)}, not a JSON array`]);
  const problems: string[] = [];
  const pulls = data.flatMap((item: unknown, index): MergedPullRequest[] => {
    const head = isRecord(item) && isRecord(item["head"]) ? item["head"] : {};
    const labels =
      isRecord(item) && Array.isArray(item["labels"]) ? (item["labels"] as unknown[]) : undefined;
    if (
      !isRecord(item) ||
      !Number.isSafeInteger(item["number"]) ||
      typeof item["html_url"] !== "string" ||
      typeof head["sha"] !== "string" ||
      labels === undefined ||
      !labels.every((label) => isRecord(label) && typeof label["name"] === "string")
    ) {
      problems.push(`[${index}] is not a pull request (number, html_url, head.sha, labels[].name)`);
      return [];
    }
    if (item["merged_at"] === null || item["merged_at"] === undefined) return [];
    if (typeof item["merge_commit_sha"] !== "string") {
      problems.push(`[${index}].merge_commit_sha is ${shortJson(item["merge_commit_sha"])}, not a commit`);
      return [];
    }
    return [
      {
        number: item["number"] as number,
        url: item["html_url"],
        headSha: head["sha"],
        mergeCommitSha: item["merge_commit_sha"],
        labels: labels.map((label) => (label as { name: string }).name),
      },
    ];
  });
  if (problems.length > 0) throw new UnexpectedAnswer(problems);
  return pulls;
}

/**
 * Reads GET /actions/artifacts: `artifacts[]` with `id`, `name`, `expired`, `created_at` and
 * `workflow_run` (`id`, `head_sha`); newest first.
 * @throws UnexpectedAnswer naming each artifact that is not one
 */
export function readArtifacts(data: unknown): Artifact[] {
  if (!isRecord(data) || !Array.isArray(data["artifacts"])) {
    throw new UnexpectedAnswer([`the body is ${shortJson(data)}, not { artifacts: [...] }`]);
  }
  const problems: string[] = [];
  const artifacts = (data["artifacts"] as unknown[]).flatMap((item, index): Artifact[] => {
    const run = isRecord(item) && isRecord(item["workflow_run"]) ? item["workflow_run"] : {};
    if (
      !isRecord(item) ||
      !Number.isSafeInteger(item["id"]) ||
      typeof item["name"] !== "string" ||
      typeof item["expired"] !== "boolean" ||
      typeof item["created_at"] !== "string" ||
      typeof run["head_sha"] !== "string" ||
      !Number.isSafeInteger(run["id"])
    ) {
      problems.push(`artifacts[${index}] is not an artifact (id, name, expired, created_at, workflow_run)`);
      return [];
    }
    return [
      {
        id: item["id"] as number,
        name: item["name"],
        expired: item["expired"],
        createdAt: item["created_at"],
        headSha: run["head_sha"],
        runId: run["id"] as number,
      },
    ];
  });
  if (problems.length > 0) throw new UnexpectedAnswer(problems);
  return artifacts.sort((a, b) => compareText(b.createdAt, a.createdAt) || b.id - a.id);
}

/**
 * Reads a pull request (`number`, `user.login`, `head.sha`, `labels[].name`) and its reviews
 * (`user.login`, `state`, `commit_id`; a review by a deleted user has `user: null` and is left out).
 * @throws UnexpectedAnswer
 */
export function readPullRequestReviews(pull: unknown, reviews: unknown): PullRequestReviews {
  const problems: string[] = [];
  const text = (value: unknown, name: string): string => {
    if (typeof value === "string" && value !== "") return value;
    problems.push(`${name} is ${shortJson(value)}, not a string`);
    return "";
  };
  if (!isRecord(pull))
    throw new UnexpectedAnswer([`the pull request is ${shortJson(pull)}, not a JSON object`]);
  if (!Array.isArray(reviews))
    throw new UnexpectedAnswer([`the reviews are ${shortJson(reviews)}, not a JSON array`]);
  const user = pull["user"];
  const head = pull["head"];
  const labels = Array.isArray(pull["labels"]) ? (pull["labels"] as unknown[]) : [];
  const result: PullRequestReviews = {
    number: pull["number"] as number,
    author: text(isRecord(user) ? user["login"] : user, "user.login"),
    headSha: text(isRecord(head) ? head["sha"] : head, "head.sha"),
    labels: labels.map((label, index) =>
      text(isRecord(label) ? label["name"] : label, `labels[${index}].name`),
    ),
    reviews: reviews
      .filter((review) => isRecord(review) && isRecord(review["user"]))
      .map((review: Record<string, unknown>, index) => ({
        user: text((review["user"] as Record<string, unknown>)["login"], `reviews[${index}].user.login`),
        state: text(review["state"], `reviews[${index}].state`),
        commitId: text(review["commit_id"], `reviews[${index}].commit_id`),
      })),
  };
  if (problems.length > 0) throw new UnexpectedAnswer(problems);
  return result;
}

/** Reads `default_branch` (a non-empty string) from a repository. @throws UnexpectedAnswer */
export function readDefaultBranch(data: unknown): string {
  if (!isRecord(data)) throw new UnexpectedAnswer([`the body is ${shortJson(data)}, not a JSON object`]);
  const branch = data["default_branch"];
  if (typeof branch === "string" && branch !== "") return branch;
  throw new UnexpectedAnswer([
    branch === undefined
      ? "default_branch is missing"
      : `default_branch is ${shortJson(branch)}, not a branch name`,
  ]);
}

interface RequestFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

function asFailure(error: unknown): RequestFailure {
  return typeof error === "object" && error !== null ? error : {};
}

/** GitHub's words: its message and the messages of its errors. */
function gitHubSaid(error: unknown): string {
  const failure = asFailure(error);
  const data = (isRecord(failure.response?.data) ? failure.response.data : {}) as {
    message?: unknown;
    errors?: unknown;
  };
  const message = typeof data.message === "string" ? data.message : (failure.message ?? String(error));
  const errors = Array.isArray(data.errors) ? (data.errors as unknown[]) : [];
  return [message]
    .concat(
      errors.map((e) =>
        typeof e === "string"
          ? e
          : isRecord(e) && typeof e["message"] === "string"
            ? e["message"]
            : JSON.stringify(e),
      ),
    )
    .join(": ");
}

/**
 * How many seconds GitHub asks to wait before the request is sent again, when it refused it
 * for a rate limit (403 or 429): its `retry-after`, else until its `x-ratelimit-reset` when no
 * request is left, else a minute for a secondary rate limit (GitHub's guidance). Undefined when
 * the failure is not a rate limit.
 */
export function requestedWait(error: unknown, now: Date): number | undefined {
  const failure = asFailure(error);
  if (failure.response === undefined || (failure.status !== 403 && failure.status !== 429)) return undefined;
  const headers = failure.response.headers ?? {};
  const retryAfter = headers["retry-after"]?.trim();
  if (retryAfter !== undefined && retryAfter !== "") {
    const seconds = /^\d+$/.test(retryAfter)
      ? Number(retryAfter)
      : Math.ceil((Date.parse(retryAfter) - now.getTime()) / 1000);
    if (Number.isFinite(seconds)) return Math.max(seconds, 0);
  }
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    // One second more, so that the request is sent after the reset.
    if (Number.isFinite(reset) && reset > 0) return Math.max(Math.ceil(reset - now.getTime() / 1000) + 1, 0);
  }
  if (failure.status === 429 || /rate limit/i.test(gitHubSaid(error))) return 60;
  return undefined;
}

/**
 * Turns an Octokit failure into a message that says what happened and what to do.
 * @param now the time "try again after" counts from.
 */
export function describeFailure(
  error: unknown,
  action: string,
  settings: GitHubApiSettings,
  now: Date = new Date(),
): GitHubError {
  if (error instanceof AbortedRequest) {
    return new GitHubError(
      `GitHub did not answer within ${settings.timeoutMs / 1000} s while ${action}; check the network and GITHUB_API_URL (${settings.apiUrl}), and https://www.githubstatus.com, then run again (PLATFORM_GITHUB_TIMEOUT_SECONDS sets the limit)`,
      undefined,
      { uncertain: true, transient: false },
    );
  }
  const failure = asFailure(error);
  // Octokit reports a request that got no answer at all as status 500 without a response.
  const status =
    typeof failure.status === "number" && failure.response !== undefined ? failure.status : undefined;
  const headers = failure.response?.headers ?? {};
  const said = gitHubSaid(error);
  const repository = `${settings.owner}/${settings.repo}`;
  const wait = requestedWait(error, now);
  if (wait !== undefined) {
    const retryAfter = headers["retry-after"];
    if (retryAfter === undefined && headers["x-ratelimit-remaining"] === "0") {
      const reset = Number(headers["x-ratelimit-reset"]);
      const when =
        Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
      return new GitHubError(
        `GitHub is rate-limiting this token${when} (${status} while ${action}: ${said}); wait and run again, or use a token with a higher limit`,
        status,
      );
    }
    return new GitHubError(
      `GitHub asks to wait ${wait} s (rate limit) while ${action} (${status} ${said}); try again after ${new Date(now.getTime() + wait * 1000).toISOString()}`,
      status,
    );
  }
  switch (status) {
    case undefined:
      return new GitHubError(
        `cannot reach GitHub at ${settings.apiUrl} while ${action} (${said}) after ${settings.retries} retries; check GITHUB_API_URL and the network, then run again`,
        status,
        { uncertain: true, transient: true },
      );
    case 401:
      return new GitHubError(
        `GitHub rejected the token (401 ${said}) while ${action}; set GITHUB_TOKEN to a valid token`,
        status,
      );
    case 403:
      return new GitHubError(
        `GitHub refused ${action} (403 ${said}); give the token contents: write and pull-requests: write on ${repository}`,
        status,
      );
    case 404:
      return new GitHubError(
        `GitHub found nothing while ${action} (404 ${said}); check that GITHUB_REPOSITORY (${repository}) exists and the token can see it`,
        status,
      );
    case 422:
      return new GitHubError(
        `GitHub refused ${action} (422 ${said}); check that the branch was pushed and the base branch exists`,
        status,
      );
    default:
      if (status >= 500) {
        return new GitHubError(
          `GitHub failed ${action} (${status} ${said}) after ${settings.retries} retries; GitHub may be having an incident (https://www.githubstatus.com): run again later`,
          status,
          { uncertain: true, transient: true },
        );
      }
      return new GitHubError(`GitHub answered ${status} while ${action} (${said})`, status);
  }
}
