import { writeFileSync } from "node:fs";
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
let outputs: string;
const deployed = {
  images: {
    "main-api": { tag: "1.4.0", digest: digest("a"), image: `acr.io/main-api:1.4.0@${digest("a")}` },
    web: { tag: "2.0.2", digest: digest("b"), image: `acr.io/web:2.0.2@${digest("b")}` },
  },
};
const gate = (...argv: string[]) => runCli(["gate", ...argv], fixture.clone, fixture.env);
const gateProduction = () => gate("production", "--base", "main", "--outputs", outputs);
const withEntries = (mainApi: string, web: string) =>
  productionFile
    .replace(`tag: "1.3.0"   # promoted by CI\n      digest: ${digest("1")}`, mainApi)
    .replace(`web: { tag: 2.0.1, digest: "${digest("2")}" }`, web);

beforeEach(() => {
  fixture = createGitFixture();
  outputs = path.join(fixture.root, "outputs.json");
  writeFileSync(outputs, JSON.stringify(deployed));
});
afterEach(() => fixture.cleanup());

test("passes entries that are exactly what acceptance deployed", async () => {
  fixture.write(
    "Pulumi.production.yaml",
    withEntries(`tag: "1.4.0"\n      digest: ${digest("a")}`, `web: { tag: 2.0.2, digest: ${digest("b")} }`),
  );
  expect(await gateProduction()).toEqual({
    code: 0,
    stdout: [
      "gate production: a promotion: only image versions in Pulumi.production.yaml change",
      `main-api: passed: 1.4.0@${digest("a")} is what acceptance deployed`,
      `web: passed: 2.0.2@${digest("b")} is what acceptance deployed`,
      "gate production: 2 changed apps passed",
      "",
    ].join("\n"),
    stderr: "",
  });
});

test("fails a digest acceptance did not deploy and an entry without digest, one line per app", async () => {
  fixture.write(
    "Pulumi.production.yaml",
    withEntries(`tag: "1.4.0"\n      digest: ${digest("f")}`, "web: { tag: 2.0.2 }"),
  );
  expect(await gateProduction()).toEqual({
    code: 1,
    stdout: [
      "gate production: a promotion: only image versions in Pulumi.production.yaml change",
      `main-api: failed: ${digest("f")} is not what acceptance deployed (acceptance runs 1.4.0@${digest("a")}); copy it with: platform promote acceptance production --app main-api`,
      "web: failed: 2.0.2 has no digest; production does not build images and deploys only tag@digest (copy it with: platform promote acceptance production --app web)",
      "",
    ].join("\n"),
    stderr: "error: gate production: 2 of 2 changed apps failed (main-api, web)\n",
  });
});

test("only changed entries are checked", async () => {
  fixture.write(
    "Pulumi.production.yaml",
    withEntries(
      `tag: "1.4.0"\n      digest: ${digest("a")}`,
      `web: { tag: 2.0.1, digest: "${digest("2")}" }`,
    ),
  );
  const run = await gateProduction();
  expect(run.stdout).toBe(
    `gate production: a promotion: only image versions in Pulumi.production.yaml change\nmain-api: passed: 1.4.0@${digest("a")} is what acceptance deployed\ngate production: 1 changed app passed\n`,
  );
});

test("a change that leaves the stack file alone is no promotion: nothing to gate, no outputs needed", async () => {
  fixture.write("README.md", "changed\n");
  expect(await gate("production", "--base", "main")).toEqual({
    code: 0,
    stdout:
      "gate production: Pulumi.production.yaml does not change between main and the working tree: not a promotion, nothing to gate (the ordinary review applies)\n",
    stderr: "",
  });
});

test("a stack file whose comments alone change: a promotion with nothing to check", async () => {
  fixture.write("Pulumi.production.yaml", `# reviewed\n${fixture.read("Pulumi.production.yaml")}`);
  expect((await gate("production", "--base", "main")).stdout).toBe(
    "gate production: a promotion: only image versions in Pulumi.production.yaml change\ngate production: no image changes between main and the working tree; nothing to check\n",
  );
});

