import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { projectCopy, promotedProductionStackFile } from "../../test/project-copy";
import { runCli } from "../../test/run-cli";

const env = { PATH: process.env["PATH"] ?? "" };
const newDigest = `sha256:${"c".repeat(64)}`;
let copy: ReturnType<typeof projectCopy>;

beforeEach(() => {
  copy = projectCopy({ "Pulumi.production.yaml": promotedProductionStackFile });
});
afterEach(() => copy.remove());

function edit(file: string, from: string, to: string): void {
  const full = path.join(copy.dir, file);
  const text = readFileSync(full, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(full, text.replace(from, to));
}

/** A promotion of web: a new tag and digest in production's stack file. */
function promoteWeb(): void {
  edit(
    "Pulumi.production.yaml",
    'tag: "2.0.1"\n      digest: sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b',
    `tag: "2.1.0"\n      digest: ${newDigest}`,
  );
}

test("a promotion that changes only an image passes --only-images and shows the image moving", async () => {
  promoteWeb();
  const { code, stdout, stderr } = await runCli(
    ["diff", "production", "--base", "main", "--only-images"],
    copy.dir,
    env,
  );
  expect([code, stderr]).toEqual([0, ""]);
  expect(stdout).toContain("~ kubernetes:apps/v1:Deployment web\n");
  expect(stdout).toContain(
    `    spec.template.spec.containers.0.image: contosoplatformacr.azurecr.io/web:2.0.1@sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b → contosoplatformacr.azurecr.io/web:2.1.0@${newDigest}\n`,
  );
  expect(stdout.endsWith("only image references change\n")).toBe(true);
});

test("a change that also resizes the database fails --only-images, naming the SKU", async () => {
  promoteWeb();
  edit(
    "environments/production.ts",
    'sku: { name: "Standard_D2ads_v5", tier: "GeneralPurpose" }',
    'sku: { name: "Standard_D4ads_v5", tier: "GeneralPurpose" }',
  );
  const { code, stdout } = await runCli(
    ["diff", "production", "--base", "main", "--only-images"],
    copy.dir,
    env,
  );
  expect(code).toBe(1);
  const beyond = stdout.slice(stdout.indexOf("changes beyond image references"));
  expect(beyond).toBe(
    "changes beyond image references (not allowed in a promotion):\n~ azure-native:dbformysql:Server mysql-server\n    sku.name: Standard_D2ads_v5 → Standard_D4ads_v5\n",
  );
});

test("without --only-images a diff reports and exits 0; no change at all says so", async () => {
  const { code, stdout } = await runCli(["diff", "acceptance", "--base", "HEAD"], copy.dir, env);
  expect([code, stdout]).toEqual([0, "acceptance: HEAD → working tree\nno changes\n"]);
});

test("a git ref that does not exist: exit 2 and what to name instead", async () => {
  expect(await runCli(["diff", "production", "--base", "no-such-branch"], copy.dir, env)).toEqual({
    code: 2,
    stdout: "",
    stderr:
      "error: git ref 'no-such-branch' does not exist; name a branch, tag or commit of this repository\n",
  });
});
