import { digest } from "../../test/git-fixture";
import { root, stackConfig } from "../../test/program";
import { projectWorld } from "../../engine/world";
import { runPlan } from "../program-runs";
import { pulumiConfig } from "../../stack-config/from-file";
import { startGitHubServer } from "../../test/github-server";
import { createReleaseHistory, stackFile, type ReleaseHistory } from "../../test/release-history";
import { pushRecord } from "../../test/records";
import {
  gitHubEnv,
  hangingCommand,
  processRunning,
  runCli,
  startCliProcess,
  waitUntil,
} from "../../test/run-cli";
import { last, upstreamOf } from "../../test/pipeline-names";

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

// Production's verification records, as its deploy workflow pushed them: the sets it ran, verified.
const recordSets = {
  start: { "main-api": `1.3.0@${digest("1")}`, web: `2.0.1@${digest("2")}` },
  promote14: { "main-api": `1.4.0@${digest("a")}`, web: `2.0.1@${digest("2")}` },
  promote15: {
    "main-api": `1.5.0@${digest("c")}`,
    web: `2.0.2@${digest("b")}`,
    "customer-api": `0.9.3@${digest("f")}`,
  },
};
const recordDays = {
  start: "2026-01-01T10:30:00Z",
  promote14: "2026-01-03T10:30:00Z",
  promote15: "2026-01-06T12:30:00Z",
};
const pushProductionRecords = (of: ReleaseHistory) =>
  Object.fromEntries(
    (Object.keys(recordSets) as (keyof typeof recordSets)[]).map((name) => [
      name,
      pushRecord(of.fixture, "production", recordSets[name], recordDays[name], { commit: of.commits[name]! }),
    ]),
  ) as Record<keyof typeof recordSets, string>;
const deleteRecords = (of: ReleaseHistory) => {
  const tags = of.fixture.git(["tag", "-l", "verified/*"], of.fixture.origin).split("\n").filter(Boolean);
  if (tags.length > 0) of.fixture.git(["tag", "-d", ...tags], of.fixture.origin);
};

