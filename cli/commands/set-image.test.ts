import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import {
  acceptanceFile,
  createGitFixture,
  digest,
  productionFile,
  type GitFixture,
} from "../../test/git-fixture";
import { runCli, startCliProcess } from "../../test/run-cli";
import { environmentList, upstreamOf } from "../../test/pipeline-names";

let fixture: GitFixture;
const setImage = (...argv: string[]) => runCli(["set-image", ...argv], fixture.clone, fixture.env);

beforeEach(() => (fixture = createGitFixture()));
afterEach(() => fixture.cleanup());

describe("platform set-image", () => {
  test("sets tag and digest of an entry, every other byte kept", async () => {
    const run = await setImage("production", "main-api", `1.4.0@${digest("a")}`);
    expect(run).toEqual({
      code: 0,
      stdout: `Pulumi.production.yaml: main-api 1.3.0@${digest("1")} → 1.4.0@${digest("a")}\n`,
      stderr: "",
    });
    expect(fixture.read("Pulumi.production.yaml")).toBe(
      productionFile
        .replace('tag: "1.3.0"   # promoted by CI', 'tag: "1.4.0"   # promoted by CI')
        .replace(`digest: ${digest("1")}`, `digest: ${digest("a")}`),
    );
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile);
  });

  test("a tag without digest clears the digest", async () => {
    await setImage("acceptance", "web", `2.0.2@${digest("b")}`);
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(
      acceptanceFile.replace("web: { tag: 2.0.1 }", `web: { tag: "2.0.2", digest: ${digest("b")} }`),
    );
    const run = await setImage("acceptance", "web", "2.0.2");
    expect(run.stdout).toBe(`Pulumi.acceptance.yaml: web 2.0.2@${digest("b")} → 2.0.2\n`);
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile.replace("tag: 2.0.1", 'tag: "2.0.2"'));
  });

  test("adds an app that is not deployed yet", async () => {
    const run = await setImage("acceptance", "customer-api", "0.1.0");
    expect(run.stdout).toBe("Pulumi.acceptance.yaml: customer-api not deployed → 0.1.0\n");
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(
      acceptanceFile.replace(
        "    web: { tag: 2.0.1 }\n",
        '    web: { tag: 2.0.1 }\n    customer-api: { tag: "0.1.0" }\n',
      ),
    );
  });

  test("the first app set into production's shipped `platform:images: {}` is written in block style", async () => {
    const shipped = readFileSync(path.join(__dirname, "..", "..", "Pulumi.production.yaml"), "utf8");
    fixture.write("Pulumi.production.yaml", shipped);
    expect((await setImage("production", "web", `2.0.2@${digest("b")}`)).code).toBe(0);
    const first = shipped.replace(
      "  platform:images: {}\n",
      `  platform:images:\n    web:\n      tag: "2.0.2"\n      digest: ${digest("b")}\n`,
    );
    expect(fixture.read("Pulumi.production.yaml")).toBe(first);
    expect((await setImage("production", "main-api", `1.4.0@${digest("a")}`)).code).toBe(0);
    expect(fixture.read("Pulumi.production.yaml")).toBe(
      first.replace(
        `      digest: ${digest("b")}\n`,
        `      digest: ${digest("b")}\n    main-api:\n      tag: "1.4.0"\n      digest: ${digest("a")}\n`,
      ),
    );
  });

  test("setting what is there already changes nothing", async () => {
    const run = await setImage("acceptance", "main-api", "1.4.0");
    expect(run).toEqual({
      code: 0,
      stdout: "Pulumi.acceptance.yaml: main-api is already 1.4.0; nothing to change\n",
      stderr: "",
    });
    expect(fixture.cloneState().status).toBe("");
  });

  test("fixes a broken entry, since only the result must be valid", async () => {
    fixture.write(
      "Pulumi.acceptance.yaml",
      acceptanceFile.replace("web: { tag: 2.0.1 }", "web: { tag: 2.0 }"),
    );
    expect((await setImage("acceptance", "web", "2.0.2")).code).toBe(0);
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile.replace("tag: 2.0.1", 'tag: "2.0.2"'));
  });
});

