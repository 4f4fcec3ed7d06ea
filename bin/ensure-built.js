// Keeps dist/ (the compiled program and CLI) in step with the sources: rebuilds it when a source
// file is newer than the last build, so that nothing ever runs code older than what is on disk.
// A build compiles only the sources whose content changed (decision 0078).
// Used by bin/platform.js and bin/pulumi-program.js; `node bin/ensure-built.js` builds if needed,
// `node bin/ensure-built.js --rebuild` (npm run build) always, every source.
//
// The build transpiles each file on its own with swc (docs/decisions/0022): about 0.2 s, where
// `tsc` took 7-9 s of CPU loading the provider SDKs' declarations only to strip types. swc checks
// no types; `npm test` and CI run the strict type-check (`tsc -p tsconfig.check.json`), and
// tsconfig.json's `isolatedModules` makes tsc refuse what a per-file transpiler would get wrong.
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const dist = path.join(root, "dist");
const stamp = path.join(dist, ".build-stamp");
/**
 * What the last build compiled: the key of how it compiled ({@link buildKey}) and each source's
 * content hash. A build transpiles only the sources whose content changed since, and removes the
 * outputs of sources that are gone (docs/decisions/0078).
 */
const manifestFile = path.join(dist, ".build-manifest.json");
// Every folder built into dist/ (policy/ too: policy/program.js runs dist/policy), with index.ts:
// what tsconfig.build.json includes, less tests, test/ and scripts/.
const sourceDirs = [
  "apps",
  "bootstrap",
  "cli",
  "engine",
  "environments",
  "infra",
  "lib",
  "policy",
  "stack-config",
];

const isSource = (name) => name.endsWith(".ts") && !name.endsWith(".d.ts");

/** Every .ts file of index.ts and the source folders, tests too, as paths relative to the root. */
function typeScriptFiles() {
  const files = ["index.ts"];
  const visit = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(relative);
      else if (entry.name.endsWith(".ts")) files.push(relative);
    }
  };
  for (const dir of sourceDirs) if (fs.existsSync(path.join(root, dir))) visit(dir);
  return files;
}

/** The files dist/ is built from: the sources, without tests and declarations. */
const sourceFiles = () =>
  typeScriptFiles().filter((file) => isSource(path.basename(file)) && !file.endsWith(".test.ts"));

/** The newest modification time of a .ts file (tests too: the old rule, and cheap). */
const newestSource = () =>
  Math.max(...typeScriptFiles().map((file) => fs.statSync(path.join(root, file)).mtimeMs));

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Writes a file through a temporary name: a process starting from dist/ while another rebuilds it
 * (two plans side by side in a fresh copy) reads the old file or the new one, never half of one.
 */
function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/**
 * The compiler options of tsconfig.build.json, its `extends` chain merged: the one place that
 * says how dist/ is compiled, for swc here as for the editor and the type-check.
 */
function buildOptions() {
  let options = {};
  for (let config = "tsconfig.build.json"; config;) {
    const parsed = JSON.parse(fs.readFileSync(path.join(root, config), "utf8"));
    options = { ...parsed.compilerOptions, ...options };
    config = parsed.extends;
  }
  // What swc's options below translate; anything else would silently compile differently.
  const expected = { module: "commonjs", esModuleInterop: true, isolatedModules: true };
  for (const [key, value] of Object.entries(expected)) {
    if (String(options[key]).toLowerCase() !== String(value).toLowerCase()) {
      throw new Error(
        `tsconfig.build.json: ${key} is ${JSON.stringify(options[key])}; bin/ensure-built.js compiles with swc for ${key} ${JSON.stringify(value)} only`,
      );
    }
  }
  return options;
}

/**
 * swc's options for what tsc gave with those options: CommonJS with esModuleInterop, the target's
 * class fields (defined, as ES2022 defines them), a source map per file unless turned off.
 */
const swcOptions = (compilerOptions, file, output) => ({
  filename: file,
  swcrc: false,
  configFile: false,
  sourceMaps: compilerOptions.sourceMap === true,
  inlineSourcesContent: false,
  sourceFileName: path.relative(path.dirname(output), file),
  jsc: {
    parser: { syntax: "typescript" },
    target: String(compilerOptions.target).toLowerCase(),
    keepClassNames: true,
    transform: { useDefineForClassFields: compilerOptions.useDefineForClassFields ?? true },
  },
  module: { type: "commonjs" },
});

/** A source that does not compile: its message is for the user as it is (one line, no trace). */
class BuildError extends Error {
  constructor(message) {
    super(message);
    this.name = "BuildError";
  }
}

/**
 * swc's report of a syntax error, as one line: "Expression expected (line 170, column 11)". Its
 * message holds a code frame and a Rust backtrace of the compiler, which say nothing to a user.
 */
