import { createGitFixture, type GitFixture } from "../test/git-fixture";
import { startGitHubServer, type GitHubServer } from "../test/github-server";
import { gitHubEnv, runCli, startCliProcess } from "../test/run-cli";

let fixture: GitFixture;
let server: GitHubServer;
let env: Record<string, string>;

const branch = "release/acceptance/main-api";
const argv = ["release", "main-api", "1.5.0", "--pr"];
const release = (extraEnv: Record<string, string> = {}) =>
  runCli(argv, fixture.clone, { ...env, ...extraEnv });
const opened = `acceptance: main-api 1.4.0 → 1.5.0\nopened pull request #1: https://github.test/acme/platform/pull/1 (${branch} into main)\n`;

beforeEach(async () => {
  fixture = createGitFixture();
  server = await startGitHubServer({ bareRepository: fixture.origin });
  env = { ...fixture.env, ...gitHubEnv(server) };
});
afterEach(async () => {
  await server.close();
  fixture.cleanup();
});

// A time limit of 1 s where GitHub hangs: the requests it answers must be answered within it too.
describe("an opening whose outcome is uncertain", () => {
  test("502 after GitHub opened it: the run uses that pull request and keeps its branch", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: 502, effect: true });
    expect(await release()).toEqual({ code: 0, stdout: opened, stderr: "" });
    expect(fixture.originBranches()).toEqual(["main", branch]);
    expect(server.pulls).toMatchObject([{ number: 1, head: branch, state: "open" }]);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  test("a timeout after GitHub opened it: the run uses that pull request", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: "hang", effect: true });
    expect(await release({ PLATFORM_GITHUB_TIMEOUT_SECONDS: "1" })).toEqual({
      code: 0,
      stdout: opened,
      stderr: "",
    });
    expect(fixture.originBranches()).toEqual(["main", branch]);
  }, 15_000);

  test("a timeout when GitHub did not open it: fails naming the call, the branch is deleted again", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: "hang" });
    expect(await release({ PLATFORM_GITHUB_TIMEOUT_SECONDS: "1" })).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: GitHub did not answer within 1 s while opening a pull request from ${branch} into main; check the network and GITHUB_API_URL (${server.url}), and https://www.githubstatus.com, then run again (PLATFORM_GITHUB_TIMEOUT_SECONDS sets the limit)\n`,
    });
    expect(fixture.originBranches()).toEqual(["main"]);
  }, 15_000);

  test("a 201 that is not a pull request fails clearly instead of printing #undefined", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: 201, body: { message: "created" } });
    expect(await release()).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: GitHub's answer to opening a pull request from ${branch} into main (201) is not what its API documents: number is missing, html_url is missing, title is missing; check that GITHUB_API_URL (${server.url}) is GitHub's REST API, then run again\n`,
    });
    expect(fixture.originBranches()).toEqual(["main"]);
  });

  test("a 429 asking for an hour fails at once, saying when to try again", async () => {
    server.fail({
      method: "POST",
      path: /\/pulls$/,
      status: 429,
      headers: { "retry-after": "3600" },
      body: { message: "Too Many Requests" },
    });
    const run = await release();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: GitHub asks to wait 3600 s \(rate limit\) while opening a pull request from release\/acceptance\/main-api into main \(429 Too Many Requests\); try again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/,
    );
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(fixture.originBranches()).toEqual(["main"]);
  });
});

describe("an interrupted run (a real process, a GitHub that never answers the opening)", () => {
  test.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s: the pushed branch is deleted again, exit %i", async (signal, code) => {
    server.fail({ method: "POST", path: /\/pulls$/, status: "hang" });
    const cli = startCliProcess(argv, fixture.clone, env);
    await server.received("POST", /\/pulls$/);
    expect(fixture.originBranches()).toEqual(["main", branch]);
    cli.child.kill(signal);
    expect(await cli.exited).toEqual({
      code,
      signal: null,
      stdout: "",
      stderr: `error: interrupted by ${signal} while opening a pull request from ${branch} into main; branch ${branch} was deleted from origin again\n`,
    });
    expect(fixture.originBranches()).toEqual(["main"]);
    expect(server.pulls).toEqual([]);
  });

  test("SIGTERM after GitHub opened the pull request: its branch is kept", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: "hang", effect: true });
    const cli = startCliProcess(argv, fixture.clone, env);
    await server.received("POST", /\/pulls$/);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toEqual({
      code: 143,
      signal: null,
      stdout: "",
      stderr: `error: interrupted by SIGTERM while opening a pull request from ${branch} into main; pull request #1 was opened before the interruption and branch ${branch} is kept: https://github.test/acme/platform/pull/1\n`,
    });
    expect(fixture.originBranches()).toEqual(["main", branch]);
  });
});
