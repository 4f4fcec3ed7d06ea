import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createGitFixture, type GitFixture } from "../test/git-fixture";
import { projectCopy } from "../test/project-copy";
import { startGitHubServer, type GitHubServer } from "../test/github-server";
import { gitHubEnv, runCli } from "../test/run-cli";
import { exitCodesHelp, pullRequestHelp } from "./commands";
import { credentialsIn, redact } from "./main";

describe("credentials", () => {
  test.each([
    ["GITHUB_TOKEN", true],
    ["GH_TOKEN", true],
    ["PULUMI_ACCESS_TOKEN", true],
    ["PULUMI_CONFIG_PASSPHRASE", true],
    ["ARM_CLIENT_SECRET", true],
    ["AZURE_CLIENT_CERTIFICATE_PASSWORD", true],
    ["ARM_ACCESS_KEY", true],
    ["GITHUB_REPOSITORY", false],
    ["GITHUB_API_URL", false],
    ["PATH", false],
  ])("%s holds a credential: %s", (name, secret) => {
    expect(credentialsIn({ [name]: "a-long-enough-value" })).toEqual(secret ? ["a-long-enough-value"] : []);
  });

  test("longest first, without duplicates or values too short to be secrets", () => {
    expect(
      credentialsIn({
        GITHUB_TOKEN: "abcdefgh",
        GH_TOKEN: "abcdefghij",
        OTHER_TOKEN: "abcdefgh",
        X_KEY: "short",
      }),
    ).toEqual(["abcdefghij", "abcdefgh"]);
  });

  test.each([
    ["a value of the environment", "token s3cr3t-value-1 refused", "token *** refused"],
    [
      "URL userinfo",
      "push to https://x-access-token:abc@github.com/acme/platform failed",
      "push to https://***@github.com/acme/platform failed",
    ],
    ["a URL user alone", "https://ghp_user@example.com/x", "https://***@example.com/x"],
    ["a GitHub token shape", "saw ghp_abcdefghijklmnopqrstuvwxyz0123456789 here", "saw *** here"],
    ["a fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "***"],
    [
      "nothing to hide",
      "scp-like git@github.com:acme/platform.git",
      "scp-like git@github.com:acme/platform.git",
    ],
  ])("redacts %s", (_, text, expected) => {
    expect(redact(text, ["s3cr3t-value-1"])).toBe(expected);
  });
});

describe("--help", () => {
  const help = async (...argv: string[]) => {
    const run = await runCli([...argv, "--help"], process.cwd(), {});
    expect(run.code).toBe(0);
    return run.stdout;
  };

  test("plan and diff document PLATFORM_PLAN_TIMEOUT_SECONDS; promote the --outputs file's shape (gate reads records, not outputs); docs/commands.md both", async () => {
    for (const command of ["plan", "diff"]) {
      const text = await help(command);
      expect(text).toContain("PLATFORM_PLAN_TIMEOUT_SECONDS  how long one run of the program");
      expect(text).not.toContain("--outputs <file> holds");
    }
    for (const command of ["promote"]) {
      const text = await help(command);
      expect(text).toContain(
        '--outputs <file> holds what `pulumi stack output --json --stack <upstream>` prints: a JSON object\nwhose "images" output maps each app',
      );
      expect(text).toContain('{"images": {"web": {"tag": "2.1.0", "digest": "sha256:<64 hex>",');
    }
    const reference = readFileSync(path.join(__dirname, "..", "docs", "commands.md"), "utf8");
    expect(reference).toContain("`PLATFORM_PLAN_TIMEOUT_SECONDS` (default 120)");
    expect(reference).toContain("The `--outputs` file holds what that command prints");
  });

  test("the program's help lists the exit codes", async () => {
    const text = await help();
    expect(text.endsWith(`${exitCodesHelp}\n`)).toBe(true);
    expect(text).toContain("  143  interrupted by SIGTERM (a cancelled CI job)\n");
    expect(text).not.toContain("GITHUB_TOKEN");
  });

  test.each(["release", "promote"])(
    "%s --help lists the variables --pr reads, then the exit codes",
    async (command) => {
      const text = await help(command);
      expect(text.endsWith(`${pullRequestHelp}\n${exitCodesHelp}\n`)).toBe(true);
      expect(text).toContain(
        "  GITHUB_TOKEN                      required: a token that may open pull requests\n",
      );
      expect(text).toContain(
        "  PLATFORM_GITHUB_TIMEOUT_SECONDS   how long one GitHub request may take (default: 30)\n",
      );
    },
  );

  test("a command without --pr has no --pr help", async () => {
    const text = await help("set-image");
    expect(text).not.toContain("GITHUB_TOKEN");
    expect(text.endsWith(`${exitCodesHelp}\n`)).toBe(true);
  });
});

describe("credentials are never printed on stderr", () => {
  let fixture: GitFixture;
  let server: GitHubServer;
  let env: Record<string, string>;
  const branch = "release/acceptance/main-api";
  const release = () => runCli(["release", "main-api", "1.5.0", "--pr"], fixture.clone, env);

  const gitHubToken = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
  const ghToken = "gho_anotherTokenTheCliMightRead0123456789";
  const urlToken = "ghs_tokenInTheOriginUrlOnly0123456789abcd";

  beforeEach(async () => {
    fixture = createGitFixture();
    server = await startGitHubServer({ bareRepository: fixture.origin, token: gitHubToken });
    env = { ...fixture.env, ...gitHubEnv(server), GH_TOKEN: ghToken };
  });
  afterEach(async () => {
    await server.close();
    fixture.cleanup();
  });

  test("in GitHub's messages echoed back", async () => {
    server.fail({
      method: "POST",
      path: /\/pulls$/,
      status: 403,
      body: { message: `token ${gitHubToken} (also ${ghToken}) may not open pull requests` },
    });
    const run = await release();
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: GitHub refused opening a pull request from ${branch} into main (403 token *** (also ***) may not open pull requests); give the token contents: write and pull-requests: write on acme/platform\n`,
    });
  });

  test("in a failed cleanup, from an origin URL holding a token", async () => {
    fixture.git([
      "remote",
      "set-url",
      "origin",
      `file://x-access-token:${urlToken}@localhost${fixture.origin}`,
    ]);
    const hook = path.join(fixture.origin, "hooks", "pre-receive");
    writeFileSync(
      hook,
      "#!/bin/sh\nwhile read old new ref; do\n  case $new in 0000000000000000000000000000000000000000) echo 'deleting is not allowed' >&2; exit 1;; esac\ndone\n",
    );
    chmodSync(hook, 0o755);
    server.fail({ method: "POST", path: /\/pulls$/, status: 403, body: { message: "Forbidden" } });
    const run = await release();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `; also could not put branch ${branch} back (git push --quiet --force-with-lease=refs/heads/${branch}:`,
    );
    expect(run.stderr).toContain(
      ` file://***@localhost${fixture.origin} :refs/heads/${branch} failed (exit 1)`,
    );
    expect(run.stderr).not.toContain(urlToken);
    expect(fixture.originBranches()).toEqual(["main", branch]);
  });

  test("in commander's own messages, written to stderr", async () => {
    const run = await runCli(["release", "main-api", "1.5.0", `--token=${ghToken}`], fixture.clone, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: unknown option '--token=\*\*\*'\n/);
    expect(run.stderr).not.toContain(ghToken);
  });
});

