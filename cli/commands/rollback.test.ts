import { digest } from "../../test/git-fixture";
import { root, stackConfig } from "../../test/program";
import { projectWorld } from "../../engine/world";
import { runPlan } from "../program-runs";
import { pulumiConfig } from "../../stack-config/from-file";
import { startGitHubServer } from "../../test/github-server";
import { createReleaseHistory, stackFile, type ReleaseHistory } from "../../test/release-history";
import { pushRecord } from "../../test/records";
import { gitHubEnv, runCli } from "../../test/run-cli";

// One history for the whole suite: each test puts the clone (and origin's refs) back as they were.
let history: ReleaseHistory;
beforeAll(() => {
  history = createReleaseHistory();
});
afterAll(() => history.fixture.cleanup());
beforeEach(() => {
  history.fixture.git(["checkout", "--quiet", "--", "."]);
  history.setRegistry({
    "main-api:1.3.0": digest("1"),
    "main-api:1.4.0": digest("a"),
    "web:2.0.1": digest("2"),
  });
});

const short = (name: string) => history.commits[name]!.slice(0, 7);
const rollback = (...argv: string[]) => runCli(["rollback", ...argv], history.fixture.clone, history.env);
const production = (...entries: string[]) => stackFile("production", entries);
const mainApi = (tag: string, hex: string) => `main-api: { tag: "${tag}", digest: ${digest(hex)} }`;
const web = (tag: string, hex: string) => `web: { tag: "${tag}", digest: ${digest(hex)} }`;
const customerApi = `customer-api: { tag: "0.9.3", digest: ${digest("f")} }`;