function swcProblem(message) {
  const lines = message.split("\n");
  const what = lines.map((line) => /^\s*x (.+)$/.exec(line)?.[1]).find((found) => found !== undefined);
  const caret = lines.findIndex((line) => /^\s*:\s*\^/.test(line));
  const source = caret > 0 ? /^\s*(\d+) \| /.exec(lines[caret - 1]) : null;
  const at = source ? ` (line ${source[1]}, column ${lines[caret].indexOf("^") - source[0].length + 1})` : "";
  return `${what ?? lines.find((line) => line.trim() !== "")?.trim() ?? "swc failed"}${at}`;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/**
 * Everything besides a source that decides its output: this builder's own code (how it
 * compiles), swc's version and the merged compiler options. Another key recompiles every source.
 */
const buildKey = (swc, compilerOptions) =>
  sha256(
    `${fs.readFileSync(path.join(__dirname, "ensure-built.js"), "utf8")}\0${swc.version}\0${JSON.stringify(compilerOptions)}`,
  );

/** What the last build's manifest lists: its key and its sources' hashes (none when unreadable). */
function previousBuild() {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    const sources = typeof manifest.sources === "object" && manifest.sources !== null ? manifest.sources : {};
    return { key: manifest.key, sources };
  } catch {
    return { key: undefined, sources: {} };
  }
}

/** A source's outputs in dist/: x.ts → x.js and, with source maps, x.js.map. */
const outputsOf = (source, sourceMaps) => {
  const output = path.join(dist, source.replace(/\.ts$/, ".js"));
  return sourceMaps ? [output, `${output}.map`] : [output];
};

/**
 * Transpiles into dist/ (x.ts → x.js and x.js.map) every source whose content the last build did
 * not compile with the same key, removes the outputs of the sources it compiled that are gone, and
 * stamps the build. The outputs depend on nothing else (each file is transpiled on its own, its
 * map names its source by a relative path), so a dist/ copied from another checkout is as good a
 * start as its own (test/project-copy.ts, cli/program-checkout.ts).
 */
function build(full = false) {
  const swc = require(require.resolve("@swc/core", { paths: [root] }));
  const compilerOptions = buildOptions();
  const sourceMaps = compilerOptions.sourceMap === true;
  const key = buildKey(swc, compilerOptions);
  const before = previousBuild();
  // Its outputs stand for their sources only when built the same way, and not for --rebuild.
  const previous = full || before.key !== key ? {} : before.sources;
  const sources = new Map(
    sourceFiles().map((source) => {
      const text = fs.readFileSync(path.join(root, source), "utf8");
      return [source, { text, hash: sha256(text) }];
    }),
  );
  const hashes = [...sources].map(([source, { hash }]) => [source, hash]);
  const current = (source) =>
    previous[source] === sources.get(source).hash &&
    outputsOf(source, sourceMaps).every((output) => fs.existsSync(output));
  const stale = new Set([...sources.keys()].filter((source) => !current(source)));
  // First the manifest of what stays as it is: a dist/ read (or copied) while this build rewrites
  // outputs never lists an output under a hash it no longer matches.
  const manifest = (listed) =>
    writeAtomically(manifestFile, `${JSON.stringify({ key, sources: Object.fromEntries(listed) })}\n`);
  fs.mkdirSync(dist, { recursive: true });
  if (stale.size > 0) manifest(hashes.filter(([source]) => !stale.has(source)));
  for (const source of stale) {
    const file = path.join(root, source);
    const [output] = outputsOf(source, sourceMaps);
    let transformed;
    try {
      transformed = swc.transformSync(sources.get(source).text, swcOptions(compilerOptions, file, output));
    } catch (error) {
      throw new BuildError(
        `${source} is not valid TypeScript: ${swcProblem(String(error?.message ?? error))}; fix it, then run again`,
      );
    }
    const { code, map } = transformed;
    fs.mkdirSync(path.dirname(output), { recursive: true });
    if (map === undefined) writeAtomically(output, `${code}\n`);
    else {
      writeAtomically(output, `${code}\n//# sourceMappingURL=${path.basename(output)}.map\n`);
      writeAtomically(`${output}.map`, map);
    }
  }
  // Only what a build of this kind wrote: a module whose source is gone must not load (the plan
  // runner loads a project's infra/fakes and apps/catalog when they exist).
  for (const source of Object.keys(before.sources)) {
    if (!sources.has(source)) {
      for (const output of outputsOf(source, sourceMaps)) fs.rmSync(output, { force: true });
    }
  }
  manifest(hashes);
  fs.writeFileSync(stamp, "");
}

/**
 * Builds dist/ when it is missing or older than a source, the sources that changed; with
 * `rebuild`, every source. Returns its path.
 */
function ensureBuilt(rebuild = false) {
  if (rebuild || builtAt() < newestSource()) build(rebuild);
  return dist;
}

module.exports = { ensureBuilt, BuildError };

if (require.main === module) {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== "--rebuild");
  if (unknown.length > 0) {
    process.stderr.write(
      `ensure-built: unknown argument ${unknown.join(" ")}; the only option is --rebuild\n`,
    );
    process.exitCode = 2;
  } else {
    try {
      ensureBuilt(args.includes("--rebuild"));
    } catch (error) {
      if (!(error instanceof BuildError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 2;
    }
  }
}
