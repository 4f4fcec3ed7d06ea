import { processOutputSync } from "./worker-processes";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { environmentNames } from "../environments/pipeline";
import { createGitFixtureWithHistory, digest, refCommit, type GitFixture } from "./git-fixture";
import { first, last } from "./pipeline-names";
import { stackFileName } from "../stack-config/stack-files";
import { root } from "./program";

/** A stack file whose entries are given as YAML lines under `platform:images`. */
export const stackFile = (environment: string, entries: readonly string[]): string =>
  `# ${environment}\nconfig:\n  azure-native:location: westeurope\n  platform:images:\n${entries.map((line) => `    ${line}\n`).join("")}`;

const entry = (app: string, tag: string, hex?: string) =>
  hex === undefined ? `${app}: { tag: "${tag}" }` : `${app}: { tag: "${tag}", digest: ${digest(hex)} }`;

/** A repository with a history of releases, promotions and program changes, and its commits. */
export interface ReleaseHistory {
  readonly fixture: GitFixture;
  /** The commits of main's first-parent history, by name. */
  readonly commits: Readonly<Record<string, string>>;
  /** The environment the CLI runs with: the fixture's, with a fake `az` first on PATH. */
  readonly env: Record<string, string>;
  /**
   * Sets what the fake registry holds: `app:tag` → digest; null: `az` is not logged in; a
   * string: what `az` prints to stderr before it exits 1.
   */
  setRegistry(images: Readonly<Record<string, string>> | null | string): void;
  /** Commits on main at a fixed date (2026-01-<day> 10:00 UTC) and pushes. */
  commitAt(day: number, files: Readonly<Record<string, string>>, message: string, author?: string): string;
}

/**
 * main's history (first parent), a day apart:
 *
 * - `start` (day 1): production runs main-api 1.3.0@1…, web 2.0.1@2…; acceptance builds both.
 * - `release` (day 2): acceptance main-api 1.4.0 (a tag: acceptance builds it).
 * - `promote14` (day 3): production main-api 1.4.0@a….
 * - `program` (day 4): a program change (index.ts), by Alice.
 * - `docs` (day 5): only docs and acceptance's stack file (web 2.0.2).
 * - `promote15` (day 6): a merge commit of a branch that pinned main-api 1.5.0@e… first, then
 *   1.5.0@c…, web 2.0.2@b… and customer-api 0.9.3@f…: only the merge is production's version.
 */
