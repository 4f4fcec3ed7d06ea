import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { environmentNames, type EnvironmentName } from "../environments/pipeline";
import { first, last } from "./pipeline-names";
import { stackFileName } from "../stack-config/stack-files";
import { listRefs } from "./ref-files";
import { throwawayGitConfig } from "./throwaway-git-config";
import { processOutputSync } from "./worker-processes";

/** A digest made of one repeated hex character: `digest("a")` is `sha256:aaaa…` (64). */
export const digest = (hex: string): string => `sha256:${hex.repeat(64 / hex.length)}`;

/** The first environment's (acceptance's) stack file the fixtures start from. */
export const acceptanceFile = `# Acceptance: builds the images; releases land here first.
config:
  azure-native:location: westeurope
  platform:images:
    main-api:
      tag: "1.4.0"
    web: { tag: 2.0.1 }

  azure-native:clientSecret:
    secure: v1:AAAABBBBacceptance==   # encrypted: never touched
`;

/** The last environment's (production's) stack file the fixtures start from. */
export const productionFile = `# Production: deployed only by promotion pull requests.
config:
  azure-native:location: westeurope
  platform:images:
    main-api:
      tag: "1.3.0"   # promoted by CI
      digest: ${digest("1")}
    web: { tag: 2.0.1, digest: "${digest("2")}" }

  azure-native:clientSecret:
    secure: v1:AAAABBBBproduction==   # encrypted: never touched
`;

/** A temporary clone whose `origin` is a bare repository on disk, both on branch `main`. */
export interface GitFixture {
  /** The temporary directory holding everything (and the HOME of git). */
  readonly root: string;
  /** The bare repository, `origin` of the clone. */
  readonly origin: string;
  /** The clone the commands run in. */
  readonly clone: string;
  /** The environment of the commands: PATH, a git config that only turns git's housekeeping off, no identity. */
  readonly env: Record<string, string>;
  /** Runs git in the clone (or `cwd`), with `input` on its stdin, and returns its trimmed stdout. */
  git(args: readonly string[], cwd?: string, extraEnv?: Record<string, string>, input?: string): string;
  read(file: string): string;
  write(file: string, text: string): void;
  /** Commits files on `main` of the clone and pushes them to origin. */
  commit(files: Readonly<Record<string, string>>, message: string): string;
  /** Creates a branch in origin holding a commit on top of main (someone else's work). */
  pushForeignBranch(branch: string, files: Readonly<Record<string, string>>, message: string): string;
  /** A branch's commit in origin, or undefined. */
  originBranch(branch: string): string | undefined;
  /** Every branch of origin. */
  originBranches(): string[];
  /** A file's content at a commit or ref of origin. */
  originShow(ref: string, file: string): string;
  /** Everything that would tell a user their clone changed: branch, status, branches, HEAD. */
  cloneState(): {
    head: string;
    branch: string;
    status: string;
    branches: string;
    files: Record<string, string>;
  };
  cleanup(): void;
}

const identity = {
  GIT_AUTHOR_NAME: "Fixture",
  GIT_AUTHOR_EMAIL: "fixture@example.test",
  GIT_COMMITTER_NAME: "Fixture",
  GIT_COMMITTER_EMAIL: "fixture@example.test",
};

/**
 * The stack file the fixtures start from for `env`: the first's builds images ({@link acceptanceFile}),
 * the last's is {@link productionFile}, and one between them is derived from the last's (it too
 * deploys only tag@digest), under its own name.
 */
export function fixtureStackFile(env: EnvironmentName): string {
  if (env === first) return acceptanceFile;
  if (env === last) return productionFile;
  return productionFile.replace("# Production:", `# ${env}:`).replaceAll("production", env);
}

/** One stack file per environment of the pipeline, and a README. */
const defaultFiles = {
  ...Object.fromEntries(environmentNames.map((env) => [stackFileName(env), fixtureStackFile(env)])),
  "README.md": "# platform\n",
};

/**
 * A factory of fixtures that builds one, runs `prepare` on it (records pushed, files written
 * under its root) once per test file, and hands out copies of it: a copy of a small repository
 * costs no process, the git commands `prepare` runs cost one each. For tests that start from
 * the same state; what a test changes stays in its copy.
 */
export function gitFixtureTemplate(
  prepare: (fixture: GitFixture) => void = () => undefined,
): () => GitFixture {
  let template: GitFixture | undefined;
  afterAll(() => {
    template?.cleanup();
    template = undefined;
  });
  return () => {
    if (template === undefined) {
      template = createGitFixtureWithHistory([{ files: defaultFiles, message: "Initial commit" }]).fixture;
      prepare(template);
    }
    return copyGitFixture(template);
  };
}

/** A copy of a fixture in a directory of its own (its clone's origin is the copy's origin). */
function copyGitFixture(template: GitFixture): GitFixture {
  const root = mkdtempSync(path.join(tmpdir(), "platform-git-"));
  cpSync(template.root, root, { recursive: true, preserveTimestamps: true });
  // `git remote set-url origin <the copy's origin>`, without a git process.
  const config = path.join(root, "clone", ".git", "config");
  writeFileSync(
    config,
    readFileSync(config, "utf8").replaceAll(template.origin, path.join(root, "origin.git")),
  );
  return openGitFixture(root);
}

