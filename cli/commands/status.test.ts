import { acceptanceFile, createGitFixture, digest, type GitFixture } from "../../test/git-fixture";
import { runCli } from "../../test/run-cli";

let fixture: GitFixture;
beforeEach(() => (fixture = createGitFixture()));
afterEach(() => fixture.cleanup());

test("status prints a table of app × environment with rollback targets (none: one commit of history), marking pending promotions and missing digests", async () => {
  const run = await runCli(["status"], fixture.clone, fixture.env);
  expect(run).toEqual({
    code: 0,
    stdout: [
      "APP           ACCEPTANCE         ROLLBACK TO  PRODUCTION                 ROLLBACK TO  NOTES",
      "main-api      1.4.0 (no digest)  none         1.3.0@sha256:111111111111  none         production differs from acceptance (pending promotion)",
      "web           2.0.1 (no digest)  none         2.0.1@sha256:222222222222  none",
      "customer-api  -                  -            -                          -",
      "",
    ].join("\n"),
    stderr: "",
  });
});

test("status --json gives full tags and digests", async () => {
  const run = await runCli(["status", "--json"], fixture.clone, fixture.env);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({
    environments: ["acceptance", "production"],
    apps: [
      {
        app: "main-api",
        versions: { acceptance: { tag: "1.4.0" }, production: { tag: "1.3.0", digest: digest("1") } },
        pendingPromotion: ["production"],
        withoutDigest: ["acceptance"],
        rollback: { acceptance: null, production: null },
      },
      {
        app: "web",
        versions: { acceptance: { tag: "2.0.1" }, production: { tag: "2.0.1", digest: digest("2") } },
        pendingPromotion: [],
        withoutDigest: ["acceptance"],
        rollback: { acceptance: null, production: null },
      },
      {
        app: "customer-api",
        versions: { acceptance: null, production: null },
        pendingPromotion: [],
        withoutDigest: [],
        rollback: { acceptance: null, production: null },
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
  const { stdout } = await runCli(["status", "--json"], fixture.clone, fixture.env);
  const apps = (JSON.parse(stdout) as { apps: { app: string; pendingPromotion: string[] }[] }).apps;
  expect(apps.map((row) => [row.app, row.pendingPromotion])).toEqual([
    ["main-api", ["production"]],
    ["web", ["production"]],
    ["customer-api", ["production"]],
  ]);
});

test("an invalid stack file is reported with exit 2", async () => {
  fixture.write("Pulumi.production.yaml", "config:\n  platform:images:\n    web: { tag: 1, tag: 2 }\n");
  const run = await runCli(["status"], fixture.clone, fixture.env);
  expect(run).toEqual({
    code: 2,
    stdout: "",
    stderr:
      "error: Pulumi.production.yaml is not valid:\n  - line 3, column 20: duplicate key 'tag' in config.platform:images.web; a key may appear only once in a map, keep one\n",
  });
});
