import { startGitHubServer, type GitHubServer } from "../test/github-server";
import { InterruptedError } from "./errors";
import {
  createGitHub as createGitHubOfProcess,
  describeFailure,
  gitHubSettings,
  openOrUpdatePullRequest,
  type GitHubApiSettings,
} from "./github";

let server: GitHubServer;
let settings: GitHubApiSettings;
let interruption: AbortController;

/** The adapter, interrupted by `interruption` rather than by signals to the test process. */
const createGitHub = (custom: GitHubApiSettings) => createGitHubOfProcess(custom, interruption.signal);

beforeEach(async () => {
  server = await startGitHubServer({});
  settings = {
    token: server.token,
    owner: "acme",
    repo: "platform",
    apiUrl: server.url,
    delayUnitMs: 0,
    retries: 3,
    timeoutMs: 30_000,
    maxWaitSeconds: 60,
  };
  interruption = new AbortController();
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
      timeoutMs: 30_000,
      maxWaitSeconds: 60,
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

describe("the --pr settings", () => {
  const env = { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/platform" };

  test("the timeout and the longest wait come from the environment, in seconds", () => {
    expect(
      gitHubSettings({
        ...env,
        PLATFORM_GITHUB_TIMEOUT_SECONDS: "0.2",
        PLATFORM_GITHUB_MAX_WAIT_SECONDS: "0",
      }),
    ).toMatchObject({ timeoutMs: 200, maxWaitSeconds: 0 });
  });

  test("malformed values are refused, every problem at once", () => {
    expect(() => gitHubSettings({ ...env, PLATFORM_GITHUB_TIMEOUT_SECONDS: "0" })).toThrow(
      "PLATFORM_GITHUB_TIMEOUT_SECONDS '0' is not a number of seconds (positive), for example 30",
    );
    expect(() =>
      gitHubSettings({ GITHUB_REPOSITORY: "platform", PLATFORM_GITHUB_MAX_WAIT_SECONDS: "soon" }),
    ).toThrow(
      new Error(
        [
          "--pr cannot talk to GitHub:",
          "  - GITHUB_TOKEN is not set; --pr needs a token that may push branches and open pull requests (in GitHub Actions: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})",
          "  - GITHUB_REPOSITORY 'platform' is not owner/name; set it to for example acme/platform",
          "  - PLATFORM_GITHUB_MAX_WAIT_SECONDS 'soon' is not a number of seconds (zero or more), for example 60",
        ].join("\n"),
      ),
    );
  });
});

describe("a GitHub that does not answer", () => {
  // The requests that are answered must be answered within the limit too: 1 s on a busy machine.
  const timedOut = (action: string, seconds = 1) =>
    `GitHub did not answer within ${seconds} s while ${action}; check the network and GITHUB_API_URL (${server.url}), and https://www.githubstatus.com, then run again (PLATFORM_GITHUB_TIMEOUT_SECONDS sets the limit)`;

  test("a request times out, naming the call, and is not sent again", async () => {
    server.fail({ method: "GET", path: /^\/repos\/acme\/platform$/, status: "hang" });
    await expect(createGitHub({ ...settings, timeoutMs: 200 }).defaultBranch()).rejects.toThrow(
      timedOut("reading repository acme/platform", 0.2),
    );
    expect(server.requests).toHaveLength(1);
  }, 10_000);

  test("an interruption aborts the request in flight, naming the call", async () => {
    server.fail({ method: "GET", path: /\/pulls$/, status: "hang" });
    const looking = createGitHub(settings).findOpenPullRequest("b");
    await server.received("GET", /\/pulls$/);
    interruption.abort(new InterruptedError("SIGINT"));
    const error: unknown = await looking.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error).toMatchObject({
      message: "interrupted by SIGINT while looking for an open pull request from b",
      exitCode: 130,
    });
  }, 10_000);

  test("an opening that timed out but opened the pull request is found and used", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: "hang", effect: true });
    const pull = await createGitHub({ ...settings, timeoutMs: 1000 }).createPullRequest({
      branch: "b",
      base: "main",
      title: "t",
      body: "",
    });
    expect(pull).toEqual({
      number: 1,
      url: "https://github.test/acme/platform/pull/1",
      title: "t",
      body: "",
    });
    expect(server.pulls).toHaveLength(1);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /repos/acme/platform/pulls",
      "GET /repos/acme/platform/pulls",
    ]);
  }, 10_000);

  test("an opening that timed out without opening fails, and is not sent again", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: "hang" });
    await expect(
      createGitHub({ ...settings, timeoutMs: 1000 }).createPullRequest({
        branch: "b",
        base: "main",
        title: "t",
        body: "",
      }),
    ).rejects.toThrow(timedOut("opening a pull request from b into main"));
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
  }, 10_000);
});

