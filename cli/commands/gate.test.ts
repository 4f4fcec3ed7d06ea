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
      `main-api: failed: ${digest("f")} is not what acceptance deployed (acceptance runs 1.4.0@${digest("a")}); copy it with: platform promote acceptance production --app main-api`,
      "web: failed: 2.0.2 has no digest; a gated change must pin tag@digest; copy it with: platform promote acceptance production --app web",
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
    `main-api: passed: 1.4.0@${digest("a")} is what acceptance deployed\ngate production: 1 changed app passed\n`,
  );
});

test("nothing changed: nothing to check, and no outputs needed", async () => {
  expect(await gate("production", "--base", "main")).toEqual({
    code: 0,
    stdout: "gate production: no image changes between main and the working tree; nothing to check\n",
    stderr: "",
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
  expect(run.stdout.split("\n")[0]).toMatch(/^main-api: failed: /);
  expect(run.stdout.split("\n")[1]).toMatch(/^web: failed: tag x does not match the tag acceptance deployed/);
});

test("in acceptance every changed entry needs a digest too, and no outputs are read", async () => {
  fixture.write(
    "Pulumi.acceptance.yaml",
    fixture.read("Pulumi.acceptance.yaml").replace("tag: 2.0.1", "tag: 2.0.2"),
  );
  expect(await gate("acceptance", "--base", "main", "--outputs", "missing.json")).toEqual({
    code: 1,
    stdout: "web: failed: 2.0.2 has no digest; a gated change must pin tag@digest\n",
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
    stdout: "",
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

test("a stack file new since the base: every entry is checked", async () => {
  fixture.cleanup();
  fixture = createGitFixture({ "Pulumi.acceptance.yaml": acceptanceFile });
  fixture.write("Pulumi.production.yaml", productionFile);
  outputs = path.join(fixture.root, "outputs.json");
  writeFileSync(outputs, JSON.stringify({ images: { "main-api": { tag: "1.3.0", digest: digest("1") } } }));
  const run = await gate("production", "--base", "main", "--outputs", outputs);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe(
    `main-api: passed: 1.3.0@${digest("1")} is what acceptance deployed\nweb: failed: acceptance has not deployed web (no images.web in its stack outputs); release and deploy it there first\n`,
  );
});
