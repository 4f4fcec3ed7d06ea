import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { digest, gitFixtureTemplate, productionFile, type GitFixture } from "../../test/git-fixture";
import { environmentNames } from "../../environments/pipeline";
import { environmentList, last, upstreamOf } from "../../test/pipeline-names";
import { startGitHubServer, type GitHubServer } from "../../test/github-server";
import { pushRecord } from "../../test/records";
import {
  gitHubEnv,
  hangingCommand,
  processRunning,
  runCli,
  startCliProcess,
  waitUntil,
} from "../../test/run-cli";

// The promotion under test: into the last environment, from its upstream.
const to = last;
const from = upstreamOf(last);

let fixture: GitFixture;
let server: GitHubServer;
let env: Record<string, string>;
let outputs: string;

/** What acceptance has deployed: main-api moved on to 1.4.0, web is what production runs. */
const deployed = {
  images: {
    "main-api": {
      tag: "1.4.0",
      digest: digest("a"),
      image: `contosoplatformacr.azurecr.io/main-api:1.4.0@${digest("a")}`,
    },
    web: {
      tag: "2.0.1",
      digest: digest("2"),
      image: `contosoplatformacr.azurecr.io/web:2.0.1@${digest("2")}`,
    },
  },
};

const promoted = productionFile
  .replace('tag: "1.3.0"   # promoted by CI', 'tag: "1.4.0"   # promoted by CI')
  .replace(`digest: ${digest("1")}`, `digest: ${digest("a")}`);

const movedLine = `${to}: main-api 1.3.0@${digest("1")} → 1.4.0@${digest("a")} (deployed in ${from})\n`;

// Promoting every app proposes acceptance's newest verified, soaked set: each set the outputs
// hold is recorded as acceptance verified it, long enough before the clock to have soaked.
const clock = "2026-12-01T10:00:00Z";
let recorded = 0;
const writeOutputs = (json: unknown) => {
  // Acceptance's outputs, as `pulumi stack output --json` prints them: they say whose they are.
  writeFileSync(
    outputs,
    typeof json === "string" ? json : JSON.stringify({ environmentName: from, ...(json as object) }),
  );
  const images = (json as { images?: Record<string, { tag?: unknown; digest?: unknown }> }).images;
  if (typeof json === "object" && images !== undefined) {
    const set = Object.fromEntries(
      Object.entries(images).map(([app, image]) => [app, `${String(image.tag)}@${String(image.digest)}`]),
    );
    if (Object.values(images).every((image) => typeof image.digest === "string")) {
      const at = new Date(Date.parse(clock) - 3 * 3_600_000 + recorded++ * 60_000).toISOString();
      pushRecord(fixture, from, set, at.replace(".000", ""));
    }
  }
};
const promote = (...extra: string[]) =>
  runCli(["promote", from, to, "--outputs", outputs, ...extra], fixture.clone, env);

// Every test starts with the default outputs recorded (at 07:00): that record is pushed once, in
// the fixture every test's is a copy of.
const recordedFixture = gitFixtureTemplate((template) => {
  fixture = template;
  outputs = path.join(template.root, `${from}-outputs.json`);
  recorded = 0;
  writeOutputs(deployed);
});

beforeEach(async () => {
  fixture = recordedFixture();
  server = await startGitHubServer({ bareRepository: fixture.origin });
  env = { ...fixture.env, ...gitHubEnv(server), PLATFORM_NOW: clock };
  outputs = path.join(fixture.root, `${from}-outputs.json`);
  // The copy holds the outputs file and their record.
  recorded = 1;
});
afterEach(async () => {
  await server.close();
  fixture.cleanup();
});

