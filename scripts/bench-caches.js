// The caches `npm test` fills, emptied for each run that `npm run bench -- tests` measures, so
// that every run starts as CI's does on a clean clone: jest's transform cache and Node's compile
// cache (under TMPDIR, where scripts/test.js and test/global-setup.js put them) and Prettier's
// (node_modules/.cache/prettier, which a base checkout shares through its linked node_modules).
// Without this, a second run in the same clone found this tree's caches warm and the base's
// (a new checkout each time) cold: Prettier alone costs about 10 CPU-s with an empty cache and 2
// with a full one.
"use strict";
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");
const { scratchDir } = require("./test");

/**
 * The environment of one measured run in `dir` with every cache it fills empty: TMPDIR a new
 * directory where npm test would keep its scratch files (/dev/shm when it can), Node's compile
 * cache left to follow it, and Prettier's cache removed when the run fills it (`prettier`).
 * `remove()` deletes the directory after the run.
 */
function emptyCaches(dir, env = process.env, { prettier = true } = {}) {
  if (prettier)
    rmSync(path.join(dir, "node_modules", ".cache", "prettier"), { recursive: true, force: true });
  const scratch = mkdtempSync(path.join(scratchDir(env) ?? env.TMPDIR ?? tmpdir(), "bench-run-"));
  const fresh = { ...env, TMPDIR: scratch };
  delete fresh.NODE_COMPILE_CACHE;
  return {
    env: fresh,
    remove: () => rmSync(scratch, { recursive: true, force: true }),
  };
}

module.exports = { emptyCaches };
