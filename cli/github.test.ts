import { startGitHubServer, type GitHubServer } from "../test/github-server";
import { createGitHub, gitHubSettings, openOrUpdatePullRequest, type GitHubSettings } from "./github";

let server: GitHubServer;
let settings: GitHubSettings;

beforeEach(async () => {
  server = await startGitHubServer({});
  settings = {
    token: server.token,
    owner: "acme",
    repo: "platform",
    apiUrl: server.url,
    delayUnitMs: 0,
    retries: 3,
  };
});
afterEach(() => server.close());

describe("gitHubSettings", () => {
  const env = { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/platform" };

  test("reads the variables GitHub Actions sets, with GitHub's API by default", () => {
    expect(gitHubSettings(env)).toEqual({
      token: "t",
      owner: "acme",
      repo: "platform",
      apiUrl: "https://api.github.com",
      delayUnitMs: 1000,
      retries: 3,
    });
    expect(
      gitHubSettings({
        ...env,
        GITHUB_API_URL: "https://ghe.example/api/v3/",
        PLATFORM_GITHUB_DELAY_UNIT_MS: "0",
      }),
    ).toMatchObject({
      apiUrl: "https://ghe.example/api/v3",
      delayUnitMs: 0,
    });
  });

  test("a missing token", () => {
    expect(() => gitHubSettings({ GITHUB_REPOSITORY: "acme/platform" })).toThrow(
      "GITHUB_TOKEN is not set; --pr needs a token that may push branches and open pull requests (in GitHub Actions: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})",
    );
  });

  test("a missing or malformed repository", () => {
    expect(() => gitHubSettings({ GITHUB_TOKEN: "t" })).toThrow(
      "GITHUB_REPOSITORY is not set; set it to the owner/name of the repository, for example acme/platform",
    );
    expect(() => gitHubSettings({ GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "platform" })).toThrow(
      "GITHUB_REPOSITORY 'platform' is not owner/name; set it to for example acme/platform",
    );
  });
});

describe("the GitHub adapter", () => {
  test("reads the default branch and opens, then updates instead of opening a second", async () => {
    const github = createGitHub(settings);
    expect(await github.defaultBranch()).toBe("main");
    const request = { branch: "promote/production/web", base: "main", title: "one", body: "first" };
    const opened = await openOrUpdatePullRequest(
      github,
      request,
      await github.findOpenPullRequest(request.branch),
    );
    expect(opened).toMatchObject({ action: "opened", pullRequest: { number: 1, title: "one" } });
    const again = { ...request, title: "two", body: "second" };
    const updated = await openOrUpdatePullRequest(
      github,
      again,
      await github.findOpenPullRequest(request.branch),
    );
    expect(updated).toMatchObject({
      action: "updated",
      pullRequest: { number: 1, title: "two", body: "second" },
    });
    expect(server.pulls).toHaveLength(1);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/platform",
      "GET /repos/acme/platform/pulls",
      "POST /repos/acme/platform/pulls",
      "GET /repos/acme/platform/pulls",
      "PATCH /repos/acme/platform/pulls/1",
    ]);
    expect(server.requests[1]!.query).toEqual({ head: "acme:promote/production/web", state: "open" });
    expect(server.requests.every((r) => r.authorization === `token ${server.token}`)).toBe(true);
  });

  test("401: a bad token", async () => {
    const github = createGitHub({ ...settings, token: "wrong" });
    await expect(github.defaultBranch()).rejects.toThrow(
      "GitHub rejected the token (401 Bad credentials) while reading repository acme/platform; set GITHUB_TOKEN to a valid token",
    );
    expect(server.requests).toHaveLength(1);
  });

  test("403: a token without permission", async () => {
    server.fail({
      method: "POST",
      path: /\/pulls$/,
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    const github = createGitHub(settings);
    await expect(
      github.createPullRequest({ branch: "b", base: "main", title: "t", body: "" }),
    ).rejects.toThrow(
      "GitHub refused opening a pull request from b into main (403 Resource not accessible by integration); give the token contents: write and pull-requests: write on acme/platform",
    );
  });

  test("404: a repository the token cannot see", async () => {
    const github = createGitHub({ ...settings, repo: "missing" });
    await expect(github.defaultBranch()).rejects.toThrow(
      "GitHub found nothing while reading repository acme/missing (404 Not Found); check that GITHUB_REPOSITORY (acme/missing) exists and the token can see it",
    );
  });

  test("422: GitHub's validation errors are quoted", async () => {
    const github = createGitHub(settings);
    await github.createPullRequest({ branch: "b", base: "main", title: "t", body: "" });
    await expect(
      github.createPullRequest({ branch: "b", base: "main", title: "t", body: "" }),
    ).rejects.toThrow(
      "GitHub refused opening a pull request from b into main (422 Validation Failed: A pull request already exists for acme:b.); check that the branch was pushed and the base branch exists",
    );
  });

  test("5xx is retried, then succeeds", async () => {
    server.fail({ method: "GET", path: /^\/repos\/acme\/platform$/, status: 502, times: 2 });
    expect(await createGitHub(settings).defaultBranch()).toBe("main");
    expect(server.requests).toHaveLength(3);
  });

  test("5xx that persists fails after the retries, saying what to do", async () => {
    server.fail({
      method: "GET",
      path: /^\/repos\/acme\/platform$/,
      status: 503,
      times: 10,
      body: { message: "Service Unavailable" },
    });
    await expect(createGitHub(settings).defaultBranch()).rejects.toThrow(
      "GitHub failed reading repository acme/platform (503 Service Unavailable) after 3 retries; GitHub may be having an incident (https://www.githubstatus.com): run again later",
    );
    expect(server.requests).toHaveLength(4);
  });

  const rateLimited = (times: number, reset: number) => ({
    method: "POST",
    path: /\/pulls$/,
    status: 403,
    times,
    headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
    body: { message: "API rate limit exceeded for installation ID 1." },
  });

  test("a rate limit that lifts soon is waited for once", async () => {
    server.fail(rateLimited(1, Math.floor(Date.now() / 1000) + 1));
    const pull = await createGitHub(settings).createPullRequest({
      branch: "b",
      base: "main",
      title: "t",
      body: "",
    });
    expect(pull.number).toBe(1);
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
  });

  test("a rate limit that persists fails with its reset time", async () => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    server.fail(rateLimited(5, reset));
    await expect(
      createGitHub(settings).createPullRequest({ branch: "b", base: "main", title: "t", body: "" }),
    ).rejects.toThrow(
      `GitHub is rate-limiting this token until ${new Date(reset * 1000).toISOString()} (403 while opening a pull request from b into main: API rate limit exceeded for installation ID 1.); wait and run again, or use a token with a higher limit`,
    );
    expect(server.requests).toHaveLength(2);
  });

  test("a secondary rate limit is retried after what GitHub asks", async () => {
    server.fail({
      method: "GET",
      path: /\/pulls$/,
      status: 429,
      headers: { "retry-after": "1" },
      body: {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      },
    });
    expect(await createGitHub(settings).findOpenPullRequest("b")).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  test("an unreachable API", async () => {
    await server.close();
    await expect(createGitHub(settings).defaultBranch()).rejects.toThrow(
      new RegExp(
        `^cannot reach GitHub at ${settings.apiUrl.replace(/\./g, "\\.")} while reading repository acme/platform \\(.*\\) after 3 retries; check GITHUB_API_URL and the network, then run again$`,
      ),
    );
  });
});