describe("what is not a promotion fails, saying why and that it takes the ordinary review path", () => {
  const ordinary =
    "A promotion pull request changes image versions in the stack file and nothing else. Anything else takes the ordinary review path: its own pull request, reviewed by the code owners.\n";
  const promoteMainApi = () =>
    withEntries(
      `tag: "1.4.0"\n      digest: ${digest("a")}`,
      `web: { tag: 2.0.1, digest: "${digest("2")}" }`,
    );

  test("re-targeting the provider (subscriptionId, tenantId) beside an image change", async () => {
    fixture.write(
      "Pulumi.production.yaml",
      promoteMainApi().replace(
        "config:\n",
        "config:\n  azure-native:subscriptionId: 0000\n  azure-native:tenantId: 1111\n",
      ),
    );
    expect(await gateProduction()).toEqual({
      code: 1,
      stdout: [
        "gate production: not a promotion:",
        "  - Pulumi.production.yaml: azure-native:subscriptionId is added",
        "  - Pulumi.production.yaml: azure-native:tenantId is added",
        ordinary + `main-api: passed: 1.4.0@${digest("a")} is what acceptance deployed`,
        "",
      ].join("\n"),
      stderr: "error: gate production: not a promotion\n",
    });
  });

  test("re-targeting the provider alone (no image changes) is no longer 'nothing to check'", async () => {
    fixture.write(
      "Pulumi.production.yaml",
      fixture
        .read("Pulumi.production.yaml")
        .replace("config:\n", "config:\n  azure-native:subscriptionId: 0000\n"),
    );
    const run = await gate("production", "--base", "main");
    expect([run.code, run.stderr]).toEqual([1, "error: gate production: not a promotion\n"]);
    expect(run.stdout).toContain("  - Pulumi.production.yaml: azure-native:subscriptionId is added\n");
  });

  test("removing an app, unless --allow-removal says so in the output", async () => {
    const removed = fixture
      .read("Pulumi.production.yaml")
      .replace(`    web: { tag: 2.0.1, digest: "${digest("2")}" }\n`, "");
    expect(removed).not.toContain("web:");
    fixture.write("Pulumi.production.yaml", removed);
    const refused = await gateProduction();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "  - removes web (a promotion may remove an app only with --allow-removal)\n",
    );
    const allowed = await gate("production", "--base", "main", "--outputs", outputs, "--allow-removal");
    expect(allowed).toEqual({
      code: 0,
      stdout: [
        "gate production: a promotion: only image versions in Pulumi.production.yaml change",
        "gate production: removal of web allowed by --allow-removal",
        "web: passed: removed from production, nothing to deploy",
        "gate production: 1 changed app passed",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  test("other files in the same change: workflows, package.json, program code", async () => {
    fixture.write("Pulumi.production.yaml", promoteMainApi());
    fixture.write(".github/workflows/deploy.yml", "name: deploy\n");
    fixture.write("package.json", "{}\n");
    fixture.write("infra/new.ts", "export {};\n");
    const run = await gateProduction();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "  - other files change: .github/workflows/deploy.yml, infra/new.ts, package.json\n",
    );
  });

  test("a made-up digest in a mixed change is still named", async () => {
    fixture.write(
      "Pulumi.production.yaml",
      withEntries(
        `tag: "1.4.0"\n      digest: ${digest("f")}`,
        `web: { tag: 2.0.1, digest: "${digest("2")}" }`,
      ),
    );
    fixture.write("package.json", "{}\n");
    const run = await gateProduction();
    expect(run.stdout).toContain(`main-api: failed: ${digest("f")} is not what acceptance deployed`);
    expect(run.stderr).toBe(
      "error: gate production: 1 of 1 changed apps failed (main-api); and it is not a promotion\n",
    );
  });
});

test("compares with a commit of the base branch (as CI does with origin/main)", async () => {
  fixture.commit(
    {
      "Pulumi.production.yaml": withEntries(
        `tag: "1.4.0"\n      digest: ${digest("f")}`,
        `web: {tag: x, digest: ${digest("b")}}`,
      ),
    },
    "Bad promotion",
  );
  const run = await gate("production", "--base", "HEAD~1", "--outputs", outputs);
  expect(run.code).toBe(1);
  expect(run.stdout.split("\n")[1]).toMatch(/^main-api: failed: /);
  expect(run.stdout.split("\n")[2]).toMatch(/^web: failed: tag x does not match the tag acceptance deployed/);
});

test("in acceptance every changed entry needs a digest too, and no outputs are read", async () => {
  fixture.write(
    "Pulumi.acceptance.yaml",
    fixture.read("Pulumi.acceptance.yaml").replace("tag: 2.0.1", "tag: 2.0.2"),
  );
  expect(await gate("acceptance", "--base", "main", "--outputs", "missing.json")).toEqual({
    code: 1,
    stdout:
      "gate acceptance: a promotion: only image versions in Pulumi.acceptance.yaml change\nweb: failed: 2.0.2 has no digest; a gated change must pin tag@digest\n",
    stderr: "error: gate acceptance: 1 of 1 changed apps failed (web)\n",
  });
});

test("an unknown base ref", async () => {
  expect(await gate("production", "--base", "origin/mian")).toEqual({
    code: 2,
    stdout: "",
    stderr:
      "error: unknown git ref 'origin/mian'; pass a branch, tag or commit of this repository (in CI, fetch it first: git fetch origin <branch>)\n",
  });
});

test("a missing --base is a usage error", async () => {
  const run = await gate("production");
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("error: required option '--base <git-ref>' not specified");
});

test("a missing outputs file", async () => {
  fixture.write(
    "Pulumi.production.yaml",
    withEntries(
      `tag: "1.4.0"\n      digest: ${digest("a")}`,
      `web: { tag: 2.0.1, digest: "${digest("2")}" }`,
    ),
  );
  expect(await gate("production", "--base", "main", "--outputs", "nope.json")).toEqual({
    code: 2,
    stdout: "gate production: a promotion: only image versions in Pulumi.production.yaml change\n",
    stderr:
      "error: outputs file 'nope.json' not found; write it with: pulumi stack output --json --stack acceptance > nope.json\n",
  });
});

test("an invalid stack file in the working tree", async () => {
  fixture.write(
    "Pulumi.production.yaml",
    "config:\n  platform:images:\n    web: { tag: 1.0.0, digest: sha256:12 }\n",
  );
  expect(await gateProduction()).toEqual({
    code: 2,
    stdout: "",
    stderr:
      "error: Pulumi.production.yaml is not valid:\n  - platform:images.web.digest: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars) (line 3)\n",
  });
});

test("a stack file new since the base: not a promotion, and every entry is checked", async () => {
  fixture.cleanup();
  fixture = createGitFixture({ "Pulumi.acceptance.yaml": acceptanceFile });
  fixture.write("Pulumi.production.yaml", productionFile);
  outputs = path.join(fixture.root, "outputs.json");
  writeFileSync(outputs, JSON.stringify({ images: { "main-api": { tag: "1.3.0", digest: digest("1") } } }));
  const run = await gate("production", "--base", "main", "--outputs", outputs);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe(
    `gate production: not a promotion:\n  - Pulumi.production.yaml is new: a new environment is not a promotion\nA promotion pull request changes image versions in the stack file and nothing else. Anything else takes the ordinary review path: its own pull request, reviewed by the code owners.\nmain-api: passed: 1.3.0@${digest("1")} is what acceptance deployed\nweb: failed: acceptance has not deployed web (no images.web in its stack outputs); release and deploy it there first\n`,
  );
});

describe("the base's stack file names an app the catalog no longer has (removed from apps/catalog.ts)", () => {
  const retired = `    billing-api: { tag: 3.1.0, digest: "${digest("9")}" }\n`;
  beforeEach(() => {
    // The base: production ran billing-api; the pull request removes it from catalog and stack file.
    fixture.commit(
      {
        "Pulumi.production.yaml": productionFile.replace(
          "  azure-native:clientSecret",
          `${retired}\n  azure-native:clientSecret`,
        ),
      },
      "Production runs billing-api",
    );
    fixture.write("Pulumi.production.yaml", productionFile);
  });

  test("the removal is reported, and refused without --allow-removal (no 'unknown app' exit 2)", async () => {
    expect(await gateProduction()).toEqual({
      code: 1,
      stdout: [
        "gate production: not a promotion:",
        "  - removes billing-api (a promotion may remove an app only with --allow-removal)",
        "A promotion pull request changes image versions in the stack file and nothing else. Anything else takes the ordinary review path: its own pull request, reviewed by the code owners.",
        "billing-api: passed: removed from the catalog (apps/catalog.ts), nothing to deploy",
        "",
      ].join("\n"),
      stderr: "error: gate production: not a promotion\n",
    });
  });

  test("with --allow-removal it passes, naming the app", async () => {
    expect(await gate("production", "--base", "main", "--outputs", outputs, "--allow-removal")).toEqual({
      code: 0,
      stdout: [
        "gate production: a promotion: only image versions in Pulumi.production.yaml change",
        "gate production: removal of billing-api allowed by --allow-removal",
        "billing-api: passed: removed from the catalog (apps/catalog.ts), nothing to deploy",
        "gate production: 1 changed app passed",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  test("a bad entry of an app the catalog still has is still refused at the base", async () => {
    fixture.commit(
      {
        "Pulumi.production.yaml": productionFile
          .replace(`digest: "${digest("2")}"`, 'digest: "sha256:12"')
          .replace("  azure-native:clientSecret", `${retired}\n  azure-native:clientSecret`),
      },
      "A bad web digest",
    );
    const run = await gateProduction();
    expect([run.code, run.stderr]).toEqual([
      2,
      "error: Pulumi.production.yaml at main is not valid:\n  - platform:images.web.digest: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars) (line 8)\n",
    ]);
  });
});
