import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { planKey } from "./shared-plan-runs";

// A shared plan is only as right as its key: anything the program can read must change it.
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "plan-key-"));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const files = {
  "package.json": "{}",
  "index.ts": "export {};\n",
  "infra/network.ts": "// a component\n",
  ".github/required-checks.json": "[]\n",
  "bootstrap/Pulumi.yaml": "name: bootstrap\n",
};
const request = (dir: string, extra: object = {}) => ({
  dir,
  stack: "acceptance",
  config: { "platform:images": "{}" },
  timeoutSeconds: 120,
  ...extra,
});

test("two copies with the same files share a key; the time limit is not part of it", () => {
  const [first, second] = [project(files), project(files)];
  expect(planKey(request(first))).toBe(planKey(request(second, { timeoutSeconds: 5 })));
});

test("a changed, added or renamed file of the program, or any request field, changes the key", () => {
  const key = planKey(request(project(files)));
  const variants = [
    project({ ...files, "infra/network.ts": "// changed\n" }),
    project({ ...files, "infra/extra.ts": "" }),
    project({
      ...Object.fromEntries(Object.entries(files).filter(([f]) => f !== "index.ts")),
      "main.ts": "export {};\n",
    }),
  ].map((dir) => planKey(request(dir)));
  const base = project(files);
  const requests = [
    request(base, { stack: "production" }),
    request(base, { config: { "platform:images": '{"web":{"tag":"1.0.0"}}' } }),
    request(base, { preview: true }),
    request(base, { world: { stacks: {}, registryLogins: [], registryImages: {} } }),
  ].map(planKey);
  expect(new Set([key, ...variants, ...requests]).size).toBe(1 + variants.length + requests.length);
});

test("a program below its package is keyed by the whole package: bootstrap/ reads ../.github", () => {
  const [first, second] = [project(files), project({ ...files, ".github/required-checks.json": '["x"]\n' })];
  const bootstrap = (dir: string) => planKey(request(path.join(dir, "bootstrap"), { stack: "shared" }));
  expect(bootstrap(first)).not.toBe(bootstrap(second));
  expect(bootstrap(first)).not.toBe(planKey(request(first, { stack: "shared" })));
});

test("node_modules, dist/ and .git are not the program's own files", () => {
  const [first, second] = [project(files), project(files)];
  mkdirSync(path.join(second, "dist"));
  writeFileSync(path.join(second, "dist", "index.js"), "built");
  mkdirSync(path.join(second, ".git"));
  writeFileSync(path.join(second, ".git", "HEAD"), "ref: refs/heads/main\n");
  symlinkSync(tmpdir(), path.join(second, "node_modules"));
  expect(planKey(request(first))).toBe(planKey(request(second)));
});