/** The default fixture, built once per test file and copied: a copy is faster than building. */
const defaultFixture = gitFixtureTemplate();

/** Creates the fixture with one stack file per environment (or `files`) committed on main and pushed. */
export function createGitFixture(files?: Readonly<Record<string, string>>): GitFixture {
  if (files !== undefined) return createGitFixtureWithHistory([{ files, message: "Initial commit" }]).fixture;
  return defaultFixture();
}

/** One commit of a history `createGitFixtureWithHistory` writes. */
export interface HistoryCommit {
  /** Files it writes over its parent's tree, by path. */
  readonly files: Readonly<Record<string, string>>;
  /** Its message, as given to `git commit -m` (stored with a final line break). */
  readonly message: string;
  /** Its author and commit date, ISO 8601 (`2026-01-01T10:00:00Z`); now by default. */
  readonly date?: string;
  /** The author's name (the e-mail is `<name lowercased>@example.test`); the committer is Fixture. */
  readonly author?: string;
  /** The index of its parent in the list: the commit before it by default (the first: none); null: none. */
  readonly parent?: number | null;
  /**
   * The index of a second parent: a merge commit, as `git merge --no-ff` makes it of a branch
   * that `parent` is an ancestor of (the merged tree, plus `files`).
   */
  readonly merge?: number;
}

/**
 * The fixture holding `history` (the first commit a root) with main at its last commit in origin
 * and in the clone, which has it checked out and origin/main as its upstream, as if each commit
 * had been made there and pushed. The commits are written with one
 * `git fast-import` per repository, not a commit and a push each; the ids are those `git commit`
 * gives the same trees, messages, names and dates. Returns the commit ids, in `history`'s order.
 */
export function createGitFixtureWithHistory(history: readonly HistoryCommit[]): {
  fixture: GitFixture;
  commits: string[];
} {
  const root = mkdtempSync(path.join(tmpdir(), "platform-git-"));
  writeFileSync(path.join(root, ".gitconfig"), throwawayGitConfig);
  const fixture = openGitFixture(root);
  fixture.git(["init", "--quiet", "--bare", "-b", "main", fixture.origin], root);
  fixture.git(["init", "--quiet", "-b", "main", fixture.clone], root);
  // Where a test puts origin's pre-receive hook (git init copies no sample hooks here).
  mkdirSync(path.join(fixture.origin, "hooks"));
  const main = history.length - 1;
  const stream = fastImportStream(history);
  const commits = fixture.git(["fast-import", "--quiet"], fixture.origin, {}, stream).split("\n");
  fixture.git(
    ["fast-import", "--quiet"],
    fixture.clone,
    {},
    `${stream}reset refs/remotes/origin/main\nfrom :${main + 1}\n\n`,
  );
  // `git remote add origin` and `git branch --set-upstream-to=origin/main`, by hand.
  appendFileSync(
    path.join(fixture.clone, ".git", "config"),
    `[remote "origin"]\n\turl = ${fixture.origin}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n\tremote = origin\n\tmerge = refs/heads/main\n`,
  );
  fixture.git(["checkout", "--quiet", "--force"]);
  return { fixture, commits };
}

/**
 * A fast-import stream writing `history`: every commit on refs/heads/main with its parents given,
 * so that main ends at the last; then the id of each commit, one a line, on stdout.
 */
function fastImportStream(history: readonly HistoryCommit[]): string {
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const trees: Record<string, string>[] = [];
  const parents: number[][] = [];
  const now = Math.floor(Date.now() / 1000);
  let stream = "";
  history.forEach((commit, index) => {
    const parent = commit.parent === undefined ? (index === 0 ? null : index - 1) : commit.parent;
    if (parent !== null && (parent < 0 || parent >= index))
      throw new Error(`commit ${index}: no parent ${parent}`);
    const merged = commit.merge;
    if (merged !== undefined && (parent === null || !isAncestor(parents, parent, merged))) {
      throw new Error(`commit ${index}: only a merge of a branch its parent is an ancestor of is written`);
    }
    const base = merged ?? parent;
    const tree = { ...(base === null ? {} : trees[base]), ...commit.files };
    trees.push(tree);
    parents.push([...(parent === null ? [] : [parent]), ...(merged === undefined ? [] : [merged])]);
    const when = `${commit.date === undefined ? now : Date.parse(commit.date) / 1000} +0000`;
    const author = commit.author ?? "Fixture";
    stream += `commit refs/heads/main\nmark :${index + 1}\n`;
    stream += `author ${author} <${author.toLowerCase()}@example.test> ${when}\n`;
    stream += `committer Fixture <fixture@example.test> ${when}\n`;
    stream += data(`${commit.message}\n`);
    if (parent !== null) stream += `from :${parent + 1}\n`;
    if (merged !== undefined) stream += `merge :${merged + 1}\n`;
    stream += "deleteall\n";
    for (const file of Object.keys(tree).sort()) stream += `M 100644 inline ${file}\n${data(tree[file]!)}`;
    stream += "\n";
  });
  for (let index = 0; index < history.length; index++) stream += `get-mark :${index + 1}\n`;
  return stream;
}

