// A throwaway copy of the project with N apps, for `npm run bench -- scale`: the program, CLI and
// stack files of a checkout (its tests and docs left out), with this checkout's node_modules
// linked in, in a git repository of its own. Apps beyond the catalog's are copies of its apps in
// turn (the catalog's first, second, ..., first again), each in its own folder under apps/ and in
// apps/catalog.ts, as a team adds one. Acceptance runs every app at a tag; production runs every
// app at a tag@digest, committed, and acceptance's outputs (a file, as `pulumi stack output
// --json` writes it) hold a newer version of each: a promotion of every app is pending.
"use strict";
const { execFileSync } = require("node:child_process");
const {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..");

/** What a copy needs to run `platform` (the CLI builds its dist/ from these on its first start). */
const projectFiles = [
  "bin",
  "index.ts",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
  "Pulumi.yaml",
  "apps",
  "bootstrap",
  "cli",
  "engine",
  "environments",
  "infra",
  "lib",
  "policy",
  "stack-config",
  ".github",
  ".gitignore",
];

/** A digest made of the app's index and the version: distinct per app and per version. */
const digestOf = (index, version) =>
  `sha256:${version.toString(16).padStart(4, "0")}${index.toString(16).padStart(60, "0")}`;

/** The stack files' names, as the project builds them (bench.js has built dist/ by now). */
const stackFiles = () => require(path.join(root, "dist", "stack-config", "stack-files.js"));

/** Replaces `pattern` in `text`, or fails naming what the catalog no longer looks like. */
function replaceOnce(text, pattern, replacement, what) {
  if (!pattern.test(text)) {
    throw new Error(`bench scale: ${what} not found; update scripts/bench-scale.js`);
  }
  return text.replace(pattern, replacement);
}

/**
 * Adds apps to the copy in `dir` until the catalog holds `count`; returns every app name, the
 * catalog's first. Each new app is a template app's folder with its names and hosts changed.
 */
function addApps(dir, count) {
  const catalogFile = path.join(dir, "apps", "catalog.ts");
  let catalog = readFileSync(catalogFile, "utf8");
  const record = /export const apps = checkedCatalog\(\{\n([^}]*)\}\);/.exec(catalog);
  if (!record)
    throw new Error("bench scale: apps/catalog.ts: no `export const apps = checkedCatalog({ ... });`");
  // Its entries: `  "main-api": mainApi,` or `  web,`.
  const templates = [...record[1].matchAll(/^\s+(?:"([^"]+)"|([\w$]+))\s*(?::[^,]*)?,$/gm)].map(
    (match) => match[1] ?? match[2],
  );
  const names = [...templates];
  const imports = [];
  const entries = [];
  for (let index = templates.length + 1; index <= count; index += 1) {
    const name = `app-${String(index).padStart(3, "0")}`;
    const identifier = `app${String(index).padStart(3, "0")}`;
    const template = templates[(index - 1) % templates.length];
    cpSync(path.join(dir, "apps", template), path.join(dir, "apps", name), { recursive: true });
    const file = path.join(dir, "apps", name, "app.ts");
    const source = readFileSync(file, "utf8")
      .replace(/export const \w+: AppDefinition/, `export const ${identifier}: AppDefinition`)
      .split(`"${template}"`)
      .join(`"${name}"`)
      .split(`apps/${template}`)
      .join(`apps/${name}`)
      .replace(/"([a-z0-9.-]*)example\.com"/g, `"${name}.$1example.com"`);
    writeFileSync(file, source);
    names.push(name);
    imports.push(`import { ${identifier} } from "./${name}/app";\n`);
    entries.push(`  "${name}": ${identifier},\n`);
  }
  catalog = imports.join("") + catalog;
  catalog = replaceOnce(
    catalog,
    /(export const apps = checkedCatalog\(\{\n[^}]*)\}\);/,
    (_, head) => `${head}${entries.join("")}});`,
    "apps/catalog.ts: the apps record",
  );
  writeFileSync(catalogFile, catalog);
  return names;
}

