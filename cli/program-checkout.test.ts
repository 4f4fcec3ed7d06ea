import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { projectCopy } from "../test/project-copy";
import { createGit } from "./git";
import { checkOutProgram } from "./program-checkout";

// A checkout of another commit (diff's base, plan --at) starts its build from this checkout's
// dist/ only when both build with the same bin/ensure-built.js (decision 0078): another builder
// would not remove the outputs of the sources its commit lacks, and the plan runner loads a
// project's infra/fakes and apps/catalog by name.

let copy: ReturnType<typeof projectCopy>;
let checkout: string;
beforeEach(() => {
  copy = projectCopy();
  checkout = mkdtempSync(path.join(tmpdir(), "platform-checkout-"));
});
afterEach(() => {
  copy.remove();
  rmSync(checkout, { recursive: true, force: true });
});

/** Commits a source that only the working tree has, builds the working tree, returns the base. */
function addSourceAndBuild(): string {
  const base = copy.git("rev-parse", "HEAD").trim();
  writeFileSync(path.join(copy.dir, "infra", "extra.ts"), "export const extra = 1;\n");
  copy.git("add", "--all");
  copy.git("commit", "--quiet", "-m", "An extra source");
  execFileSync(process.execPath, [path.join(copy.dir, "bin", "ensure-built.js")], { cwd: copy.dir });
  expect(existsSync(path.join(copy.dir, "dist", "infra", "extra.js"))).toBe(true);
  // No build writes or removes it: in the checkout's dist/ only if that started as a copy of this one.
  writeFileSync(path.join(copy.dir, "dist", seedMark), "");
  return base;
}
const seedMark = "seeded-from-the-working-tree";

test("the same builder: the working tree's build is the start, and the sources the commit lacks leave", async () => {
  const base = addSourceAndBuild();
  await checkOutProgram(createGit(copy.dir, process.env), base, checkout, copy.dir);
  expect(existsSync(path.join(checkout, "dist", seedMark))).toBe(true);
  expect(existsSync(path.join(checkout, "dist", "infra", "extra.js"))).toBe(false);
  expect(readFileSync(path.join(checkout, "dist", "index.js"), "utf8")).toBe(
    readFileSync(path.join(copy.dir, "dist", "index.js"), "utf8"),
  );
  const manifest = JSON.parse(readFileSync(path.join(checkout, "dist", ".build-manifest.json"), "utf8")) as {
    sources: Record<string, string>;
  };
  expect(Object.keys(manifest.sources)).not.toContain("infra/extra.ts");
});

test("another builder builds from nothing: nothing of the working tree's build is in its dist/", async () => {
  const base = copy.git("rev-parse", "HEAD").trim();
  appendFileSync(path.join(copy.dir, "bin", "ensure-built.js"), "\n// another builder\n");
  addSourceAndBuild();
  await checkOutProgram(createGit(copy.dir, process.env), base, checkout, copy.dir);
  expect(existsSync(path.join(checkout, "dist", seedMark))).toBe(false);
  expect(existsSync(path.join(checkout, "dist", "infra", "extra.js"))).toBe(false);
  expect(existsSync(path.join(checkout, "dist", "index.js"))).toBe(true);
});
