import { rmSync } from "node:fs";
import * as path from "node:path";
import {
  acceptanceFile,
  createGitFixture,
  digest,
  productionFile,
  type GitFixture,
} from "../../test/git-fixture";
import { runCli } from "../../test/run-cli";

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
      acceptanceFile.replace("web: { tag: 2.0.1 }", `web: { tag: 2.0.2, digest: ${digest("b")} }`),
    );
    const run = await setImage("acceptance", "web", "2.0.2");
    expect(run.stdout).toBe(`Pulumi.acceptance.yaml: web 2.0.2@${digest("b")} → 2.0.2\n`);
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile.replace("tag: 2.0.1", "tag: 2.0.2"));
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
    expect(fixture.read("Pulumi.acceptance.yaml")).toBe(acceptanceFile.replace("tag: 2.0.1", "tag: 2.0.2"));
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
    refused(
      ["staging", "web", "1.0"],
      "unknown environment 'staging'; expected one of acceptance, production",
    ));

  test("an unknown app", () =>
    refused(["acceptance", "api", "1.0"], "unknown app 'api'; expected one of main-api, web, customer-api"));

  test("a tag of the wrong form", () =>
    refused(
      ["acceptance", "web", "-1.0"],
      "'-1.0' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')",
    ));

  test("a digest of the wrong form", () =>
    refused(
      ["acceptance", "web", "1.0@sha256:12"],
      "'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars); write <tag>@sha256:<64 hex>",
    ));

  test("a tag without digest where only tag@digest deploys", () =>
    refused(
      ["production", "web", "2.0.2"],
      "production does not build images and deploys only tag@digest; pass 2.0.2@sha256:<digest>, or copy what acceptance deployed with: platform promote acceptance production --app web",
    ));

  test("a stack file that is not valid YAML", async () => {
    fixture.commit(
      { "Pulumi.acceptance.yaml": "config:\n  platform:images:\n    web: {tag: x\n" },
      "Break it",
    );
    await refused(
      ["acceptance", "web", "1.0"],
      "Pulumi.acceptance.yaml is not valid:\n  - line 4, column 1: not valid YAML: Flow map in block collection must be sufficiently indented and end with a }",
    );
  });

  test("a stack file with duplicate keys", async () => {
    fixture.commit({ "Pulumi.acceptance.yaml": `${acceptanceFile}  platform:dbPassword: x\n` }, "Duplicate");
    await refused(
      ["acceptance", "web", "1.0"],
      "Pulumi.acceptance.yaml is not valid:\n  - line 11, column 3: duplicate key 'platform:dbPassword' in config; a key may appear only once in a map, keep one",
    );
  });

  test("a stack file without platform:images", async () => {
    fixture.commit(
      { "Pulumi.acceptance.yaml": "config:\n  azure-native:location: westeurope\n" },
      "No images",
    );
    await refused(
      ["acceptance", "web", "1.0"],
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
      ["acceptance", "web", "1.0"],
      `Pulumi.acceptance.yaml not found in ${fixture.clone}; run platform in the directory that holds the stack files`,
    );
  });

  test("a missing argument is a usage error (exit 2)", async () => {
    const run = await setImage("acceptance", "web");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: missing required argument 'version'");
  });
});
