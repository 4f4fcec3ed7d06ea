import { acceptanceFile, createGitFixture, digest, type GitFixture } from "../../test/git-fixture";
import { startGitHubServer, type GitHubServer } from "../../test/github-server";
import { gitHubEnv, runCli } from "../../test/run-cli";
import { parseStackFile } from "../../stack-config/from-file";

let fixture: GitFixture;
let server: GitHubServer;
let env: Record<string, string>;
const release = (...argv: string[]) => runCli(["release", ...argv], fixture.clone, env);

beforeEach(async () => {
  fixture = createGitFixture();
  server = await startGitHubServer({ bareRepository: fixture.origin });
  env = { ...fixture.env, ...gitHubEnv(server) };
});
afterEach(async () => {
  await server.close();
  fixture.cleanup();
});

test("release sets the tag in acceptance, the first environment", async () => {
  const run = await release("web", "2.1.0");
  expect(run).toEqual({ code: 0, stdout: "acceptance: web 2.0.1 → 2.1.0\n", stderr: "" });
  expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile.replace("tag: 2.0.1", 'tag: "2.1.0"'));
});

test("release clears a digest pinned in acceptance, so acceptance builds the tag", async () => {
  fixture.write(
    "Pulumi.acceptance.yaml",
    acceptanceFile.replace("web: { tag: 2.0.1 }", `web: { tag: 2.0.1, digest: ${digest("e")} }`),
  );
  expect((await release("web", "2.1.0")).code).toBe(0);
  expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile.replace("tag: 2.0.1", 'tag: "2.1.0"'));
});

test("releasing the tag acceptance has is a no-op", async () => {
  const run = await release("main-api", "1.4.0");
  expect(run).toEqual({
    code: 0,
    stdout: "nothing to release: acceptance already has main-api 1.4.0\n",
    stderr: "",
  });
  expect(fixture.cloneState().status).toBe("");
});

test("release --pr opens a pull request on release/acceptance/<app> and leaves the clone alone", async () => {
  const before = fixture.cloneState();
  const run = await release("main-api", "1.5.0", "--pr");
  expect(run).toEqual({
    code: 0,
    stdout:
      "acceptance: main-api 1.4.0 → 1.5.0\nopened pull request #1: https://github.test/acme/platform/pull/1 (release/acceptance/main-api into main)\n",
    stderr: "",
  });
  expect(fixture.cloneState()).toEqual(before);
  expect(fixture.originShow("release/acceptance/main-api", "Pulumi.acceptance.yaml")).toBe(
    acceptanceFile.replace('tag: "1.4.0"', 'tag: "1.5.0"').trimEnd(),
  );
  expect(server.pulls[0]).toMatchObject({
    head: "release/acceptance/main-api",
    base: "main",
    title: "Release to acceptance: main-api 1.4.0 → 1.5.0",
  });
  expect(server.pulls[0]!.body).toContain("| main-api | `1.4.0` | `1.5.0` |");
  expect(server.pulls[0]!.body).toContain("Release run: https://github.test/acme/platform/actions/runs/4242");
  const message = fixture.git(
    ["log", "-1", "--format=%an <%ae>%n%B", "release/acceptance/main-api"],
    fixture.origin,
  );
  expect(message).toBe(
    "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\nRelease to acceptance: main-api 1.4.0 → 1.5.0\n\nacceptance: main-api 1.4.0 → 1.5.0\n\nGenerated-by: platform release",
  );
});

test("credentials in GITHUB_SERVER_URL never reach the pull request, the commit or the output", async () => {
  env = { ...env, GITHUB_SERVER_URL: "https://ci-user:s3cr3t-token-value@github.example/" };
  const run = await release("main-api", "1.5.0", "--pr");
  expect(run.code).toBe(0);
  expect(server.pulls[0]!.body).toContain(
    "Release run: https://github.example/acme/platform/actions/runs/4242\n",
  );
  const written = [
    JSON.stringify(server.requests),
    fixture.git(["log", "-1", "--format=%B", "release/acceptance/main-api"], fixture.origin),
    run.stdout,
    run.stderr,
  ].join("\n");
  expect(written).not.toContain("s3cr3t");
  expect(written).not.toContain("ci-user");
});