describe("platform promote, editing the working tree", () => {
  test(`copies what ${from} deployed into Pulumi.${to}.yaml, every other byte kept`, async () => {
    const run = await promote();
    expect(run).toEqual({
      code: 0,
      stdout: `customer-api: not deployed in ${from}; skipped\n${movedLine}`,
      stderr: "",
    });
    expect(fixture.read(`Pulumi.${to}.yaml`)).toBe(promoted);
    expect(server.requests).toEqual([]);
  });

  test("only the apps named with --app", async () => {
    writeOutputs({ images: { ...deployed.images, web: { tag: "2.0.2", digest: digest("b") } } });
    const run = await promote("--app", "web");
    expect(run.stdout).toBe(`${to}: web 2.0.1@${digest("2")} → 2.0.2@${digest("b")} (deployed in ${from})\n`);
    expect(fixture.read(`Pulumi.${to}.yaml`)).toBe(
      productionFile.replace(
        `web: { tag: 2.0.1, digest: "${digest("2")}" }`,
        `web: { tag: "2.0.2", digest: "${digest("b")}" }`,
      ),
    );
  });

  test("nothing to promote is a clean no-op with a message", async () => {
    fixture.write(`Pulumi.${to}.yaml`, promoted);
    const run = await promote();
    expect(run).toEqual({
      code: 0,
      stdout: `customer-api: not deployed in ${from}; skipped\nnothing to promote: ${to} already runs what ${from} deployed (main-api 1.4.0@${digest("a")}, web 2.0.1@${digest("2")})\n`,
      stderr: "",
    });
    expect(fixture.read(`Pulumi.${to}.yaml`)).toBe(promoted);
  });

  test(`reads ${from}'s outputs with the pulumi CLI when no --outputs is given`, async () => {
    const bin = path.join(fixture.root, "bin");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output --json --stack ${from}" ] || exit 3\ncat '${outputs}'\n`,
    );
    chmodSync(path.join(bin, "pulumi"), 0o755);
    const run = await runCli(["promote", from, to], fixture.clone, {
      ...env,
      PATH: `${bin}:${env["PATH"]}`,
    });
    expect(run.code).toBe(0);
    expect(fixture.read(`Pulumi.${to}.yaml`)).toBe(promoted);
  });
});

describe(`platform promote into ${to}'s shipped stack file, \`platform:images: {}\``, () => {
  const shipped = readFileSync(path.join(__dirname, "..", "..", `Pulumi.${to}.yaml`), "utf8");

  test("the first promotion writes a block map, one field a line; the next changes one line per field", async () => {
    expect(shipped).toMatch(/^ {2}platform:images: \{\}\n/m);
    fixture.commit({ [`Pulumi.${to}.yaml`]: shipped }, "Production as shipped");
    expect((await promote()).code).toBe(0);
    const first = fixture.read(`Pulumi.${to}.yaml`);
    expect(first).toBe(
      shipped.replace(
        "  platform:images: {}\n",
        [
          "  platform:images:",
          "    main-api:",
          '      tag: "1.4.0"',
          `      digest: ${digest("a")}`,
          "    web:",
          '      tag: "2.0.1"',
          `      digest: ${digest("2")}`,
          "",
        ].join("\n"),
      ),
    );

    writeOutputs({
      images: {
        "main-api": { tag: "1.5.0", digest: digest("c") },
        web: { tag: "2.0.2", digest: digest("b") },
      },
    });
    expect((await promote()).code).toBe(0);
    const second = fixture.read(`Pulumi.${to}.yaml`).split("\n");
    const changed = first
      .split("\n")
      .map((line, index) => [line, second[index]])
      .filter(([before, after]) => before !== after);
    expect(second.length).toBe(first.split("\n").length);
    expect(changed).toEqual([
      ['      tag: "1.4.0"', '      tag: "1.5.0"'],
      [`      digest: ${digest("a")}`, `      digest: ${digest("c")}`],
      ['      tag: "2.0.1"', '      tag: "2.0.2"'],
      [`      digest: ${digest("2")}`, `      digest: ${digest("b")}`],
    ]);
  });
});

