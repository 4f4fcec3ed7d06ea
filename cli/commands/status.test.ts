import { acceptanceFile, createGitFixture, digest, type GitFixture } from "../../test/git-fixture";
import { pushRecord } from "../../test/records";
import { runCli } from "../../test/run-cli";

let fixture: GitFixture;
let env: Record<string, string>;
// Saturday 2026-12-05 11:00 in Amsterdam: outside production's promotion windows.
const saturday = "2026-12-05T10:00:00Z";
beforeEach(() => {
  fixture = createGitFixture();
  env = { ...fixture.env, PLATFORM_NOW: saturday };
});
afterEach(() => fixture.cleanup());

test("status prints a table of app × environment (no record: not verified, no rollback target), pending promotions, and freezes", async () => {
  const run = await runCli(["status"], fixture.clone, env);
  expect(run).toEqual({
    code: 0,
    stdout: [
      "APP           ACCEPTANCE         VERIFIED (UTC)  SOAK  ROLLBACK TO  PRODUCTION                 VERIFIED (UTC)  SOAK  ROLLBACK TO  NOTES",
      "main-api      1.4.0 (no digest)  no              -     none         1.3.0@sha256:111111111111  no              -     none         production differs from acceptance (pending promotion)",
      "web           2.0.1 (no digest)  no              -     none         2.0.1@sha256:222222222222  no              -     none",
      "customer-api  -                  -               -     -            -                          -               -     -",
      "production: frozen: outside the promotion windows (Monday-Thursday 09:00-16:00, Friday 09:00-12:00 Europe/Amsterdam); promotions open from Monday 2026-12-07 09:00 Europe/Amsterdam (08:00 UTC) (a rollback to a verified set may go at any time)",
      "",
    ].join("\n"),
    stderr: "",
  });
});

test("status --json gives full tags and digests", async () => {
  const run = await runCli(["status", "--json"], fixture.clone, env);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({
    environments: ["acceptance", "production"],
    apps: [
      {
        app: "main-api",
        versions: { acceptance: { tag: "1.4.0" }, production: { tag: "1.3.0", digest: digest("1") } },
        pendingPromotion: ["production"],
        withoutDigest: ["acceptance"],
        verified: {
          acceptance: { record: null, at: null, soakMinutesLeft: null },
          production: { record: null, at: null, soakMinutesLeft: null },
        },
        rollback: { acceptance: null, production: null },
      },
      {
        app: "web",
        versions: { acceptance: { tag: "2.0.1" }, production: { tag: "2.0.1", digest: digest("2") } },
        pendingPromotion: [],
        withoutDigest: ["acceptance"],
        verified: {
          acceptance: { record: null, at: null, soakMinutesLeft: null },
          production: { record: null, at: null, soakMinutesLeft: null },
        },
        rollback: { acceptance: null, production: null },
      },
      {
        app: "customer-api",
        versions: { acceptance: null, production: null },
        pendingPromotion: [],
        withoutDigest: [],
        verified: { acceptance: null, production: null },
        rollback: { acceptance: null, production: null },
      },
    ],
    windows: [
      {
        environment: "production",
        frozen: true,
        why: "outside the promotion windows (Monday-Thursday 09:00-16:00, Friday 09:00-12:00 Europe/Amsterdam); promotions open from Monday 2026-12-07 09:00 Europe/Amsterdam (08:00 UTC) (a rollback to a verified set may go at any time)",
      },
    ],
  });
});

test("an app deployed only upstream is pending; a differing digest under the same tag too", async () => {
  fixture.write(
    "Pulumi.acceptance.yaml",
    acceptanceFile.replace(
      "web: { tag: 2.0.1 }",
      `web: { tag: 2.0.1, digest: ${digest("f")} }\n    customer-api: { tag: "1" }`,
    ),
  );
  const { stdout } = await runCli(["status", "--json"], fixture.clone, env);
  const apps = (JSON.parse(stdout) as { apps: { app: string; pendingPromotion: string[] }[] }).apps;
  expect(apps.map((row) => [row.app, row.pendingPromotion])).toEqual([
    ["main-api", ["production"]],
    ["web", ["production"]],
    ["customer-api", ["production"]],
  ]);
});

test("an invalid stack file is reported with exit 2", async () => {
  fixture.write("Pulumi.production.yaml", "config:\n  platform:images:\n    web: { tag: 1, tag: 2 }\n");
  const run = await runCli(["status"], fixture.clone, env);
  expect(run).toEqual({
    code: 2,
    stdout: "",
    stderr:
      "error: Pulumi.production.yaml is not valid:\n  - line 3, column 20: duplicate key 'tag' in config.platform:images.web; a key may appear only once in a map, keep one\n",
  });
});

test("with records: when each version was verified, its soak toward production, the rollback target; open windows", async () => {
  // Tuesday 11:00 in Amsterdam: inside a window. Acceptance verified its set 30 min ago.
  env = { ...env, PLATFORM_NOW: "2026-12-01T10:00:00Z" };
  const fresh = pushRecord(
    fixture,
    "acceptance",
    { "main-api": `1.4.0@${digest("a")}`, web: `2.0.1@${digest("2")}` },
    "2026-12-01T09:30:00Z",
  );
  pushRecord(
    fixture,
    "production",
    { "main-api": `1.2.0@${digest("0")}`, web: `2.0.1@${digest("2")}` },
    "2026-11-20T10:00:00Z",
  );
  const current = pushRecord(
    fixture,
    "production",
    { "main-api": `1.3.0@${digest("1")}`, web: `2.0.1@${digest("2")}` },
    "2026-11-25T10:00:00Z",
  );
  const run = await runCli(["status"], fixture.clone, env);
  expect(run).toEqual({
    code: 0,
    stdout: [
      "APP           ACCEPTANCE         VERIFIED (UTC)    SOAK         ROLLBACK TO  PRODUCTION                 VERIFIED (UTC)    SOAK  ROLLBACK TO                NOTES",
      "main-api      1.4.0 (no digest)  2026-12-01 09:30  30 min left  none         1.3.0@sha256:111111111111  2026-11-25 10:00  -     1.2.0@sha256:000000000000  production differs from acceptance (pending promotion)",
      "web           2.0.1 (no digest)  2026-12-01 09:30  30 min left  none         2.0.1@sha256:222222222222  2026-11-25 10:00  -     2.0.1@sha256:222222222222",
      "customer-api  -                  -                 -            -            -                          -                 -     -",
      "production: promotions open: inside a promotion window (Monday-Thursday 09:00-16:00, Friday 09:00-12:00 Europe/Amsterdam)",
      "",
    ].join("\n"),
    stderr: "",
  });
  const json = JSON.parse((await runCli(["status", "--json"], fixture.clone, env)).stdout) as {
    apps: { verified: unknown }[];
  };
  expect(json.apps[0]!.verified).toEqual({
    acceptance: { record: fresh, at: "2026-12-01T09:30:00.000Z", soakMinutesLeft: 30 },
    production: { record: current, at: "2026-11-25T10:00:00.000Z", soakMinutesLeft: null },
  });
  // An hour after acceptance's record its set has soaked.
  env = { ...env, PLATFORM_NOW: "2026-12-01T10:30:00Z" };
  expect((await runCli(["status"], fixture.clone, env)).stdout.split("\n")[1]).toContain(
    "2026-12-01 09:30  soaked",
  );
});