describe("platform rollback production", () => {
  test("one app goes back to the version production ran before its current one", async () => {
    expect(await rollback("production", "main-api")).toEqual({
      code: 0,
      stdout: `production: main-api 1.5.0@${digest("c")} → 1.4.0@${digest("a")} (ran from ${short("promote14")} (2026-01-03 10:00 UTC))\n`,
      stderr: "",
    });
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.4.0", "a"), web("2.0.2", "b"), customerApi),
    );
  });

  test("the deploy of a rollback ships main's program too: the commits production has not deployed are listed", async () => {
    const { fixture } = history;
    fixture.git(["tag", "deployed/production", history.commits["promote14"]!], fixture.origin);
    try {
      expect((await rollback("production", "main-api")).stdout).toBe(
        [
          `production: main-api 1.5.0@${digest("c")} → 1.4.0@${digest("a")} (ran from ${short("promote14")} (2026-01-03 10:00 UTC))`,
          `production last deployed ${short("promote14")} (2026-01-03 10:00 UTC); program changes since then, which a deploy of production also ships:`,
          `  ${short("program")} Resize the database (Alice)`,
          "",
        ].join("\n"),
      );
    } finally {
      fixture.git(["tag", "-d", "deployed/production"], fixture.origin);
    }
  });

  test("every app by default; an app with no earlier version stays as it is, and says so", async () => {
    expect(await rollback("production")).toEqual({
      code: 0,
      stdout: [
        `customer-api: production has run only 0.9.3@${digest("f")} (since ${short("promote15")} (2026-01-06 12:00 UTC)); there is no earlier version to roll back to; left as it is`,
        `production: main-api 1.5.0@${digest("c")} → 1.4.0@${digest("a")} (ran from ${short("promote14")} (2026-01-03 10:00 UTC))`,
        `production: web 2.0.2@${digest("b")} → 2.0.1@${digest("2")} (ran from ${short("start")} (2026-01-01 10:00 UTC))`,
        "",
      ].join("\n"),
      stderr: "",
    });
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
  });

  test("--to a tag: the most recent earlier version with that tag", async () => {
    const run = await rollback("production", "main-api", "--to", "1.3.0");
    expect(run.stdout).toBe(
      `production: main-api 1.5.0@${digest("c")} → 1.3.0@${digest("1")} (ran from ${short("start")} (2026-01-01 10:00 UTC))\n`,
    );
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.3.0", "1"), web("2.0.2", "b"), customerApi),
    );
  });

  test("--to a commit of main: every app as the stack file had it then", async () => {
    const run = await rollback("production", "main-api", "web", "--to", history.commits["program"]!);
    expect(run.code).toBe(0);
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
  });

  test("--to a commit that main never was at (a merged branch's own commit) is refused", async () => {
    expect(await rollback("production", "--to", history.commits["side"]!)).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: --to ${history.commits["side"]}: commit ${short("side")} is not in the first-parent history of main (the commits main itself was at): a pull request's own commit, or a branch that was rewritten; pass a commit of main\n`,
    });
  });

  test("--to a tag production never ran before", async () => {
    expect(await rollback("production", "web", "--to", "1.9.0")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: --to 1.9.0: neither a tag that web ran in production nor a commit of this repository; see the versions with: platform status\n",
    });
  });

  test("no earlier version: exit 1 and nothing written", async () => {
    const before = history.fixture.read("Pulumi.production.yaml");
    expect(await rollback("production", "customer-api")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: customer-api: production has run only 0.9.3@${digest("f")} (since ${short("promote15")} (2026-01-06 12:00 UTC)); there is no earlier version to roll back to\n`,
    });
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(before);
  });

  test("a target the registry no longer holds, or holds at another digest, is refused", async () => {
    history.setRegistry({ "web:2.0.1": digest("9") });
    const run = await rollback("production");
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        `error: main-api: main-api:1.4.0@${digest("a")} no longer exists in contosoplatformacr.azurecr.io, so it cannot be rolled back to; pick another version with --to`,
        `web: in contosoplatformacr.azurecr.io, web:2.0.1 is ${digest("9")}, not ${digest("2")} as when it ran; a release tag was moved: pick another version with --to`,
        "",
      ].join("\n"),
    });
  });

  test("a registry that cannot be asked (az not logged in) is a warning: the preview and the deploy check again", async () => {
    history.setRegistry(null);
    const run = await rollback("production", "main-api");
    expect(run).toEqual({
      code: 0,
      stdout: `production: main-api 1.5.0@${digest("c")} → 1.4.0@${digest("a")} (ran from ${short("promote14")} (2026-01-03 10:00 UTC))\n`,
      stderr:
        "warning: main-api: cannot check that main-api:1.4.0 is still in contosoplatformacr.azurecr.io (az acr repository show --name contosoplatformacr --image main-api:1.4.0 --output json failed: ERROR: Please run 'az login' to setup account.); the pull request's preview and the deploy check it before any workload changes\n",
    });
  });

  test("under the mock engine, the rolled-back file fails preview when the registry lost the target: nothing is deployed", async () => {
    expect((await rollback("production", "main-api")).code).toBe(0);
    const config = {
      ...stackConfig("production"),
      ...pulumiConfig(history.fixture.read("Pulumi.production.yaml")),
    };
    const world = projectWorld(root, config);
    const registryImages = { ...world.registryImages };
    delete registryImages["contosoplatformacr.azurecr.io/main-api:1.4.0"];
    await expect(
      runPlan({
        dir: root,
        stack: "production",
        config,
        world: { ...world, registryImages },
        preview: true,
        timeoutSeconds: 120,
      }),
    ).rejects.toThrow(
      `platform:images.main-api: main-api:1.4.0@${digest("a")} cannot be deployed: contosoplatformacr.azurecr.io has no image main-api:1.4.0 (Got error when attempting to fetch image version main-api:1.4.0 from registry: got bad response from registry: 404 Not Found)`,
    );
  });

  test("a working tree that is not what main has is refused", async () => {
    history.fixture.write(
      "Pulumi.production.yaml",
      production(mainApi("1.4.0", "a"), web("2.0.2", "b"), customerApi),
    );
    expect(await rollback("production", "main-api")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: Pulumi.production.yaml in the working tree is not what main on origin has (main-api 1.4.0@${digest("a")} here, 1.5.0@${digest("c")} on main); check out main and pull it (or stash your change), then run again, or use --pr\n`,
    });
  });

  test("rewritten history: production's last deploy is not in main's history", async () => {
    const { fixture } = history;
    const lost = fixture.pushForeignBranch("lost", { "README.md": "lost\n" }, "Lost by a force-push");
    fixture.git(["tag", "deployed/production", lost], fixture.origin);
    fixture.git(["branch", "-D", "lost"], fixture.origin);
    try {
      expect(await rollback("production", "main-api")).toEqual({
        code: 1,
        stdout: "",
        stderr: `error: the history of main was rewritten: production last deployed ${lost.slice(0, 7)} (tag deployed/production), which is no longer in main's history, so main's history of Pulumi.production.yaml is not what production ran; find out what happened to main (a force-push?) and restore it, or roll back by hand with platform set-image\n`,
      });
    } finally {
      fixture.git(["tag", "-d", "deployed/production"], fixture.origin);
    }
  });

  test("--pr opens a pull request on rollback/production/<apps> saying from what, to what, set when", async () => {
    const server = await startGitHubServer({ bareRepository: history.fixture.origin });
    try {
      const run = await runCli(["rollback", "production", "main-api", "--pr"], history.fixture.clone, {
        ...history.env,
        ...gitHubEnv(server),
      });
      expect([run.code, run.stderr]).toEqual([0, ""]);
      expect(run.stdout).toBe(
        `production: main-api 1.5.0@${digest("c")} → 1.4.0@${digest("a")} (ran from ${short("promote14")} (2026-01-03 10:00 UTC))\nopened pull request #1: ${server.pulls[0]!.html_url} (rollback/production/main-api into main)\n`,
      );
      expect(server.pulls[0]!.title).toBe("Roll back production: main-api 1.5.0 → 1.4.0");
      expect(server.pulls[0]!.body).toBe(
        [
          "Rolls **production** back to versions it ran before (the history of `Pulumi.production.yaml` on the default branch). Merging deploys exactly these digests; the gate accepts them because production ran them.",
          "",
          "| App | production now (set by) | rolled back to (first set by) |",
          "|---|---|---|",
          `| main-api | \`1.5.0@${digest("c")}\` (${short("promote15")}, 2026-01-06 12:00 UTC) | \`1.4.0@${digest("a")}\` (${short("promote14")}, 2026-01-03 10:00 UTC) |`,
          "",
          "Run: https://github.test/acme/platform/actions/runs/4242",
          "",
          "Changes only `Pulumi.production.yaml`.",
          "",
          "### Program changes since production's last deploy",
          "",
          "production's last deploy is not recorded (no tag deployed/production): the program changes a deploy of production would also ship are unknown",
          "",
          "<sub>Opened by `platform rollback production main-api --pr`; running it again updates this pull request.</sub>",
          "",
        ].join("\n"),
      );
      expect(history.fixture.originShow("rollback/production/main-api", "Pulumi.production.yaml")).toBe(
        production(mainApi("1.4.0", "a"), web("2.0.2", "b"), customerApi).trimEnd(),
      );
    } finally {
      await server.close();
      history.fixture.git(["branch", "-D", "rollback/production/main-api"], history.fixture.origin);
    }
  });
});