describe("an opening whose outcome is uncertain", () => {
  const request = { branch: "b", base: "main", title: "t", body: "" };

  test("502 after GitHub opened it: the pull request is found, not opened twice", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: 502, effect: true });
    expect(await createGitHub(settings).createPullRequest(request)).toMatchObject({ number: 1 });
    expect(server.pulls).toHaveLength(1);
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
  });

  test("a connection reset after GitHub opened it: the pull request is found", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: "reset", effect: true });
    expect(await createGitHub(settings).createPullRequest(request)).toMatchObject({ number: 1 });
    expect(server.pulls).toHaveLength(1);
  });

  test("502 when GitHub did not open it: looked up, then sent again", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: 502, times: 2 });
    expect(await createGitHub(settings).createPullRequest(request)).toMatchObject({ number: 1 });
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET", "POST", "GET", "POST"]);
  });

  test("502 that persists fails after the retries", async () => {
    server.fail({
      method: "POST",
      path: /\/pulls$/,
      status: 502,
      times: 10,
      body: { message: "Bad Gateway" },
    });
    await expect(createGitHub(settings).createPullRequest(request)).rejects.toThrow(
      "GitHub failed opening a pull request from b into main (502 Bad Gateway) after 3 retries; GitHub may be having an incident (https://www.githubstatus.com): run again later",
    );
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(4);
  });
});

describe("answers that are not what GitHub's API documents", () => {
  const request = { branch: "b", base: "main", title: "t", body: "" };
  const unexpected = (action: string, status: number, problems: string) =>
    `GitHub's answer to ${action} (${status}) is not what its API documents: ${problems}; check that GITHUB_API_URL (${server.url}) is GitHub's REST API, then run again`;

  test("a 201 without the pull request fails clearly, after looking for it", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: 201, body: { message: "created" } });
    await expect(createGitHub(settings).createPullRequest(request)).rejects.toThrow(
      unexpected(
        "opening a pull request from b into main",
        201,
        "number is missing, html_url is missing, title is missing",
      ),
    );
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
  });

  test("a 201 with a page instead of JSON", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: 201, raw: true, body: "<html>proxy</html>" });
    await expect(createGitHub(settings).createPullRequest(request)).rejects.toThrow(
      unexpected(
        "opening a pull request from b into main",
        201,
        'the body is "<html>proxy</html>", not a JSON object',
      ),
    );
  });

  test("fields of the wrong type, in a list and in a repository", async () => {
    server.fail({
      method: "GET",
      path: /\/pulls$/,
      status: 200,
      body: [{ number: "7", html_url: "not a url", title: "t", body: 3 }],
    });
    await expect(createGitHub(settings).findOpenPullRequest("b")).rejects.toThrow(
      unexpected(
        "looking for an open pull request from b",
        200,
        '[0]: number is "7", not a positive integer, [0]: html_url is "not a url", not an http(s) URL, [0]: body is 3, not a string or null',
      ),
    );
    server.fail({
      method: "GET",
      path: /^\/repos\/acme\/platform$/,
      status: 200,
      body: { name: "platform" },
    });
    await expect(createGitHub(settings).defaultBranch()).rejects.toThrow(
      unexpected("reading repository acme/platform", 200, "default_branch is missing"),
    );
  });
});

describe("waits GitHub asks for", () => {
  const tooMany = (retryAfter: string) => ({
    method: "POST",
    path: /\/pulls$/,
    status: 429,
    headers: { "retry-after": retryAfter },
    body: { message: "Too Many Requests" },
  });
  const request = { branch: "b", base: "main", title: "t", body: "" };

  test("a retry-after beyond the limit fails at once, saying when to try again", async () => {
    server.fail(tooMany("3600"));
    const before = Date.now();
    const error: unknown = await createGitHub(settings)
      .createPullRequest(request)
      .catch((e: unknown) => e);
    const after = Date.now();
    const message = (error as Error).message;
    expect(message).toMatch(
      /^GitHub asks to wait 3600 s \(rate limit\) while opening a pull request from b into main \(429 Too Many Requests\); try again after (\S+)$/,
    );
    const tryAgain = Date.parse(/try again after (\S+)$/.exec(message)![1]!);
    expect(tryAgain).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(tryAgain).toBeLessThanOrEqual(after + 3600_000 + 1000);
    expect(server.requests).toHaveLength(1);
  });

  test("a retry-after within the limit is waited out once", async () => {
    server.fail(tooMany("30"));
    expect(await createGitHub(settings).createPullRequest(request)).toMatchObject({ number: 1 });
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
  });

  test("the limit is configurable: 0 never waits", async () => {
    server.fail(tooMany("1"));
    await expect(createGitHub({ ...settings, maxWaitSeconds: 0 }).createPullRequest(request)).rejects.toThrow(
      /^GitHub asks to wait 1 s \(rate limit\)/,
    );
    expect(server.requests).toHaveLength(1);
  });

  test("describeFailure says when, from the time given", () => {
    const failure = {
      status: 429,
      message: "Too Many Requests",
      response: { headers: { "retry-after": "3600" }, data: { message: "Too Many Requests" } },
    };
    expect(
      describeFailure(
        failure,
        "opening a pull request from b into main",
        settings,
        new Date("2030-01-01T10:00:00Z"),
      ).message,
    ).toBe(
      "GitHub asks to wait 3600 s (rate limit) while opening a pull request from b into main (429 Too Many Requests); try again after 2030-01-01T11:00:00.000Z",
    );
  });
});