describe("platform promote --pr", () => {
  test("pushes a branch and opens a pull request; the clone is left as it was", async () => {
    const before = fixture.cloneState();
    const run = await promote("--pr");
    expect(run).toEqual({
      code: 0,
      stdout: `customer-api: not deployed in ${from}; skipped\n${movedLine}opened pull request #1: https://github.test/acme/platform/pull/1 (promote/${to}/all into main)\n`,
      stderr: "",
    });
    expect(fixture.cloneState()).toEqual(before);
    expect(fixture.originShow(`promote/${to}/all`, `Pulumi.${to}.yaml`)).toBe(promoted.trimEnd());
    expect(fixture.git(["diff", "--name-only", "main", `promote/${to}/all`], fixture.origin)).toBe(
      `Pulumi.${to}.yaml`,
    );
    expect(fixture.git(["rev-parse", `promote/${to}/all^`], fixture.origin)).toBe(
      fixture.originBranch("main"),
    );
    expect(server.pulls).toEqual([
      expect.objectContaining({
        number: 1,
        head: `promote/${to}/all`,
        base: "main",
        state: "open",
        title: `Promote to ${to}: main-api 1.3.0 → 1.4.0`,
      }),
    ]);
    const body = server.pulls[0]!.body;
    expect(body).toContain(`| main-api | \`1.3.0@${digest("1")}\` | \`1.4.0@${digest("a")}\` |`);
    expect(body).toContain(`the images that **${from}** has deployed`);
    expect(body).toContain(
      `Upstream deployment (${from}): https://github.test/acme/platform/actions/runs/4242`,
    );
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/platform",
      "GET /repos/acme/platform/pulls",
      "POST /repos/acme/platform/pulls",
    ]);
  });

  test("starts from the default branch, not from a feature branch the user is on", async () => {
    fixture.git(["switch", "--quiet", "-c", "feature"]);
    fixture.write("notes.txt", "wip\n");
    const before = fixture.cloneState();
    const run = await promote("--pr");
    expect(run.code).toBe(0);
    expect(fixture.cloneState()).toEqual(before);
    expect(fixture.git(["rev-parse", `promote/${to}/all^`], fixture.origin)).toBe(
      fixture.originBranch("main"),
    );
  });

  test("a branch named after the apps with --app", async () => {
    writeOutputs({ images: { ...deployed.images, web: { tag: "2.0.2", digest: digest("b") } } });
    expect((await promote("--app", "main-api", "--pr")).stdout).toContain(
      `(promote/${to}/main-api into main)`,
    );
    expect((await promote("--app", "web", "--app", "main-api", "--pr")).stdout).toContain(
      `opened pull request #2: https://github.test/acme/platform/pull/2 (promote/${to}/main-api+web into main)`,
    );
    expect(server.pulls[1]!.title).toBe(`Promote to ${to}: main-api 1.3.0 → 1.4.0, web 2.0.1 → 2.0.2`);
  });

  test("updates the open pull request of the branch instead of opening a second", async () => {
    await promote("--pr");
    const first = fixture.originBranch(`promote/${to}/all`);
    writeOutputs({ images: { ...deployed.images, "main-api": { tag: "1.4.1", digest: digest("c") } } });
    const run = await promote("--pr");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `updated pull request #1: https://github.test/acme/platform/pull/1 (promote/${to}/all into main)`,
    );
    expect(server.pulls).toHaveLength(1);
    expect(server.pulls[0]!.title).toBe(`Promote to ${to}: main-api 1.3.0 → 1.4.1`);
    expect(server.pulls[0]!.body).toContain(`\`1.4.1@${digest("c")}\``);
    expect(fixture.originBranch(`promote/${to}/all`)).not.toBe(first);
    expect(fixture.originShow(`promote/${to}/all`, `Pulumi.${to}.yaml`)).toContain(`digest: ${digest("c")}`);
    expect(fixture.git(["rev-list", "--count", `main..promote/${to}/all`], fixture.origin)).toBe("1");
    expect(server.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /repos/acme/platform/pulls",
      "PATCH /repos/acme/platform/pulls/1",
    ]);
  });

  test("a rerun with the same result does not push again, and refreshes the pull request", async () => {
    await promote("--pr");
    const first = fixture.originBranch(`promote/${to}/all`);
    const run = await promote("--pr");
    expect(run.stdout).toContain("updated pull request #1");
    expect(fixture.originBranch(`promote/${to}/all`)).toBe(first);
  });

  test("rebases the branch on a default branch that moved on", async () => {
    await promote("--pr");
    fixture.commit({ "README.md": "# platform, moved on\n" }, "Unrelated change");
    expect((await promote("--pr")).code).toBe(0);
    expect(fixture.git(["rev-parse", `promote/${to}/all^`], fixture.origin)).toBe(
      fixture.originBranch("main"),
    );
  });

  test("updates the branch from a shallow clone, as actions/checkout makes one", async () => {
    await promote("--pr");
    fixture.commit({ "README.md": "# platform, moved on\n" }, "Unrelated change");
    const shallow = path.join(fixture.root, "shallow");
    fixture.git(["clone", "--quiet", "--depth", "1", `file://${fixture.origin}`, shallow], fixture.root);
    const run = await runCli(["promote", from, to, "--outputs", outputs, "--pr"], shallow, env);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(fixture.git(["rev-parse", `promote/${to}/all^`], fixture.origin)).toBe(
      fixture.originBranch("main"),
    );
  });

  test("nothing to promote opens no pull request and pushes nothing", async () => {
    fixture.commit({ [`Pulumi.${to}.yaml`]: promoted }, "Promote main-api");
    const run = await promote("--pr");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`nothing to promote: ${to} already runs what ${from} deployed`);
    expect(fixture.originBranches()).toEqual(["main"]);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /repos/acme/platform"]);
  });
});