describe("platform set-image refuses bad input and leaves the files as they were", () => {
  const refused = async (argv: string[], message: string) => {
    const before = fixture.cloneState();
    const run = await setImage(...argv);
    expect(run).toEqual({ code: 2, stdout: "", stderr: `error: ${message}\n` });
    expect(fixture.cloneState()).toEqual(before);
  };

  test("an unknown environment", () =>
    refused(["staging", "web", "1.0"], `unknown environment 'staging'; expected one of ${environmentList}`));

  test("an unknown app", () =>
    refused(["acceptance", "api", "1.0"], "unknown app 'api'; expected one of main-api, web, customer-api"));

  test("a tag of the wrong form", () =>
    refused(
      ["acceptance", "web", "-1.0"],
      "'-1.0' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')",
    ));

  test("a digest of the wrong form", () =>
    refused(
      ["acceptance", "web", "1.0.0@sha256:12"],
      "'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars); write <tag>@sha256:<64 hex>",
    ));

  test("a tag without digest where only tag@digest deploys", () =>
    refused(
      ["production", "web", "2.0.2"],
      `2.0.2 has no digest; production does not build images and deploys only tag@digest (copy it with: platform promote ${upstreamOf("production")} production --app web)`,
    ));

  test("a stack file that is not valid YAML", async () => {
    fixture.commit(
      { "Pulumi.acceptance.yaml": "config:\n  platform:images:\n    web: {tag: x\n" },
      "Break it",
    );
    await refused(
      ["acceptance", "web", "1.0.0"],
      "Pulumi.acceptance.yaml is not valid:\n  - line 4, column 1: not valid YAML: Flow map in block collection must be sufficiently indented and end with a }",
    );
  });

  test("a stack file with duplicate keys", async () => {
    fixture.commit(
      { "Pulumi.acceptance.yaml": `${acceptanceFile}  azure-native:clientSecret: x\n` },
      "Duplicate",
    );
    await refused(
      ["acceptance", "web", "1.0.0"],
      "Pulumi.acceptance.yaml is not valid:\n  - line 11, column 3: duplicate key 'azure-native:clientSecret' in config; a key may appear only once in a map, keep one",
    );
  });

  test("a stack file without platform:images", async () => {
    fixture.commit(
      { "Pulumi.acceptance.yaml": "config:\n  azure-native:location: westeurope\n" },
      "No images",
    );
    await refused(
      ["acceptance", "web", "1.0.0"],
      "Pulumi.acceptance.yaml is not valid:\n  - platform:images: missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)",
    );
  });

  test("a result that would still be invalid lists every problem", async () => {
    fixture.commit(
      { "Pulumi.acceptance.yaml": acceptanceFile.replace("web: { tag: 2.0.1 }", "web: { tag: 2.0, x: 1 }") },
      "Bad",
    );
    await refused(
      ["acceptance", "main-api", "1.5.0"],
      `Pulumi.acceptance.yaml is not valid:\n  - platform:images.web.tag: 2.0 is read as number, not an image tag; quote it: tag: "2.0" (line 7)\n  - platform:images.web.x: unknown key; allowed: tag, digest (line 7)`,
    );
  });

  test("a missing stack file", async () => {
    rmSync(path.join(fixture.clone, "Pulumi.acceptance.yaml"));
    await refused(
      ["acceptance", "web", "1.0.0"],
      `Pulumi.acceptance.yaml not found in ${fixture.clone}; run platform in the directory that holds the stack files`,
    );
  });

  test("a missing argument is a usage error (exit 2)", async () => {
    const run = await setImage("acceptance", "web");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: missing required argument 'version'");
  });
});

