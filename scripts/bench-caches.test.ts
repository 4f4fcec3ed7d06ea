import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

// Each run `npm run bench -- tests` measures starts with the caches npm test fills empty
// (scripts/bench-caches.js), in this tree as in the base's checkout.
interface BenchCaches {
  emptyCaches: (
    dir: string,
    env?: NodeJS.ProcessEnv,
    fills?: { readonly prettier?: boolean },
  ) => { readonly env: NodeJS.ProcessEnv; readonly remove: () => void };
}
const { emptyCaches } = jest.requireActual<BenchCaches>("./bench-caches");

let tree: string;
beforeEach(() => {
  tree = mkdtempSync(path.join(tmpdir(), "platform-bench-caches-"));
  mkdirSync(path.join(tree, "node_modules", ".cache", "prettier"), { recursive: true });
  writeFileSync(path.join(tree, "node_modules", ".cache", "prettier", ".prettier-cache"), "{}");
  mkdirSync(path.join(tree, "node_modules", ".cache", "other"));
});
afterEach(() => rmSync(tree, { recursive: true, force: true }));

test("Prettier's cache goes, TMPDIR is a new empty directory, Node's compile cache follows it, the rest stays", () => {
  const { env, remove } = emptyCaches(tree, {
    PATH: "/usr/bin",
    NODE_COMPILE_CACHE: "/var/cache/node",
    TMPDIR: tree,
  });
  try {
    expect(readdirSync(path.join(tree, "node_modules", ".cache"))).toEqual(["other"]);
    expect(env["NODE_COMPILE_CACHE"]).toBeUndefined();
    expect(env["PATH"]).toBe("/usr/bin");
    // Under the TMPDIR it was given: a user's choice of scratch disk stands.
    expect(path.dirname(env["TMPDIR"]!)).toBe(tree);
    expect(readdirSync(env["TMPDIR"]!)).toEqual([]);
  } finally {
    remove();
  }
  expect(existsSync(env["TMPDIR"]!)).toBe(false);
});

test("without a TMPDIR, the new directory is where npm test keeps its scratch files (/dev/shm when it can)", () => {
  const { env, remove } = emptyCaches(tree, { PATH: "/usr/bin" });
  try {
    expect(["/dev/shm", tmpdir()]).toContain(path.dirname(env["TMPDIR"]!));
  } finally {
    remove();
  }
});

test("a run that fills no Prettier cache (the quick jest, inside npm test) leaves Prettier's alone", () => {
  const { env, remove } = emptyCaches(tree, { PATH: "/usr/bin", TMPDIR: tree }, { prettier: false });
  try {
    expect(readdirSync(path.join(tree, "node_modules", ".cache")).sort()).toEqual(["other", "prettier"]);
    expect(path.dirname(env["TMPDIR"]!)).toBe(tree);
  } finally {
    remove();
  }
});