/**
 * Makes the copy in `dir` a pipeline of `count` environments: a checkout's own (two) with
 * `count - 2` (`stage-1`, ...) inserted between acceptance and production, as docs/changing.md
 * adds one: a settings file made from production's (its own name, resource group, address space
 * and maintenance window), its entry in environments/pipeline.ts, production's reviewers in the
 * bootstrap's config (where it names reviewers: decision 0041), and `null` (internal) in every
 * public app's `publicHost`. Returns the environments in pipeline order. At most 5 in all: the
 * maintenance windows between acceptance's (Monday 02:00, 4 h) and production's (Tuesday 02:00)
 * fit three more.
 */
function addEnvironments(dir, count) {
  // The copy's own pipeline: this checkout's (built), or the two of a commit before pipeline.ts.
  const own = existsSync(path.join(dir, "environments", "pipeline.ts"))
    ? require(path.join(root, "dist", "environments", "pipeline.js")).environmentNames
    : ["acceptance", "production"];
  if (count > 5) throw new Error(`bench scale: ${count} environments; at most 5 fit`);
  if (count <= own.length) return [...own];
  if (own.length !== 2) throw new Error(`bench scale: environments are inserted into a pipeline of two`);
  const stages = Array.from({ length: count - 2 }, (_, index) => `stage-${index + 1}`);
  const production = readFileSync(path.join(dir, "environments", "production.ts"), "utf8");
  const replace = (text, from, to) =>
    replaceOnce(
      text,
      new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
      to,
      `environments/production.ts: ${from}`,
    );
  stages.forEach((stage, index) => {
    let settings = production;
    for (const [from, to] of [
      ["export const production", `export const stage${index + 1}`],
      ['name: "production"', `name: "${stage}"`],
      ['"rg-platform-production"', `"rg-platform-${stage}"`],
      ['"10.20.0.0/16"', `"10.${31 + index}.0.0/16"`],
      [
        'dayOfWeek: "Tuesday", startTime: "02:00"',
        `dayOfWeek: "Monday", startTime: "${String(7 + 5 * index).padStart(2, "0")}:00"`,
      ],
    ])
      settings = replace(settings, from, to);
    writeFileSync(path.join(dir, "environments", `${stage}.ts`), settings);
  });
  const pipelineFile = path.join(dir, "environments", "pipeline.ts");
  let pipeline = readFileSync(pipelineFile, "utf8");
  pipeline = replaceOnce(
    pipeline,
    /import \{ production \} from "\.\/production";\n/,
    (line) =>
      line + stages.map((stage, index) => `import { stage${index + 1} } from "./${stage}";\n`).join(""),
    "environments/pipeline.ts: production's import",
  );
  pipeline = replaceOnce(
    pipeline,
    /\n {2}production,\n/,
    `\n${stages.map((stage, index) => `  "${stage}": stage${index + 1},\n`).join("")}  production,\n`,
    "environments/pipeline.ts: production's entry",
  );
  writeFileSync(pipelineFile, pipeline);
  // Its reviewers: production's, where the bootstrap names reviewers (a commit before decision
  // 0041 does not, and does not ask for them).
  const { bootstrapStackFile } = stackFiles();
  const bootstrapFile = path.join(dir, bootstrapStackFile);
  const bootstrap = readFileSync(bootstrapFile, "utf8");
  if (/^ +reviewers:$/m.test(bootstrap)) {
    const reviewers = replaceOnce(
      bootstrap,
      /^( +)production: (.+)\n/m,
      (line, indent, teams) => line + stages.map((stage) => `${indent}${stage}: ${teams}\n`).join(""),
      `${bootstrapStackFile}: production's reviewers`,
    );
    writeFileSync(bootstrapFile, reviewers);
  }
  // Every public app internal there (the catalog check wants each environment named).
  for (const app of readdirSync(path.join(dir, "apps"))) {
    const file = path.join(dir, "apps", app, "app.ts");
    if (!existsSync(file)) continue;
    const source = readFileSync(file, "utf8");
    const internal = stages.map((stage) => `"${stage}": null, `).join("");
    writeFileSync(file, source.replace(/publicHost: \{ /, `publicHost: { ${internal}`));
  }
  return ["acceptance", ...stages, "production"];
}

const imagesYaml = (names, version) =>
  names
    .map(
      (name, index) =>
        `    ${name}:\n      tag: "1.${version}.0"\n${version > 0 ? `      digest: ${digestOf(index + 1, version)}\n` : ""}`,
    )
    .join("");

const stackFile = (comment, names, version) =>
  `# ${comment}\nconfig:\n  azure-native:location: westeurope\n  platform:images:\n${imagesYaml(names, version)}`;

/**
 * Makes the copy, of the checkout in `source` (default: this one), with `count` apps and
 * `environmentCount` environments. Returns its directory, app names, environments, production's
 * upstream, the outputs file of that upstream (every app at version 3, which production does not
 * run yet), `restore()` (the working tree back to its commit, after a promote) and `remove()`.
 */
function scaleProject(count, source = root, environmentCount = 2) {
  const { stackFileName } = stackFiles();
  // The outputs file beside the project, not in it: gate counts every changed file.
  const scratch = mkdtempSync(path.join(tmpdir(), `bench-scale-${count}-`));
  const dir = path.join(scratch, "project");
  const notATest = (source) => !source.endsWith(".test.ts");
  for (const file of projectFiles) {
    cpSync(path.join(source, file), path.join(dir, file), { recursive: true, filter: notATest });
  }
  for (const file of readdirSync(source).filter((name) => /^Pulumi\.[^.]+\.yaml$/.test(name))) {
    cpSync(path.join(source, file), path.join(dir, file));
  }
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  const names = addApps(dir, count);
  const environments = addEnvironments(dir, environmentCount);
  // The environment production promotes from.
  const upstream = environments.at(-2);
  writeFileSync(
    path.join(dir, stackFileName("acceptance")),
    stackFile("Acceptance: every app at a tag.", names, 0),
  );
  // A throwaway repository: no auto-maintenance after each commit.
  const git = (...args) =>
    execFileSync("git", ["-c", "maintenance.auto=false", "-c", "gc.auto=0", ...args], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "bench",
        GIT_AUTHOR_EMAIL: "bench@example.invalid",
        GIT_COMMITTER_NAME: "bench",
        GIT_COMMITTER_EMAIL: "bench@example.invalid",
      },
    });
  git("init", "--quiet", "--initial-branch=main");
  // The history of every environment after the first: two promotions of every app, so that
  // status and gate read a history.
  for (const version of [1, 2]) {
    for (const environment of environments.slice(1)) {
      writeFileSync(
        path.join(dir, stackFileName(environment)),
        stackFile(`${environment}: tag@digest references its upstream ran.`, names, version),
      );
    }
    git("add", "--all");
    git("commit", "--quiet", "-m", `production at version ${version}`);
  }
  const outputs = path.join(scratch, `${upstream}-outputs.json`);
  const images = Object.fromEntries(
    names.map((name, index) => {
      const tag = "1.3.0";
      const digest = digestOf(index + 1, 3);
      return [name, { tag, digest, image: `contosoplatformacr.azurecr.io/${name}:${tag}@${digest}` }];
    }),
  );
  // As `pulumi stack output --json --stack <upstream>` prints them: they say whose they are.
  writeFileSync(outputs, JSON.stringify({ environmentName: upstream, images }));
  // Built once here (as after npm ci), not within the first measured command.
  execFileSync(process.execPath, [path.join(dir, "bin", "ensure-built.js")], { cwd: dir, stdio: "inherit" });
  return {
    dir,
    names,
    environments,
    upstream,
    outputs,
    restore: () => git("checkout", "--quiet", "--", "."),
    remove: () => rmSync(scratch, { recursive: true, force: true }),
  };
}

module.exports = { scaleProject };