describe("platform rollback acceptance", () => {
  const acceptance = (...entries: string[]) => stackFile("acceptance", entries);

  test("pins the digest the earlier tag was deployed as (acceptance's history has tags only)", async () => {
    expect(await rollback("acceptance", "main-api")).toEqual({
      code: 0,
      stdout: [
        `acceptance: main-api 1.4.0 → 1.3.0@${digest("1")} (ran from ${short("start")} (2026-01-01 10:00 UTC))`,
        "acceptance deploys these digests as they are and builds nothing; a release of a new tag replaces them",
        "",
      ].join("\n"),
      stderr: "",
    });
    expect(history.fixture.read("Pulumi.acceptance.yaml")).toBe(
      acceptance(`main-api: { tag: "1.3.0", digest: ${digest("1")} }`, 'web: { tag: "2.0.2" }'),
    );
  });
});

describe("the gate accepts a rollback to a set production verified, and nothing else acceptance never verified", () => {
  // Records are tags on origin: each test takes them away again (the history is shared).
  afterEach(() => {
    const tags = history.fixture
      .git(["tag", "-l", "verified/*"], history.fixture.origin)
      .split("\n")
      .filter(Boolean);
    if (tags.length > 0) history.fixture.git(["tag", "-d", ...tags], history.fixture.origin);
  });
  const gate = () =>
    runCli(["gate", "production", "--base", "main"], history.fixture.clone, {
      ...history.env,
      PLATFORM_NOW: "2026-01-06T10:00:00Z",
    });

  test("a set production verified before passes as a rollback", async () => {
    const own = pushRecord(
      history.fixture,
      "production",
      {
        "main-api": `1.4.0@${digest("a")}`,
        web: `2.0.1@${digest("2")}`,
        "customer-api": `0.9.3@${digest("f")}`,
      },
      "2026-01-03T10:30:00Z",
    );
    history.fixture.write(
      "Pulumi.production.yaml",
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
    expect(await gate()).toEqual({
      code: 0,
      stdout: [
        "gate production: a promotion: only image versions in Pulumi.production.yaml change",
        `main-api: passed: 1.4.0@${digest("a")} is in the set production verified in ${own} (2026-01-03 10:30 UTC)`,
        `web: passed: 2.0.1@${digest("2")} is in the set production verified in ${own} (2026-01-03 10:30 UTC)`,
        `rollback: production verified this set together in ${own} (2026-01-03 10:30 UTC); a rollback is allowed at any time, soak and windows do not apply`,
        "gate production: a rollback, 2 changed apps passed",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  test("versions production's stack file held, but no record of production holds together, are no rollback", async () => {
    // The old gate passed these as "a rollback: production ran it" from the first-parent history.
    history.fixture.write(
      "Pulumi.production.yaml",
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
    const run = await gate();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `main-api: failed: 1.4.0@${digest("a")} is in no verification record of acceptance; copy it with: platform promote acceptance production\n`,
    );
    expect(run.stdout).not.toContain("rollback");
  });

  test("a made-up digest, and one only a merged branch's own commit pinned, fail as before", async () => {
    history.fixture.write(
      "Pulumi.production.yaml",
      production(mainApi("1.5.0", "e"), web("2.0.1", "9"), customerApi),
    );
    const run = await gate();
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").slice(1, 3)).toEqual([
      `main-api: failed: 1.5.0@${digest("e")} is in no verification record of acceptance; copy it with: platform promote acceptance production`,
      `web: failed: 2.0.1@${digest("9")} is in no verification record of acceptance; copy it with: platform promote acceptance production`,
    ]);
  });
});

describe("platform status", () => {
  test("shows per app and environment the current version and the rollback target", async () => {
    expect(await runCli(["status"], history.fixture.clone, history.env)).toEqual({
      code: 0,
      stdout: [
        "APP           ACCEPTANCE         ROLLBACK TO                PRODUCTION                 ROLLBACK TO                NOTES",
        "main-api      1.4.0 (no digest)  1.3.0@sha256:111111111111  1.5.0@sha256:cccccccccccc  1.4.0@sha256:aaaaaaaaaaaa  production differs from acceptance (pending promotion)",
        "web           2.0.2 (no digest)  2.0.1@sha256:222222222222  2.0.2@sha256:bbbbbbbbbbbb  2.0.1@sha256:222222222222",
        "customer-api  -                  -                          0.9.3@sha256:ffffffffffff  none                       production differs from acceptance (pending promotion)",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  test("a stack file with uncommitted changes has no known rollback target; the others keep theirs", async () => {
    history.fixture.write(
      "Pulumi.production.yaml",
      production(mainApi("1.4.0", "a"), web("2.0.2", "b"), customerApi),
    );
    const { rollback: targets } = (
      JSON.parse((await runCli(["status", "--json"], history.fixture.clone, history.env)).stdout) as {
        apps: { rollback: unknown }[];
      }
    ).apps[0]!;
    // Acceptance's target is known; its digest came from production's history, unread here.
    expect(targets).toEqual({ acceptance: { tag: "1.3.0" }, production: "unknown" });
  });
});
