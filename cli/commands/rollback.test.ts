import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { digest } from "../../test/git-fixture";
import { root, stackConfig } from "../../test/program";
import { projectWorld } from "../../engine/world";
import { runPlan } from "../program-runs";
import { pulumiConfig } from "../../stack-config/from-file";
import { startGitHubServer } from "../../test/github-server";
import { createReleaseHistory, stackFile, type ReleaseHistory } from "../../test/release-history";
import { gitHubEnv, runCli, startCliProcess } from "../../test/run-cli";

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
        "error: --to 1.9.0: neither a tag that web ran in production nor the id of a commit of this repository (--to takes one of those two, not a branch, a git tag or a revision such as HEAD~1); see the versions with: platform status\n",
    });
  });

  test("--to an abbreviated commit id of main, as git log prints it", async () => {
    const run = await rollback("production", "main-api", "web", "--to", short("program"));
    expect(run.code).toBe(0);
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
  });

  test.each([
    ["a revision expression", "HEAD~1"],
    ["a branch", "main"],
    ["a remote branch", "origin/main"],
    ["a git tag that no app ran", "release-2026-01"],
  ])("--to %s (%s) is refused, though git would resolve it, and nothing is written", async (_, to) => {
    const { fixture } = history;
    fixture.git(["tag", "release-2026-01", history.commits["program"]!]);
    const before = fixture.read("Pulumi.production.yaml");
    try {
      expect(await rollback("production", "--to", to)).toEqual({
        code: 2,
        stdout: "",
        stderr: `error: --to ${to}: neither a tag that main-api, web, customer-api ran in production nor the id of a commit of this repository (--to takes one of those two, not a branch, a git tag or a revision such as HEAD~1); see the versions with: platform status\n`,
      });
      expect(fixture.read("Pulumi.production.yaml")).toBe(before);
    } finally {
      fixture.git(["tag", "-d", "release-2026-01"]);
    }
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

  test("a tag the registry no longer holds, in a repository it still has, is refused", async () => {
    history.setRegistry({ "main-api:1.3.0": digest("1") });
    expect((await rollback("production", "main-api")).stderr).toBe(
      `error: main-api: main-api:1.4.0@${digest("a")} no longer exists in contosoplatformacr.azurecr.io, so it cannot be rolled back to; pick another version with --to\n`,
    );
  });

  test.each([
    "ERROR: (SubscriptionNotFound) Subscription 'c0ffee00-0000-4000-8000-000000000000' not found.",
    "ERROR: The resource with name 'contosoplatformacr' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription 'Platform (c0ffee00-0000-4000-8000-000000000000)'.",
    "ERROR: Error: requested access to the resource is denied. Correlation ID: d1de6b02-8fba-45c9-88ee-7692ce3d7639.",
  ])(
    "an az failure that is not the registry's answer (%s) is 'cannot check', in az's words",
    async (said) => {
      history.setRegistry(said);
      const run = await rollback("production", "main-api");
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(
        `warning: main-api: cannot check that main-api:1.4.0 is still in contosoplatformacr.azurecr.io (az acr repository show --name contosoplatformacr --image main-api:1.4.0 --output json failed: ${said}); the pull request's preview and the deploy check it before any workload changes\n`,
      );
    },
  );

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

describe("an interrupted rollback --pr while az checks the registry (real processes)", () => {
  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s: exit %i within two seconds, az stopped, no branch pushed",
    async (signal, code) => {
      const { fixture } = history;
      const server = await startGitHubServer({ bareRepository: fixture.origin });
      // A stand-in az that writes its pid and hangs, as az does when its login needs a browser.
      const bin = mkdtempSync(path.join(fixture.root, "hanging-az-"));
      const pidFile = path.join(bin, "az.pid");
      writeFileSync(
        path.join(bin, "az"),
        `#!${process.execPath}\nrequire("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetTimeout(() => undefined, 60_000);\n`,
      );
      chmodSync(path.join(bin, "az"), 0o755);
      const azPid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : undefined);
      const running = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      const until = async (check: () => boolean) => {
        for (let waited = 0; !check(); waited += 20) {
          if (waited > 10_000) throw new Error("timed out waiting");
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      try {
        const cli = startCliProcess(["rollback", "production", "main-api", "--pr"], fixture.clone, {
          ...history.env,
          ...gitHubEnv(server),
          PATH: `${bin}:${history.env["PATH"]}`,
        });
        await until(() => azPid() !== undefined);
        const sent = Date.now();
        cli.child.kill(signal);
        const run = await cli.exited;
        expect(Date.now() - sent).toBeLessThan(2000);
        expect(run).toEqual({
          code,
          signal: null,
          stdout: "",
          stderr: `error: interrupted by ${signal} while checking main-api:1.4.0 in contosoplatformacr.azurecr.io (az acr repository show, which was stopped); nothing was changed\n`,
        });
        await until(() => !running(azPid()!));
        expect(fixture.originBranch("rollback/production/main-api")).toBeUndefined();
        expect(server.requests.filter((request) => request.method !== "GET")).toEqual([]);
      } finally {
        await server.close();
      }
    },
    20_000,
  );
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

describe("the gate accepts a rollback to what production ran, and nothing else acceptance never ran", () => {
  let outputs: string;
  beforeAll(() => {
    outputs = path.join(history.fixture.root, "acceptance-outputs.json");
    const image = (tag: string, hex: string) => ({ tag, digest: digest(hex) });
    writeFileSync(
      outputs,
      JSON.stringify({ images: { "main-api": image("1.5.0", "c"), web: image("2.0.2", "b") } }),
    );
  });
  const gate = () =>
    runCli(
      ["gate", "production", "--base", "main", "--outputs", outputs],
      history.fixture.clone,
      history.env,
    );

  test("a tag@digest production ran before passes as a rollback", async () => {
    history.fixture.write(
      "Pulumi.production.yaml",
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
    expect(await gate()).toEqual({
      code: 0,
      stdout: [
        "gate production: a promotion: only image versions in Pulumi.production.yaml change",
        `main-api: passed: 1.4.0@${digest("a")} is a rollback: production ran it, set by ${short("promote14")} (2026-01-03 10:00 UTC)`,
        `web: passed: 2.0.1@${digest("2")} is a rollback: production ran it, set by ${short("start")} (2026-01-01 10:00 UTC)`,
        "gate production: 2 changed apps passed",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  test("a made-up digest, and one only a merged branch's own commit pinned, fail as before", async () => {
    history.fixture.write(
      "Pulumi.production.yaml",
      production(mainApi("1.5.0", "e"), web("2.0.1", "9"), customerApi),
    );
    expect(await gate()).toEqual({
      code: 1,
      stdout: [
        "gate production: a promotion: only image versions in Pulumi.production.yaml change",
        `main-api: failed: ${digest("e")} is not what acceptance deployed (acceptance runs 1.5.0@${digest("c")}); copy it with: platform promote acceptance production --app main-api`,
        `web: failed: ${digest("9")} is not what acceptance deployed (acceptance runs 2.0.2@${digest("b")}); copy it with: platform promote acceptance production --app web`,
        "",
      ].join("\n"),
      stderr: "error: gate production: 2 of 2 changed apps failed (main-api, web)\n",
    });
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