describe("platform promote refuses bad input, changing nothing", () => {
  const refused = async (argv: string[], code: number, message: string, runEnv = env) => {
    const before = fixture.cloneState();
    const run = await runCli(argv, fixture.clone, runEnv);
    expect(run).toEqual({ code, stdout: "", stderr: `error: ${message}\n` });
    expect(fixture.cloneState()).toEqual(before);
    expect(fixture.originBranches()).toEqual(["main"]);
    expect(server.pulls).toEqual([]);
  };

  test("an unknown environment", () =>
    refused(
      ["promote", "staging", to],
      2,
      `unknown environment 'staging'; expected one of ${environmentList}`,
    ));

  test("promoting into the first environment", () =>
    refused(
      ["promote", to, environmentNames[0]],
      2,
      `cannot promote into ${environmentNames[0]}: it is the first environment of the pipeline and takes releases; use: platform release <app> <tag>`,
    ));

  test("promoting other than from the upstream", () =>
    refused(
      ["promote", to, to],
      2,
      `cannot promote from ${to} to ${to}: ${to} promotes only from ${from} (pipeline: ${environmentNames.join(" → ")})`,
    ));

  test("an unknown app", () =>
    refused(
      ["promote", from, to, "--app", "api", "--outputs", outputs],
      2,
      "unknown app 'api'; expected one of main-api, web, customer-api",
    ));

  test("an app the upstream has not deployed", () =>
    refused(
      ["promote", from, to, "--app", "customer-api", "--outputs", outputs],
      1,
      `${from} has not deployed customer-api (no images.customer-api in its stack outputs); release and deploy it there first`,
    ));

  test("a missing outputs file", () =>
    refused(
      ["promote", from, to, "--outputs", "missing.json"],
      2,
      `outputs file 'missing.json' not found; write it with: pulumi stack output --json --stack ${from} > missing.json`,
    ));

  test("an outputs file that is not JSON: the message never shows its content (it may hold secrets)", async () => {
    writeOutputs("images:\n  web: {}\nkubeconfig: hunter2-secret\n");
    const run = await promote();
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: outputs file '${outputs}' is not JSON; write it with: pulumi stack output --json --stack ${from} > ${outputs}\n`,
    );
    expect(fixture.read(`Pulumi.${to}.yaml`)).toBe(productionFile);
  });

  test.each([
    ['{"images": {}\n "password": "hunter2-secret"}', "is not JSON (line 2, column 2)"],
    [
      '{"images": "hunter2-secret"}',
      "has 'images' a string of 14 characters, expected a map of app name to { tag, digest, image }",
    ],
    [
      '{"images": {"web": "hunter2-secret", "main-api": {"tag": "hunter2 secret", "digest": "hunter2-secret"}}}',
      "is not valid: images.web: expected { tag, digest, image }, found a string of 14 characters; images.main-api.tag: a string of 14 characters, not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'); images.main-api.digest: a string of 14 characters, not a sha256 digest ('sha256:' + 64 lowercase hex chars)",
    ],
  ])("an outputs file %s: says what is wrong without its content", async (text, problem) => {
    writeOutputs(text);
    const run = await promote();
    expect(run.stderr).toBe(
      `error: outputs file '${outputs}' ${problem}; write it with: pulumi stack output --json --stack ${from} > ${outputs}\n`,
    );
    expect(run.stderr).not.toContain("hunter2");
  });

  // With a third environment between the two, the upstream's outputs are the only ones that may
  // be copied: another environment's file (here the downstream's own) is refused, naming both.
  test("an outputs file of another environment than the upstream", async () => {
    writeOutputs({ ...deployed, environmentName: to });
    await refused(
      ["promote", from, to, "--outputs", outputs],
      2,
      `outputs file '${outputs}' holds the outputs of ${to} (its environmentName), not of ${from}; write it with: pulumi stack output --json --stack ${from} > ${outputs}`,
    );
  });

  test("an outputs file without images", async () => {
    writeOutputs({ kubeconfig: "[secret]" });
    await refused(
      ["promote", from, to, "--outputs", outputs],
      2,
      `outputs file '${outputs}' has no 'images' output; write it with: pulumi stack output --json --stack ${from} > ${outputs}`,
    );
  });

  test("a stack file that is not valid YAML", async () => {
    fixture.commit({ [`Pulumi.${to}.yaml`]: "config:\n  platform:images: {\n" }, "Break it");
    await refused(
      ["promote", from, to, "--outputs", outputs],
      2,
      `Pulumi.${to}.yaml is not valid:\n  - line 3, column 1: not valid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
    );
  });

  test("a stack file on the default branch with duplicate keys (--pr)", async () => {
    fixture.commit({ [`Pulumi.${to}.yaml`]: `${productionFile}  platform:images: {}\n` }, "Duplicate");
    await refused(
      ["promote", from, to, "--outputs", outputs, "--pr"],
      2,
      `Pulumi.${to}.yaml on main is not valid:\n  - line 12, column 3: duplicate key 'platform:images' in config; a key may appear only once in a map, keep one`,
    );
  });

  test("a stack file without platform:images", async () => {
    fixture.commit({ [`Pulumi.${to}.yaml`]: "config:\n  azure-native:location: westeurope\n" }, "No images");
    await refused(
      ["promote", from, to, "--outputs", outputs],
      2,
      `Pulumi.${to}.yaml is not valid:\n  - platform:images: missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)`,
    );
  });
});