function isAncestor(parents: readonly (readonly number[])[], ancestor: number, commit: number): boolean {
  return (
    commit === ancestor || (parents[commit] ?? []).some((parent) => isAncestor(parents, ancestor, parent))
  );
}

/**
 * The commit a branch (or HEAD) of a repository points to (`gitDir`: the bare repository or a
 * clone's `.git`), read from its loose ref file when there is one, else from `git rev-parse`.
 */
export function refCommit(fixture: GitFixture, gitDir: string, ref: string): string {
  try {
    const loose = readFileSync(path.join(gitDir, ref), "utf8").trim();
    if (/^[0-9a-f]{40}$/.test(loose)) return loose;
    const symbolic = /^ref: (refs\/heads\/\S+)$/.exec(loose)?.[1];
    if (symbolic !== undefined) return refCommit(fixture, gitDir, symbolic);
  } catch {
    // not a loose ref
  }
  return fixture.git(["rev-parse", "--verify", `${ref}^{commit}`], gitDir);
}

function openGitFixture(root: string): GitFixture {
  const origin = path.join(root, "origin.git");
  const clone = path.join(root, "clone");
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: root,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: path.join(root, ".gitconfig"),
    LANG: "C",
  };
  const git = (args: readonly string[], cwd = clone, extra: Record<string, string> = {}, input?: string) =>
    processOutputSync("git", args, {
      cwd,
      env: { ...env, ...extra },
      ...(input === undefined ? {} : { input }),
    }).trim();

  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    writeFileSync(path.join(clone, file), text);
  };
  const commit = (changes: Readonly<Record<string, string>>, message: string) => {
    for (const [file, text] of Object.entries(changes)) write(file, text);
    git(["add", "--", ...Object.keys(changes)]);
    git(["commit", "--quiet", "-m", message], clone, identity);
    git(["push", "--quiet", "origin", "main"]);
    return refCommit(fixture, path.join(clone, ".git"), "HEAD");
  };

  // origin's branches, from its ref files (listRefs): the tests ask after every push.
  const originHeads = () =>
    listRefs(origin, ["refs/heads/"])
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]);
  const originBranch = (branch: string) => originHeads().find(([ref]) => ref === `refs/heads/${branch}`)?.[1];
  const fixture: GitFixture = {
    root,
    origin,
    clone,
    env,
    git,
    read: (file) => readFileSync(path.join(clone, file), "utf8"),
    write,
    commit,
    pushForeignBranch(branch, changes, message) {
      // What a clone of origin, a commit on main and a push of it to `branch` leave in origin,
      // written there by one git fast-import.
      const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
      const when = `${Math.floor(Date.now() / 1000)} +0000`;
      const stream = [
        `commit refs/heads/${branch}\nmark :1\n`,
        `author ${identity.GIT_AUTHOR_NAME} <${identity.GIT_AUTHOR_EMAIL}> ${when}\n`,
        `committer ${identity.GIT_COMMITTER_NAME} <${identity.GIT_COMMITTER_EMAIL}> ${when}\n`,
        data(`${message}\n`),
        `from ${refCommit(fixture, origin, "refs/heads/main")}\n`,
        ...Object.entries(changes).map(([file, text]) => `M 100644 inline ${file}\n${data(text)}`),
        "\nget-mark :1\n",
      ].join("");
      return git(["fast-import", "--quiet"], origin, {}, stream);
    },
    originBranch,
    originBranches: () => originHeads().map(([ref]) => ref.slice("refs/heads/".length)),
    originShow: (ref, file) => git(["show", `${ref}:${file}`], origin),
    cloneState: () => {
      // One git for HEAD, the branch and the status: `# branch.oid`/`# branch.head` headers,
      // then a line per changed or untracked file.
      const lines = git(["status", "--porcelain=v2", "--branch", "--untracked-files=all"]).split("\n");
      const header = (name: string) => {
        const prefix = `# branch.${name} `;
        return lines.find((line) => line.startsWith(prefix))?.slice(prefix.length) ?? "";
      };
      return {
        head: header("oid"),
        branch: header("head"),
        status: lines.filter((line) => line !== "" && !line.startsWith("# ")).join("\n"),
        branches: listRefs(path.join(clone, ".git"), ["refs/heads/", "refs/remotes/"]),
        files: Object.fromEntries(
          ["Pulumi.acceptance.yaml", "Pulumi.production.yaml"].map((file) => {
            try {
              return [file, readFileSync(path.join(clone, file), "utf8")];
            } catch {
              return [file, "<missing>"];
            }
          }),
        ),
      };
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  return fixture;
}
