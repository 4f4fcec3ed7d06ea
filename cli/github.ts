import { randomUUID } from "node:crypto";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";
import { InputError, PlatformError } from "./errors";

/** Where and as whom the CLI talks to GitHub: the variables GitHub Actions sets. */
export interface GitHubSettings {
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
}

/** Reads the GitHub settings from the environment. @throws InputError naming the missing variable. */
export function gitHubSettings(env: Readonly<Record<string, string | undefined>>): GitHubSettings {
  const token = env["GITHUB_TOKEN"]?.trim();
  const repository = env["GITHUB_REPOSITORY"]?.trim();
  if (!token) {
    throw new InputError(
      "GITHUB_TOKEN is not set; --pr needs a token that may push branches and open pull requests (in GitHub Actions: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})",
    );
  }
  if (!repository) {
    throw new InputError(
      "GITHUB_REPOSITORY is not set; set it to the owner/name of the repository, for example acme/platform",
    );
  }
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!match) {
    throw new InputError(
      `GITHUB_REPOSITORY '${repository}' is not owner/name; set it to for example acme/platform`,
    );
  }
  const unit = Number(env["PLATFORM_GITHUB_DELAY_UNIT_MS"] ?? 1000);
  return {
    token,
    owner: match[1]!,
    repo: match[2]!,
    apiUrl: (env["GITHUB_API_URL"]?.trim() || "https://api.github.com").replace(/\/+$/, ""),
    delayUnitMs: Number.isFinite(unit) && unit >= 0 ? unit : 1000,
    retries: 3,
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
  /** GET /repos/:owner/:repo/pulls?head=owner:branch&state=open */
  findOpenPullRequest(branch: string): Promise<PullRequest | undefined>;
  /** POST /repos/:owner/:repo/pulls */
  createPullRequest(request: {
    branch: string;
    base: string;
    title: string;
    body: string;
  }): Promise<PullRequest>;
  /** PATCH /repos/:owner/:repo/pulls/:number */
  updatePullRequest(number: number, change: { title: string; body: string }): Promise<PullRequest>;
}

/** A GitHub request that failed after its retries; the message says what to do. */
export class GitHubError extends PlatformError {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message, 1);
    this.name = "GitHubError";
  }
}

const PlatformOctokit = Octokit.plugin(retry, throttling);

/** A GitHub adapter over Octokit with the retry and throttling plugins. */
export function createGitHub(settings: GitHubSettings): GitHub {
  const unit = settings.delayUnitMs;
  const octokit = new PlatformOctokit({
    auth: settings.token,
    baseUrl: settings.apiUrl,
    userAgent: "platform-cli",
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    retry: { retries: settings.retries, retryAfterBaseValue: unit },
    throttle: {
      // Own limiters per client: one run's waits never depend on another client in the process.
      id: `platform-${randomUUID()}`,
      // GitHub's guidance, as the plugin's defaults: writes 1 s apart, notifying writes 3 s apart.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: unit }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * unit }),
      retryAfterBaseValue: unit,
      // Wait once for a rate limit that lifts within a minute; otherwise fail with its reset time.
      onRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < 1 && retryAfter <= 60,
      onSecondaryRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < 1 && retryAfter <= 60,
    },
  });
  const { owner, repo } = settings;
  const repository = `${owner}/${repo}`;
  const call = async <T>(action: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw describeFailure(error, action, settings);
    }
  };
  const toPullRequest = (data: {
    number: number;
    html_url: string;
    title: string;
    body?: string | null;
  }) => ({
    number: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? "",
  });
  return {
    repository,
    defaultBranch: () =>
      call(
        `reading repository ${repository}`,
        async () => (await octokit.rest.repos.get({ owner, repo })).data.default_branch,
      ),
    findOpenPullRequest: (branch) =>
      call(`looking for an open pull request from ${branch}`, async () => {
        const { data } = await octokit.rest.pulls.list({
          owner,
          repo,
          head: `${owner}:${branch}`,
          state: "open",
        });
        return data[0] === undefined ? undefined : toPullRequest(data[0]);
      }),
    createPullRequest: ({ branch, base, title, body }) =>
      call(`opening a pull request from ${branch} into ${base}`, async () =>
        toPullRequest(
          (await octokit.rest.pulls.create({ owner, repo, head: branch, base, title, body })).data,
        ),
      ),
    updatePullRequest: (number, { title, body }) =>
      call(`updating pull request #${number}`, async () =>
        toPullRequest(
          (await octokit.rest.pulls.update({ owner, repo, pull_number: number, title, body })).data,
        ),
      ),
  };
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

interface RequestFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/** Turns an Octokit failure into a message that says what happened and what to do. */
export function describeFailure(error: unknown, action: string, settings: GitHubSettings): GitHubError {
  const failure = (typeof error === "object" && error !== null ? error : {}) as RequestFailure;
  // Octokit reports a request that got no answer at all as status 500 without a response.
  const status =
    typeof failure.status === "number" && failure.response !== undefined ? failure.status : undefined;
  const headers = failure.response?.headers ?? {};
  const data = (failure.response?.data ?? {}) as {
    message?: string;
    errors?: ({ message?: string } | string)[];
  };
  const said = [data.message ?? failure.message ?? String(error)]
    .concat((data.errors ?? []).map((e) => (typeof e === "string" ? e : (e.message ?? JSON.stringify(e)))))
    .join(": ");
  const repository = `${settings.owner}/${settings.repo}`;
  const rateLimited =
    (status === 403 || status === 429) &&
    (headers["x-ratelimit-remaining"] === "0" || /rate limit/i.test(said));
  if (rateLimited) {
    const reset = Number(headers["x-ratelimit-reset"]);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
    return new GitHubError(
      `GitHub is rate-limiting this token${when} (${status} while ${action}: ${said}); wait and run again, or use a token with a higher limit`,
      status,
    );
  }
  switch (status) {
    case undefined:
      return new GitHubError(
        `cannot reach GitHub at ${settings.apiUrl} while ${action} (${said}) after ${settings.retries} retries; check GITHUB_API_URL and the network, then run again`,
        status,
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
        );
      }
      return new GitHubError(`GitHub answered ${status} while ${action} (${said})`, status);
  }
}