describe("library internals never reach the user: a bad stack file is one message naming it, exit 2", () => {
  let fixture: GitFixture;
  beforeEach(() => (fixture = createGitFixture()));
  afterEach(() => fixture.cleanup());

  const aliasBomb = `config:
  azure-native:location: westeurope
  x:a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  x:b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  x:c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  x:d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  x:e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  platform:images:
    web: { tag: "2.0.1" }
`;

  test.each([
    [
      "an alias bomb",
      aliasBomb,
      `its YAML aliases (*name) expand to too many values (more than 1000 expansions), which Pulumi refuses too ("document contains excessive aliasing"); write the values out instead of repeating aliases`,
    ],
    [
      "a second YAML document",
      "config:\n  platform:images: {}\n---\nconfig: {}\n",
      "line 3, column 1: a second YAML document ('---'); a stack file holds one document, remove the '---' line and what follows or merge it into the first",
    ],
    [
      "a !!binary tag",
      "config:\n  azure-native:location: westeurope\n  platform:images:\n    main-api: { tag: !!binary aGVsbG8= }\n",
      "platform:images.main-api.tag: binary data (!!binary, 5 bytes) is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-') (line 4)",
    ],
  ])("%s", async (_, text, problem) => {
    fixture.write("Pulumi.acceptance.yaml", text);
    for (const argv of [
      ["set-image", "acceptance", "web", "2.0.2"],
      ["release", "web", "2.0.2"],
    ]) {
      expect(await runCli(argv, fixture.clone, fixture.env)).toEqual({
        code: 2,
        stdout: "",
        stderr: `error: Pulumi.acceptance.yaml is not valid:\n  - ${problem}\n`,
      });
    }
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(text);
  });
});

test("a program source that does not compile is one line naming the file and the place, exit 2, no swc backtrace", () => {
  const copy = projectCopy();
  try {
    appendFileSync(path.join(copy.dir, "index.ts"), "\nconst broken = ;\n");
    const line =
      readFileSync(path.join(copy.dir, "index.ts"), "utf8").split("\n").indexOf("const broken = ;") + 1;
    const run = spawnSync(
      process.execPath,
      [path.join(copy.dir, "bin", "platform.js"), "plan", "acceptance"],
      {
        cwd: copy.dir,
        encoding: "utf8",
        env: { PATH: process.env["PATH"] ?? "" },
      },
    );
    expect([run.status, run.stdout, run.stderr]).toEqual([
      2,
      "",
      `error: index.ts is not valid TypeScript: Expression expected (line ${line}, column 16); fix it, then run again\n`,
    ]);
  } finally {
    copy.remove();
  }
});
