import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { createGitFixture, digest, type GitFixture } from "../../test/git-fixture";
import { runCli } from "../../test/run-cli";

let fixture: GitFixture;
let outputs: string;
const env = () => ({
  ...fixture.env,
  PLATFORM_NOW: "2026-12-01T10:00:00Z",
  GITHUB_SERVER_URL: "https://github.test",
  GITHUB_REPOSITORY: "acme/platform",
  GITHUB_RUN_ID: "77",
  GIT_COMMITTER_NAME: "recorder",
  GIT_COMMITTER_EMAIL: "recorder@platform.invalid",
});
const record = (...argv: string[]) => runCli(["record", ...argv], fixture.clone, env());
const originTags = () => fixture.git(["tag", "-l"], fixture.origin);

beforeEach(() => {
  fixture = createGitFixture();
  outputs = path.join(fixture.root, "outputs.json");
});
afterEach(() => fixture.cleanup());

test("records the set as an annotated tag on origin, which the gate then reads", async () => {
  writeFileSync(
    outputs,
    JSON.stringify({
      environmentName: "acceptance",
      images: {
        web: { tag: "2.0.2", digest: digest("b"), image: "x" },
        "main-api": { tag: "1.4.0", digest: digest("a") },
      },
    }),
  );
  const head = fixture.git(["rev-parse", "HEAD"]);
  const run = await record("acceptance", "--outputs", outputs, "--commit", "HEAD");
  const name = `verified/acceptance/20261201T100000Z-${head.slice(0, 7)}`;
  expect(run).toEqual({
    code: 0,
    stdout: `recorded ${name}: web 2.0.2@${digest("b")}, main-api 1.4.0@${digest("a")}\n`,
    stderr: "",
  });
  expect(originTags()).toBe(name);
  expect(fixture.git(["tag", "-l", "--format=%(contents)", name], fixture.origin)).toBe(
    [
      "platform verification record",
      "",
      "environment: acceptance",
      `commit: ${head}`,
      "verified-at: 2026-12-01T10:00:00.000Z",
      "run: https://github.test/acme/platform/actions/runs/77",
      "images:",
      `  main-api: 1.4.0@${digest("a")}`,
      `  web: 2.0.2@${digest("b")}`,
    ].join("\n"),
  );
  // A record is never moved: the same name again is refused by origin.
  const again = await record("acceptance", "--outputs", outputs, "--commit", "HEAD");
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/^error: recording acceptance failed: git tag .* already exists/);
});

test.each([
  [
    "a malformed digest",
    { web: { tag: "2.0.2", digest: "sha256:12" } },
    "images.web: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars)",
  ],
  [
    "an unknown app",
    { "old-app": { tag: "1.0.0", digest: digest("d") } },
    "images.old-app: 'old-app' is not an app of this platform (main-api, web, customer-api)",
  ],
  // Production's verification record written from acceptance's outputs would let production's
  // downstream take what production never ran.
  [
    "outputs of another environment",
    { web: { tag: "2.0.2", digest: digest("b") } },
    "holds the outputs of acceptance (its environmentName), not of production",
    "production",
  ],
])(
  "bad input: %s is refused, exit 2, no tag anywhere",
  async (_, images, problem, environment = "acceptance") => {
    writeFileSync(outputs, JSON.stringify({ environmentName: "acceptance", images }));
    expect(await record(environment, "--outputs", outputs, "--commit", "HEAD")).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: outputs file '${outputs}' cannot be recorded; no record written:\n  ${problem}\n`,
    });
    expect(originTags()).toBe("");
    expect(fixture.git(["tag", "-l"])).toBe("");
  },
);