describe("platform set-image and the stack file on disk", () => {
  const lockFile = () => path.join(realpathSync(fixture.clone), ".Pulumi.acceptance.yaml.lock");

  test("a stack file locked by another command is left alone (exit 1), naming the file and the holder", async () => {
    writeFileSync(lockFile(), `${process.pid}\n`);
    const before = fixture.read("Pulumi.acceptance.yaml");
    expect(await setImage("acceptance", "web", "2.1.0")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: Pulumi.acceptance.yaml is being edited by another platform command (pid ${process.pid}, lock file ${lockFile()}); run again once it has finished; nothing was written\n`,
    });
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(before);
  });

  test("interrupted again and again (SIGINT, SIGTERM at any moment), an edit never leaves its lock behind nor half a file", async () => {
    const before = fixture.read("Pulumi.acceptance.yaml");
    const versions = Array.from({ length: 12 }, (_, index) => `2.1.${index}`);
    const start = (version: string) =>
      startCliProcess(["set-image", "acceptance", "web", version], fixture.clone, fixture.env);
    // How long a whole run takes here: the signals land across its second half, where the edit is.
    const timed = Date.now();
    expect((await start("2.0.9").exited).code).toBe(0);
    const duration = Date.now() - timed;
    const written = new Set([before, fixture.read("Pulumi.acceptance.yaml")]);
    for (const [index, version] of versions.entries()) {
      const cli = start(version);
      await new Promise((resolve) => setTimeout(resolve, duration * (0.4 + (0.6 * index) / versions.length)));
      cli.child.kill(index % 2 === 0 ? "SIGINT" : "SIGTERM");
      const run = await cli.exited;
      const text = fixture.read("Pulumi.acceptance.yaml");
      expect(readdirSync(fixture.clone).filter((name) => name.startsWith(".Pulumi"))).toEqual([]);
      if (text.includes(`"${version}"`)) written.add(text);
      expect(written).toContain(text);
      expect([0, 130, 143, -1]).toContain(run.code);
    }
    expect(await setImage("acceptance", "web", "3.0.0")).toMatchObject({ code: 0, stderr: "" });
  }, 30_000);

  test("concurrent edits of different apps lose no change: each succeeds or fails saying the file is locked", async () => {
    const runs = await Promise.all([
      setImage("acceptance", "main-api", "1.5.0"),
      setImage("acceptance", "web", "2.1.0"),
      setImage("acceptance", "customer-api", "0.9.0"),
    ]);
    const expected: Record<string, string> = {
      "main-api": 'tag: "1.5.0"',
      web: 'web: { tag: "2.1.0" }',
      "customer-api": 'customer-api: { tag: "0.9.0" }',
    };
    const text = fixture.read("Pulumi.acceptance.yaml");
    runs.forEach((run, index) => {
      const change = Object.values(expected)[index]!;
      if (run.code === 0) {
        expect(text).toContain(change);
      } else {
        // The holder's pid, or, when the lock was read between its creation and the pid's write,
        // that it was not yet written.
        expect(run).toEqual({
          code: 1,
          stdout: "",
          stderr: expect.stringMatching(
            /^error: Pulumi\.acceptance\.yaml is being edited by another platform command \((pid \d+|a pid not yet written), lock file .*\); run again once it has finished; nothing was written\n$/,
          ),
        });
        expect(text).not.toContain(change);
      }
    });
    expect(runs.some((run) => run.code === 0)).toBe(true);
    expect(readdirSync(fixture.clone).filter((name) => name.startsWith(".Pulumi"))).toEqual([]);
  });

  test("a symlinked stack file is edited through the link", async () => {
    const target = path.join(fixture.root, "acceptance-stack.yaml");
    writeFileSync(target, acceptanceFile);
    rmSync(path.join(fixture.clone, "Pulumi.acceptance.yaml"));
    symlinkSync(target, path.join(fixture.clone, "Pulumi.acceptance.yaml"));
    expect((await setImage("acceptance", "web", "2.1.0")).code).toBe(0);
    expect(lstatSync(path.join(fixture.clone, "Pulumi.acceptance.yaml")).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(acceptanceFile.replace("tag: 2.0.1", 'tag: "2.1.0"'));
  });

  test("a read-only stack file is refused (exit 1) and stays as it was", async () => {
    chmodSync(path.join(fixture.clone, "Pulumi.acceptance.yaml"), 0o444);
    expect(await setImage("acceptance", "web", "2.1.0")).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: Pulumi.acceptance.yaml is read-only (mode 0444); make it writable (chmod u+w Pulumi.acceptance.yaml) to let platform edit it; the file is unchanged\n",
    });
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile);
  });
});

describe("platform set-image refuses what the program or Pulumi would read otherwise", () => {
  const refusedWith = async (argv: string[], code: number, message: string) => {
    const before = fixture.cloneState();
    expect(await setImage(...argv)).toEqual({ code, stdout: "", stderr: `error: ${message}\n` });
    expect(fixture.cloneState()).toEqual(before);
  };

  test("a result the program's schema rejects (no azure-native:location) is not written", async () => {
    fixture.commit(
      { "Pulumi.acceptance.yaml": acceptanceFile.replace("  azure-native:location: westeurope\n", "") },
      "No region",
    );
    await refusedWith(
      ["acceptance", "web", "2.1.0"],
      2,
      "Pulumi.acceptance.yaml as it would be written is not valid:\n  - azure-native:location: missing; set the Azure region, for example westeurope",
    );
  });

  test("a moving tag", () =>
    refusedWith(
      ["acceptance", "web", "latest"],
      2,
      "'latest' is a moving tag: a tag without a digit (latest, stable, main, master, edge, nightly) can point to a different image at any time; use a version tag, which holds a digit, such as 1.5.0",
    ));

  test("a moving tag with a digest", () =>
    refusedWith(
      ["production", "web", `stable@${digest("c")}`],
      2,
      "'stable' is a moving tag: a tag without a digit (latest, stable, main, master, edge, nightly) can point to a different image at any time; use a version tag, which holds a digit, such as 1.5.0",
    ));

  test("an entry that is a YAML alias, naming the line; other entries are edited as usual", async () => {
    fixture.commit(
      {
        "Pulumi.acceptance.yaml": acceptanceFile.replace(
          "    web: { tag: 2.0.1 }\n",
          "    web: &web { tag: 2.0.1 }\n    customer-api: *web\n",
        ),
      },
      "Alias",
    );
    await refusedWith(
      ["acceptance", "customer-api", "0.9.0"],
      2,
      "Pulumi.acceptance.yaml: cannot edit platform:images.customer-api: it is the YAML alias *web, a copy of a value written elsewhere (line 8); platform edits only values written out in full where they are used: write it out there, or edit the file by hand, then run again",
    );
    expect(await setImage("acceptance", "main-api", "1.5.0")).toMatchObject({ code: 0, stderr: "" });
  });

  test("a file with a byte that is not UTF-8 is refused and kept byte for byte", async () => {
    const bytes = Buffer.concat([Buffer.from(acceptanceFile), Buffer.from("# caf\xe9\n", "latin1")]);
    writeFileSync(path.join(fixture.clone, "Pulumi.acceptance.yaml"), bytes);
    expect(await setImage("acceptance", "web", "2.1.0")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: Pulumi.acceptance.yaml is not valid UTF-8 (line 11 holds a byte that is not); save it as UTF-8, then run again\n",
    });
    expect(readFileSync(path.join(fixture.clone, "Pulumi.acceptance.yaml"))).toEqual(bytes);
  });
});