export function createReleaseHistory(): ReleaseHistory {
  const production = (mainApi: [string, string], web: [string, string]) =>
    stackFile("production", [entry("main-api", ...mainApi), entry("web", ...web)]);
  const acceptance = (mainApi: string, web: string) =>
    stackFile("acceptance", [entry("main-api", mainApi), entry("web", web)]);
  const read = (file: string) => readFileSync(path.join(root, file), "utf8");
  const day = (day: number, hour = 10) => `2026-01-${String(day).padStart(2, "0")}T${hour}:00:00Z`;

  // As commits on main, each pushed, and a pull request branch merged with a merge commit, would
  // leave it (written at once by git fast-import; the ids are the ones those commits would have).
  const built = createGitFixtureWithHistory([
    { files: { "README.md": "# platform\n" }, message: "Initial commit" },
    {
      files: {
        "Pulumi.production.yaml": production(["1.3.0", "1"], ["2.0.1", "2"]),
        "Pulumi.acceptance.yaml": acceptance("1.3.0", "2.0.1"),
        // An environment between the first and the last runs what the last runs at the start.
        ...Object.fromEntries(
          environmentNames
            .filter((env) => env !== first && env !== last)
            .map((env) => [
              stackFileName(env),
              stackFile(env, [entry("main-api", "1.3.0", "1"), entry("web", "2.0.1", "2")]),
            ]),
        ),
        "bootstrap/Pulumi.shared.yaml": read("bootstrap/Pulumi.shared.yaml"),
        ".github/stack-filters.yml": read(".github/stack-filters.yml"),
        "index.ts": "// the program\n",
      },
      message: "Start",
      date: day(1),
    },
    {
      files: { "Pulumi.acceptance.yaml": acceptance("1.4.0", "2.0.1") },
      message: "Release main-api 1.4.0",
      date: day(2),
    },
    {
      files: { "Pulumi.production.yaml": production(["1.4.0", "a"], ["2.0.1", "2"]) },
      message: "Promote to production: main-api 1.3.0 → 1.4.0",
      date: day(3),
    },
    {
      files: { "index.ts": "// the program, resized\n" },
      message: "Resize the database",
      date: day(4),
      author: "Alice",
    },
    {
      files: { "docs/notes.md": "notes\n", "Pulumi.acceptance.yaml": acceptance("1.4.0", "2.0.2") },
      message: "Release web 2.0.2, notes",
      date: day(5),
    },
    // The pull request branch `promote`, from `docs`: two commits.
    {
      files: { "Pulumi.production.yaml": production(["1.5.0", "e"], ["2.0.1", "2"]) },
      message: "WIP",
      date: day(6),
    },
    {
      files: {
        "Pulumi.production.yaml": `${production(["1.5.0", "c"], ["2.0.2", "b"])}    ${entry("customer-api", "0.9.3", "f")}\n`,
      },
      message: "Promote 1.5.0 and 2.0.2, add customer-api",
      date: day(6),
    },
    { files: {}, message: "Merge pull request #7", date: day(6, 12), parent: 5, merge: 7 },
  ]);
  const fixture = built.fixture;
  const [, start, release, promote14, program, docs, side, , promote15] = built.commits;
  const commits = { start, release, promote14, program, docs, side, promote15 } as Record<string, string>;

  const bin = path.join(fixture.root, "bin");
  mkdirSync(bin);
  const registryFile = path.join(fixture.root, "registry.json");
  // `az acr repository show --name <r> --image <app>:<tag> --output json`, answered from a file.
  writeFileSync(
    path.join(bin, "az"),
    `#!${process.execPath}
const images = JSON.parse(require("node:fs").readFileSync(${JSON.stringify(registryFile)}, "utf8"));
const image = process.argv[process.argv.indexOf("--image") + 1];
if (images === null || typeof images === "string") {
  process.stderr.write((images ?? "ERROR: Please run 'az login' to setup account.") + "\\n");
  process.exit(1);
}
// What az prints for ACR's 404s (azure-cli acr/_docker_utils.py parse_error_message).
if (images[image] === undefined) {
  const repository = image.split(":")[0] + ":";
  const known = Object.keys(images).some((key) => key.startsWith(repository));
  process.stderr.write(
    "ERROR: Error: " +
      (known ? "the specified tag does not exist" : "repository name not known to registry") +
      ". Correlation ID: 7e5c38f4-c2d7-4600-b469-7ca6dfd22c85.\\n",
  );
  process.exit(1);
}
process.stdout.write(JSON.stringify({ digest: images[image], name: image }));
`,
  );
  chmodSync(path.join(bin, "az"), 0o755);
  const setRegistry = (images: Readonly<Record<string, string>> | null | string) =>
    writeFileSync(registryFile, JSON.stringify(images));
  setRegistry({});

  const commitAt = (
    day: number,
    files: Readonly<Record<string, string>>,
    message: string,
    author = "Fixture",
  ) => {
    for (const [file, text] of Object.entries(files)) fixture.write(file, text);
    fixture.git(["add", "--", ...Object.keys(files)]);
    const date = `2026-01-${String(day).padStart(2, "0")}T10:00:00Z`;
    processOutputSync("git", ["commit", "--quiet", "-m", message], {
      cwd: fixture.clone,
      env: {
        ...fixture.env,
        GIT_AUTHOR_NAME: author,
        GIT_AUTHOR_EMAIL: `${author.toLowerCase()}@example.test`,
        GIT_COMMITTER_NAME: "Fixture",
        GIT_COMMITTER_EMAIL: "fixture@example.test",
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    });
    fixture.git(["push", "--quiet", "origin", "main"]);
    return refCommit(fixture, path.join(fixture.clone, ".git"), "HEAD");
  };

  return {
    fixture,
    commits,
    env: { ...fixture.env, PATH: `${bin}:${fixture.env["PATH"]}` },
    setRegistry,
    commitAt,
  };
}
