import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { projectCopy } from "../test/project-copy";

// bin/ensure-built.js compiles only the sources whose content changed since the build it starts
// from (decision 0078): the copies the tests plan start from this checkout's dist/.

let copy: ReturnType<typeof projectCopy>;
beforeEach(() => {
  copy = projectCopy();
});
afterEach(() => copy.remove());

const build = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(copy.dir, "bin", "ensure-built.js"), ...args], {
    cwd: copy.dir,
    encoding: "utf8",
  });
const output = (source: string) => path.join(copy.dir, "dist", source.replace(/\.ts$/, ".js"));
/** When each output was last written (nanoseconds), by source. */
const writtenAt = (...sources: string[]) =>
  Object.fromEntries(sources.map((source) => [source, statSync(output(source), { bigint: true }).mtimeNs]));

const untouched = ["index.ts", "infra/network.ts", "apps/catalog.ts"];

test("an edited source is compiled again, alone, into what a full build makes of it", () => {
  build();
  const before = writtenAt(...untouched, "lib/values.ts");
  appendFileSync(path.join(copy.dir, "lib/values.ts"), "\nexport const edited = 42;\n");
  build();
  const after = writtenAt(...untouched, "lib/values.ts");
  for (const source of untouched) expect([source, after[source]]).toEqual([source, before[source]]);
  expect(after["lib/values.ts"]).not.toBe(before["lib/values.ts"]);
  const incremental = readFileSync(output("lib/values.ts"), "utf8");
  expect(incremental).toContain("const edited = 42;");
  build("--rebuild");
  expect(readFileSync(output("lib/values.ts"), "utf8")).toBe(incremental);
  expect(writtenAt("index.ts")["index.ts"]).not.toBe(before["index.ts"]);
});

test("a source that is gone takes its outputs with it; what the build never wrote stays", () => {
  build();
  rmSync(path.join(copy.dir, "infra/redis-cache.mock.ts"));
  writeFileSync(path.join(copy.dir, "dist", "infra", "kept.js"), "// not the build's\n");
  // The removal alone changes no mtime: the next plan's build is what a new source would start.
  appendFileSync(path.join(copy.dir, "index.ts"), "\n");
  build();
  expect(existsSync(output("infra/redis-cache.mock.ts"))).toBe(false);
  expect(existsSync(`${output("infra/redis-cache.mock.ts")}.map`)).toBe(false);
  expect(existsSync(path.join(copy.dir, "dist", "infra", "kept.js"))).toBe(true);
});

test("another way of compiling (tsconfig.build.json's target) compiles every source again", () => {
  build();
  const before = writtenAt(...untouched);
  const config = path.join(copy.dir, "tsconfig.build.json");
  const parsed = JSON.parse(readFileSync(config, "utf8")) as { compilerOptions?: Record<string, unknown> };
  writeFileSync(
    config,
    JSON.stringify({ ...parsed, compilerOptions: { ...parsed.compilerOptions, target: "ES2020" } }),
  );
  appendFileSync(path.join(copy.dir, "index.ts"), "\n");
  build();
  const after = writtenAt(...untouched);
  for (const source of untouched) expect([source, after[source]]).not.toEqual([source, before[source]]);
});

test("a build that fails midway lists no source whose output it had begun to rewrite", () => {
  build();
  appendFileSync(path.join(copy.dir, "apps/catalog.ts"), "\n// edited\n");
  appendFileSync(path.join(copy.dir, "lib/values.ts"), "\nconst broken = ;\n");
  expect(() => build()).toThrow(/lib\/values\.ts is not valid TypeScript/);
  const { sources } = JSON.parse(
    readFileSync(path.join(copy.dir, "dist", ".build-manifest.json"), "utf8"),
  ) as {
    sources: Record<string, string>;
  };
  // apps/catalog.js was rewritten before the failure: listed under its old hash, a copy of this
  // dist/ would take the new output for the old source.
  expect(Object.keys(sources)).not.toContain("apps/catalog.ts");
  expect(Object.keys(sources)).not.toContain("lib/values.ts");
  expect(Object.keys(sources)).toContain("index.ts");
});