test("a second release of the app updates the same pull request", async () => {
  await release("main-api", "1.5.0", "--pr");
  const run = await release("main-api", "1.5.1", "--pr");
  expect(run.stdout).toBe(
    "acceptance: main-api 1.4.0 → 1.5.1\nupdated pull request #1: https://github.test/acme/platform/pull/1 (release/acceptance/main-api into main)\n",
  );
  expect(server.pulls).toHaveLength(1);
  expect(server.pulls[0]!.title).toBe("Release to acceptance: main-api 1.4.0 → 1.5.1");
  expect(fixture.originShow("release/acceptance/main-api", "Pulumi.acceptance.yaml")).toContain(
    'tag: "1.5.1"',
  );
});

test("release refuses a digest: acceptance builds the tag", async () => {
  const run = await release("web", `2.1.0@${digest("a")}`);
  expect(run).toEqual({
    code: 2,
    stdout: "",
    stderr: `error: '2.1.0@${digest("a")}' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')\n`,
  });
});

test("release refuses an unknown app and a missing token, changing nothing", async () => {
  const before = fixture.cloneState();
  expect(await release("api", "1.0")).toEqual({
    code: 2,
    stdout: "",
    stderr: "error: unknown app 'api'; expected one of main-api, web, customer-api\n",
  });
  const { GITHUB_TOKEN: _, ...withoutToken } = env;
  expect((await runCli(["release", "web", "2.1.0", "--pr"], fixture.clone, withoutToken)).code).toBe(2);
  expect(fixture.cloneState()).toEqual(before);
  expect(fixture.originBranches()).toEqual(["main"]);
  expect(server.requests).toEqual([]);
});

describe("release writes what it was given, or refuses", () => {
  test.each(["0b1", "2024-01-01", "20240101_1200"])(
    "a tag %s, which YAML readers may take for a number or a date, is written double-quoted",
    async (tag) => {
      const run = await release("web", tag);
      expect(run).toEqual({ code: 0, stdout: `acceptance: web 2.0.1 → ${tag}\n`, stderr: "" });
      expect(fixture.read("Pulumi.acceptance.yaml")).toBe(
        acceptanceFile.replace("web: { tag: 2.0.1 }", `web: { tag: "${tag}" }`),
      );
      // render and plan read it as that tag, as Pulumi does.
      expect(parseStackFile(fixture.read("Pulumi.acceptance.yaml"), "acceptance").images["web"]).toEqual({
        tag,
      });
    },
  );

  test.each(["latest", "stable", "main", "nightly", "edge", "master", "release-candidate"])(
    "a moving tag %s is refused, changing nothing",
    async (tag) => {
      const before = fixture.cloneState();
      expect(await release("web", tag)).toEqual({
        code: 2,
        stdout: "",
        stderr: `error: '${tag}' is a moving tag: a tag without a digit (latest, stable, main, master, edge, nightly) can point to a different image at any time; use a version tag, which holds a digit, such as 1.5.0\n`,
      });
      expect(fixture.cloneState()).toEqual(before);
    },
  );

  test.each(["2", "v2", "1.5", "V1.5", "10"])(
    "a floating version tag %s (major-only or major.minor) is refused, changing nothing",
    async (tag) => {
      const before = fixture.cloneState();
      expect(await release("web", tag)).toEqual({
        code: 2,
        stdout: "",
        stderr: `error: '${tag}' is a moving tag: a major-only or major.minor tag (2, v2, 1.5) is moved to each new release of that line, so it can point to a different image at any time; use the full version, major.minor.patch, such as 1.5.0, or a tag with a non-numeric part such as build-42\n`,
      });
      expect(fixture.cloneState()).toEqual(before);
    },
  );

  test.each(["1.5.0", "v1.5.0", "1.5.0-rc.1", "2024.06.01-abc1234", "build-42", "1.5.0.1"])(
    "a version tag %s is taken",
    async (tag) => {
      expect((await release("web", tag)).code).toBe(0);
    },
  );
});