describe("platform rollback production", () => {
  let records: Record<keyof typeof recordSets, string>;
  beforeAll(() => {
    records = pushProductionRecords(history);
  });
  afterAll(() => deleteRecords(history));
  const when = (name: keyof typeof recordSets) =>
    `${records[name]} (${recordDays[name].slice(0, 16).replace("T", " ")} UTC)`;
  const mainApiBack = () =>
    `production: main-api 1.5.0@${digest("c")} → 1.4.0@${digest("a")} (verified in ${when("promote14")})`;
  const notWhole = () =>
    `warning: production would not run the whole set of ${when("promote14")}, so the gate will judge the change as a promotion, not a rollback; roll back every app to pass it as one\n`;

  test("one app goes back to its version in the newest record before the current set", async () => {
    expect(await rollback("production", "main-api")).toEqual({
      code: 0,
      stdout: `${mainApiBack()}\n`,
      stderr: notWhole(),
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
          mainApiBack(),
          `production last deployed ${short("promote14")} (2026-01-03 10:00 UTC); program changes since then, which a deploy of production also ships:`,
          `  ${short("program")} Resize the database (Alice)`,
          "",
        ].join("\n"),
      );
    } finally {
      fixture.git(["tag", "-d", "deployed/production"], fixture.origin);
    }
  });

  test("every app by default; an app the record lacks stays as it is, and says so", async () => {
    expect(await rollback("production")).toEqual({
      code: 0,
      stdout: [
        `customer-api: ${when("promote14")} has no customer-api; left as it is (0.9.3@${digest("f")})`,
        mainApiBack(),
        `production: web 2.0.2@${digest("b")} → 2.0.1@${digest("2")} (verified in ${when("promote14")})`,
        "",
      ].join("\n"),
      stderr: notWhole(),
    });
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
  });

  test("--to a record by its tag name", async () => {
    const run = await rollback("production", "main-api", "web", "--to", records.start);
    expect([run.code, run.stdout]).toEqual([
      0,
      [
        `production: main-api 1.5.0@${digest("c")} → 1.3.0@${digest("1")} (verified in ${when("start")})`,
        `production: web 2.0.2@${digest("b")} → 2.0.1@${digest("2")} (verified in ${when("start")})`,
        "",
      ].join("\n"),
    ]);
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.3.0", "1"), web("2.0.1", "2"), customerApi),
    );
  });

  test("--to the commit a record was made for (full or short)", async () => {
    const run = await rollback("production", "main-api", "web", "--to", short("promote14"));
    expect(run.code).toBe(0);
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(
      production(mainApi("1.4.0", "a"), web("2.0.1", "2"), customerApi),
    );
  });

  test("--to anything but a record is refused, and nothing is written: a tag, a commit no record names", async () => {
    const before = history.fixture.read("Pulumi.production.yaml");
    const refusal = (to: string) => ({
      code: 2,
      stdout: "",
      stderr: `error: --to ${to}: not a verification record of production: pass a record's tag name (verified/production/<time>-<commit>) or the commit one was made for; the newest is ${when("promote15")} (all of them: platform status, or git ls-remote origin 'refs/tags/verified/production/*')\n`,
    });
    expect(await rollback("production", "main-api", "--to", "1.3.0")).toEqual(refusal("1.3.0"));
    // A merged branch's own commit, and a commit of main no deploy verified.
    expect(await rollback("production", "--to", history.commits["side"]!)).toEqual(
      refusal(history.commits["side"]!),
    );
    expect(await rollback("production", "--to", history.commits["program"]!)).toEqual(
      refusal(history.commits["program"]!),
    );
    expect(history.fixture.read("Pulumi.production.yaml")).toBe(before);
  });

  test("a target the registry no longer holds, or holds at another digest, is refused", async () => {
    history.setRegistry({ "web:2.0.1": digest("9") });
    const run = await rollback("production");
    expect([run.code, run.stdout]).toEqual([1, ""]);
    expect(run.stderr).toBe(
      [
        notWhole().trimEnd(),
        `error: main-api: main-api:1.4.0@${digest("a")} no longer exists in contosoplatformacr.azurecr.io, so it cannot be rolled back to; pick another version with --to`,
        `web: in contosoplatformacr.azurecr.io, web:2.0.1 is ${digest("9")}, not ${digest("2")} as when it ran; a release tag was moved: pick another version with --to`,
        "",
      ].join("\n"),
    );
  });

  test("a registry that cannot be asked (az not logged in) is a warning: the preview and the deploy check again", async () => {
    history.setRegistry(null);
    const run = await rollback("production", "main-api");
    expect(run).toEqual({
      code: 0,
      stdout: `${mainApiBack()}\n`,
      stderr:
        notWhole() +
        "warning: main-api: cannot check that main-api:1.4.0 is still in contosoplatformacr.azurecr.io (az acr repository show --name contosoplatformacr --image main-api:1.4.0 --output json failed: ERROR: Please run 'az login' to setup account.); the pull request's preview and the deploy check it before any workload changes\n",
    });
  });

  test("a tag the registry no longer holds, in a repository it still has, is refused", async () => {
    history.setRegistry({ "main-api:1.3.0": digest("1") });
    expect((await rollback("production", "main-api")).stderr).toBe(
      notWhole() +
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
        notWhole() +
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
      expect([run.code, run.stderr]).toEqual([0, notWhole()]);
      expect(run.stdout).toBe(
        `${mainApiBack()}\nopened pull request #1: ${server.pulls[0]!.html_url} (rollback/production/main-api into main)\n`,
      );
      expect(server.pulls[0]!.title).toBe("Roll back production: main-api 1.5.0 → 1.4.0");
      expect(server.pulls[0]!.body).toBe(
        [
          `Rolls **production** back to the set it verified in \`${records.promote14}\` (2026-01-03 10:30 UTC, run https://github.test/acme/platform/actions/runs/1, commit ${short("promote14")}). Merging deploys exactly these digests; the gate accepts them at any time because production verified this set together.`,
          "",
          "| App | production now | rolled back to |",
          "|---|---|---|",
          `| main-api | \`1.5.0@${digest("c")}\` | \`1.4.0@${digest("a")}\` |`,
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
  beforeAll(() => pushProductionRecords(history));
  afterAll(() => deleteRecords(history));
  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s: exit %i within two seconds, az stopped, no branch pushed",
    async (signal, code) => {
      const { fixture } = history;
      const server = await startGitHubServer({ bareRepository: fixture.origin });
      // A stand-in az that hangs, as az does when its login needs a browser.
      const az = hangingCommand(fixture.root, "az", history.env);
      try {
        const cli = startCliProcess(["rollback", "production", "main-api", "--pr"], fixture.clone, {
          ...az.env,
          ...gitHubEnv(server),
        });
        await waitUntil(() => az.pid() !== undefined);
        const sent = Date.now();
        cli.child.kill(signal);
        const run = await cli.exited;
        expect(Date.now() - sent).toBeLessThan(2000);
        expect(run).toEqual({
          code,
          signal: null,
          stdout: "",
          // The warning that one app is not the whole verified set comes first, then the interruption.
          stderr: expect.stringMatching(
            /^warning: production would not run the whole set of verified\/production\/[^\n]+\n/,
          ),
        });
        expect(run.stderr.split("\n").slice(1).join("\n")).toBe(
          `error: interrupted by ${signal} while checking main-api:1.4.0 in contosoplatformacr.azurecr.io (az acr repository show, which was stopped); nothing was changed\n`,
        );
        await waitUntil(() => !processRunning(az.pid()!));
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
  test("an environment without records has nothing verified to go back to: exit 1, nothing written", async () => {
    const before = history.fixture.read("Pulumi.acceptance.yaml");
    expect(await rollback("acceptance", "main-api")).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: acceptance has no verification record, so there is no set it verified to roll back to; roll back by hand with platform set-image (the gate then judges it as a promotion)\n",
    });
    expect(history.fixture.read("Pulumi.acceptance.yaml")).toBe(before);
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
      `main-api: failed: 1.4.0@${digest("a")} is in no verification record of ${upstreamOf(last)}; copy it with: platform promote ${upstreamOf(last)} ${last}\n`,
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
      `main-api: failed: 1.5.0@${digest("e")} is in no verification record of ${upstreamOf(last)}; copy it with: platform promote ${upstreamOf(last)} ${last}`,
      `web: failed: 2.0.1@${digest("9")} is in no verification record of ${upstreamOf(last)}; copy it with: platform promote ${upstreamOf(last)} ${last}`,
    ]);
  });
});

describe("platform status", () => {
  afterEach(() => deleteRecords(history));
  const status = (...argv: string[]) =>
    runCli(["status", ...argv], history.fixture.clone, {
      ...history.env,
      PLATFORM_NOW: "2026-01-07T10:00:00Z",
    });

  test("the rollback target is the newest record before the current set, never the stack file's history", async () => {
    // Without records nothing is verified and there is no target, whatever the history holds.
    expect((await status()).stdout.split("\n").slice(1, 4)).toEqual([
      "main-api      1.4.0 (no digest)  no              -     none         1.5.0@sha256:cccccccccccc  no              -     none         production differs from acceptance (pending promotion)",
      "web           2.0.2 (no digest)  no              -     none         2.0.2@sha256:bbbbbbbbbbbb  no              -     none",
      "customer-api  -                  -               -     -            0.9.3@sha256:ffffffffffff  no              -     none         production differs from acceptance (pending promotion)",
    ]);
    pushProductionRecords(history);
    expect((await status()).stdout.split("\n").slice(1, 4)).toEqual([
      "main-api      1.4.0 (no digest)  no              -     none         1.5.0@sha256:cccccccccccc  2026-01-06 12:30  -     1.4.0@sha256:aaaaaaaaaaaa  production differs from acceptance (pending promotion)",
      "web           2.0.2 (no digest)  no              -     none         2.0.2@sha256:bbbbbbbbbbbb  2026-01-06 12:30  -     2.0.1@sha256:222222222222",
      "customer-api  -                  -               -     -            0.9.3@sha256:ffffffffffff  2026-01-06 12:30  -     none                       production differs from acceptance (pending promotion)",
    ]);
  });

  test("the target follows the working tree's set: a set production verified before has the record before it", async () => {
    pushProductionRecords(history);
    history.fixture.write("Pulumi.production.yaml", production(mainApi("1.4.0", "a"), web("2.0.1", "2")));
    const { rollback: targets } = (
      JSON.parse((await status("--json")).stdout) as { apps: { rollback: unknown }[] }
    ).apps[0]!;
    expect(targets).toEqual({ acceptance: null, production: { tag: "1.3.0", digest: digest("1") } });
  });
});

describe("rebase-merge laundering: rollback never picks a digest that only sat in an intermediate commit", () => {
  let rebased: ReleaseHistory;
  let records: Record<keyof typeof recordSets, string>;
  beforeAll(() => {
    rebased = createReleaseHistory();
    records = pushProductionRecords(rebased);
    // A pull request merged with "Rebase and merge": both its commits land on main's first-parent
    // history. The first pinned main-api 1.6.0@d…, which was never gated, deployed or verified.
    rebased.commitAt(
      7,
      {
        "Pulumi.production.yaml": stackFile("production", [
          mainApi("1.6.0", "d"),
          web("2.0.2", "b"),
          customerApi,
        ]),
      },
      "WIP: main-api 1.6.0",
    );
    rebased.commitAt(
      7,
      {
        "Pulumi.production.yaml": stackFile("production", [
          mainApi("1.6.0", "e"),
          web("2.0.2", "b"),
          customerApi,
        ]),
      },
      "Promote main-api 1.6.0",
    );
    rebased.setRegistry({ "main-api:1.5.0": digest("c"), "main-api:1.6.0": digest("d") });
  });
  afterAll(() => rebased.fixture.cleanup());

  test("the default target is the newest verified set before the current one, not the intermediate commit's", async () => {
    // The history-based rollback took main-api 1.6.0@d…, "the version production ran before".
    const run = await runCli(["rollback", "production", "main-api"], rebased.fixture.clone, rebased.env);
    expect([run.code, run.stdout]).toEqual([
      0,
      `production: main-api 1.6.0@${digest("e")} → 1.5.0@${digest("c")} (verified in ${records.promote15} (2026-01-06 12:30 UTC))\n`,
    ]);
    expect(rebased.fixture.read("Pulumi.production.yaml")).not.toContain(digest("d"));
    // Naming the intermediate commit is refused: no record was made for it.
    rebased.fixture.git(["checkout", "--quiet", "--", "."]);
    const side = rebased.fixture.git(["rev-parse", "HEAD~1"]);
    const refused = await runCli(
      ["rollback", "production", "--to", side],
      rebased.fixture.clone,
      rebased.env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(`error: --to ${side}: not a verification record of production:`);
  });
});