describe("platform promote --pr faults leave no branch, pull request or change behind", () => {
  const failed = async (message: string | RegExp, runEnv = env) => {
    const before = fixture.cloneState();
    const run = await runCli(["promote", from, to, "--outputs", outputs, "--pr"], fixture.clone, runEnv);
    expect(run.code).not.toBe(0);
    if (typeof message === "string") expect(run.stderr).toBe(`error: ${message}\n`);
    else expect(run.stderr).toMatch(message);
    expect(fixture.cloneState()).toEqual(before);
    return run;
  };

  test("a missing token (exit 2, before any request)", async () => {
    const { GITHUB_TOKEN: _, ...withoutToken } = env;
    const run = await failed(
      "GITHUB_TOKEN is not set; --pr needs a token that may push branches and open pull requests (in GitHub Actions: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})",
      withoutToken,
    );
    expect(run.code).toBe(2);
    expect(server.requests).toEqual([]);
    expect(fixture.originBranches()).toEqual(["main"]);
  });

  test("uncommitted changes to the other files are left alone: the pull request is opened, the working tree untouched", async () => {
    fixture.write("README.md", "# my notes, not committed\n");
    fixture.write(`Pulumi.${from}.yaml`, `${fixture.read(`Pulumi.${from}.yaml`)}# staged\n`);
    fixture.git(["add", `Pulumi.${from}.yaml`]);
    fixture.write("scratch.txt", "untracked\n");
    const before = fixture.cloneState();
    const run = await promote("--pr");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("opened pull request #1");
    expect(fixture.cloneState()).toEqual(before);
    expect(fixture.originShow(`promote/${to}/all`, "README.md")).toBe(
      fixture.originShow("main", "README.md"),
    );
  });

  test("uncommitted changes to the stack file it edits", async () => {
    fixture.write(`Pulumi.${to}.yaml`, `${productionFile}# local edit\n`);
    const run = await failed(
      `Pulumi.${to}.yaml has uncommitted changes, which --pr would leave out (it proposes an edit of Pulumi.${to}.yaml as the default branch has it); commit or stash them, then run again with --pr`,
    );
    expect(run.code).toBe(1);
    expect(fixture.read(`Pulumi.${to}.yaml`)).toBe(`${productionFile}# local edit\n`);
    expect(fixture.originBranches()).toEqual(["main"]);
  });

  test("a branch that already exists with someone else's work", async () => {
    const theirs = fixture.pushForeignBranch(
      `promote/${to}/all`,
      { "README.md": "their change\n" },
      "Hand-made fix",
    );
    await failed(
      `branch promote/${to}/all already exists on origin with other content (it changes README.md); delete it (git push origin --delete promote/${to}/all) or merge its pull request, then run again`,
    );
    expect(fixture.originBranch(`promote/${to}/all`)).toBe(theirs);
    expect(server.pulls).toEqual([]);
  });

  test("a branch with a hand-made commit on the stack file", async () => {
    const theirs = fixture.pushForeignBranch(
      `promote/${to}/all`,
      { [`Pulumi.${to}.yaml`]: `${productionFile}# reviewed by hand\n` },
      "Hand edit",
    );
    await failed(
      new RegExp(
        `^error: branch promote/${to}/all already exists on origin with other content \\(commit ${theirs.slice(0, 7)} 'Hand edit' was not made by platform\\);`,
      ),
    );
    expect(fixture.originBranch(`promote/${to}/all`)).toBe(theirs);
  });

  test("a rejected push", async () => {
    const hook = path.join(fixture.origin, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'branch creation is restricted' >&2\nexit 1\n");
    chmodSync(hook, 0o755);
    const run = await failed(
      new RegExp(
        `^error: git push to origin was rejected for branch promote/${to}/all: remote: branch creation is restricted; .*pre-receive hook declined.*; check that you may push branches to origin and that no rule protects this branch, then run again\n$`,
      ),
    );
    expect(run.code).toBe(1);
    expect(fixture.originBranches()).toEqual(["main"]);
    expect(server.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  test("GitHub 401 fails before anything is pushed", async () => {
    await failed(
      "GitHub rejected the token (401 Bad credentials) while reading repository acme/platform; set GITHUB_TOKEN to a valid token",
      { ...env, GITHUB_TOKEN: "expired" },
    );
    expect(fixture.originBranches()).toEqual(["main"]);
  });

  test("GitHub 404 for a repository the token cannot see", async () => {
    await failed(
      "GitHub found nothing while reading repository acme/elsewhere (404 Not Found); check that GITHUB_REPOSITORY (acme/elsewhere) exists and the token can see it",
      { ...env, GITHUB_REPOSITORY: "acme/elsewhere" },
    );
    expect(fixture.originBranches()).toEqual(["main"]);
  });

  test("GitHub 403 when opening: the pushed branch is deleted again", async () => {
    server.fail({
      method: "POST",
      path: /\/pulls$/,
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    await failed(
      `GitHub refused opening a pull request from promote/${to}/all into main (403 Resource not accessible by integration); give the token contents: write and pull-requests: write on acme/platform`,
    );
    expect(fixture.originBranches()).toEqual(["main"]);
  });

  test("GitHub 422 when opening: the pushed branch is deleted again", async () => {
    server.fail({
      method: "POST",
      path: /\/pulls$/,
      status: 422,
      body: {
        message: "Validation Failed",
        errors: [{ message: `No commits between main and promote/${to}/all` }],
      },
    });
    await failed(
      `GitHub refused opening a pull request from promote/${to}/all into main (422 Validation Failed: No commits between main and promote/${to}/all); check that the branch was pushed and the base branch exists`,
    );
    expect(fixture.originBranches()).toEqual(["main"]);
  });

  test("GitHub 5xx is retried and the run succeeds", async () => {
    server.fail({ method: "POST", path: /\/pulls$/, status: 502, times: 2 });
    const run = await promote("--pr");
    expect(run.code).toBe(0);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(3);
    expect(server.pulls).toHaveLength(1);
  });

  test("GitHub 5xx that persists while updating: the branch is put back where it was", async () => {
    await promote("--pr");
    const first = fixture.originBranch(`promote/${to}/all`);
    writeOutputs({ images: { ...deployed.images, "main-api": { tag: "1.4.1", digest: digest("c") } } });
    server.fail({
      method: "PATCH",
      path: /\/pulls\/1$/,
      status: 503,
      times: 10,
      body: { message: "Service Unavailable" },
    });
    await failed(
      "GitHub failed updating pull request #1 (503 Service Unavailable) after 3 retries; GitHub may be having an incident (https://www.githubstatus.com): run again later",
    );
    expect(fixture.originBranch(`promote/${to}/all`)).toBe(first);
    expect(server.pulls[0]!.title).toBe(`Promote to ${to}: main-api 1.3.0 → 1.4.0`);
  });

  test("a rate limit that persists: says until when, and removes the branch", async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    server.fail({
      method: "POST",
      path: /\/pulls$/,
      status: 403,
      times: 5,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: { message: "API rate limit exceeded" },
    });
    await failed(
      `GitHub is rate-limiting this token until ${new Date(reset * 1000).toISOString()} (403 while opening a pull request from promote/${to}/all into main: API rate limit exceeded); wait and run again, or use a token with a higher limit`,
    );
    expect(fixture.originBranches()).toEqual(["main"]);
  });
});

describe("platform promote refuses a moving tag", () => {
  test("that the upstream deployed, changing nothing", async () => {
    writeOutputs({ images: { ...deployed.images, web: { tag: "latest", digest: digest("b") } } });
    const before = fixture.cloneState();
    expect(await promote("--app", "web")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: ${from} deployed web as 'latest', a moving tag: a tag without a digit (latest, stable, main, master, edge, nightly) can point to a different image at any time; use a version tag, which holds a digit, such as 1.5.0; release a version tag to ${from} and deploy it, then promote\n`,
    });
    expect(fixture.cloneState()).toEqual(before);
  });

  test("a floating version tag (v2) that the upstream deployed, changing nothing", async () => {
    writeOutputs({ images: { ...deployed.images, web: { tag: "v2", digest: digest("b") } } });
    const before = fixture.cloneState();
    expect(await promote("--app", "web")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: ${from} deployed web as 'v2', a moving tag: a major-only or major.minor tag (2, v2, 1.5) is moved to each new release of that line, so it can point to a different image at any time; use the full version, major.minor.patch, such as 1.5.0, or a tag with a non-numeric part such as build-42; release a version tag to ${from} and deploy it, then promote\n`,
    });
    expect(fixture.cloneState()).toEqual(before);
  });
});

describe("an interrupted promote --pr while pulumi stack output runs (real processes)", () => {
  test.each([
    ["SIGINT to the CLI", "SIGINT", 130, false],
    ["SIGTERM to the CLI (a cancelled CI job)", "SIGTERM", 143, false],
    ["a terminal's Ctrl-C (SIGINT to the process group)", "SIGINT", 130, true],
  ] as const)(
    "%s (%s): exit %i within two seconds, pulumi stopped, nothing pushed",
    async (_, signal, code, group) => {
      // A stand-in pulumi that hangs, as a backend that does not answer does.
      const pulumi = hangingCommand(fixture.root, "pulumi", env);
      const cli = startCliProcess(["promote", from, to, "--pr"], fixture.clone, pulumi.env, {
        processGroup: group,
      });
      await waitUntil(() => pulumi.pid() !== undefined);
      const child = pulumi.pid()!;
      const sent = Date.now();
      if (group) process.kill(-cli.child.pid!, signal);
      else cli.child.kill(signal);
      const run = await cli.exited;
      expect(Date.now() - sent).toBeLessThan(2000);
      expect(run).toEqual({
        code,
        signal: null,
        stdout: "",
        stderr: `error: interrupted by ${signal} while running 'pulumi stack output --json --stack ${from}', which was stopped; nothing was changed\n`,
      });
      await waitUntil(() => !processRunning(child));
      expect(fixture.originBranches()).toEqual(["main"]);
      expect(server.requests.filter((request) => request.method !== "GET")).toEqual([]);
    },
    20_000,
  );
});

describe(`promoting every app proposes only a set ${from} verified and that soaked (issue 21 point 6)`, () => {
  const fresh = {
    environmentName: from,
    images: { ...deployed.images, "main-api": { tag: "1.4.1", digest: digest("c") } },
  };

  test("a set that has not soaked yet is not proposed: the newest soaked one is, saying why", async () => {
    // 1.4.0 (the default outputs) was recorded at 07:00; acceptance now runs 1.4.1, verified at 09:30.
    writeFileSync(outputs, JSON.stringify(fresh));
    const record = pushRecord(
      fixture,
      from,
      { "main-api": `1.4.1@${digest("c")}`, web: `2.0.1@${digest("2")}` },
      "2026-12-01T09:30:00Z",
    );
    const run = await promote();
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toContain(
      `${from} runs main-api 1.4.1@${digest("c")}, web 2.0.1@${digest("2")}, which has not been verified and soaked 60 min there; proposing the newest set that has: verified/${from}/20261201T070000Z-`,
    );
    expect(run.stdout).toContain(movedLine);
    expect(record).toMatch(new RegExp(`^verified/${from}/20261201T093000Z-`));
  });

  test("when no set has soaked yet it says when one may go, and changes nothing", async () => {
    fixture.git(
      ["tag", "-d", ...fixture.git(["tag", "-l", "verified/*"], fixture.origin).split("\n")],
      fixture.origin,
    );
    const record = pushRecord(
      fixture,
      from,
      { "main-api": `1.4.0@${digest("a")}`, web: `2.0.1@${digest("2")}` },
      "2026-12-01T09:30:00Z",
    );
    const before = fixture.read(`Pulumi.${to}.yaml`);
    expect(await promote()).toEqual({
      code: 0,
      stdout: `nothing to promote yet: no set ${from} verified has run 60 min there; the newest, ${record} (2026-12-01 09:30 UTC), may go from Tuesday 2026-12-01 11:30 Europe/Amsterdam (10:30 UTC); run again then\n`,
      stderr: "",
    });
    expect(fixture.read(`Pulumi.${to}.yaml`)).toBe(before);
  });

  test("an upstream without any verification record: exit 1, nothing written", async () => {
    fixture.git(
      ["tag", "-d", ...fixture.git(["tag", "-l", "verified/*"], fixture.origin).split("\n")],
      fixture.origin,
    );
    expect(await promote()).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: ${from} has no verification record, so it has no verified set to promote; a deploy of ${from} records one when platform verify passes (or promote chosen apps with --app, which the gate judges)\n`,
    });
  });
});
