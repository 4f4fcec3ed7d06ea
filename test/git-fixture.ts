import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** A digest made of one repeated hex character: `digest("a")` is `sha256:aaaa…` (64). */
export const digest = (hex: string): string => `sha256:${hex.repeat(64 / hex.length)}`;

/** The acceptance stack file the fixtures start from. */
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

/** The production stack file the fixtures start from. */
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
  /** The environment of the commands: PATH, an empty git config, no identity. */
  readonly env: Record<string, string>;
  /** Runs git in the clone (or `cwd`) and returns its trimmed stdout. */
  git(args: readonly string[], cwd?: string): string;
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

const defaultFiles = {
  "Pulumi.acceptance.yaml": acceptanceFile,
  "Pulumi.production.yaml": productionFile,
  "README.md": "# platform\n",
};

/** The default fixture, built once per test file and copied: a copy is faster than building. */
let template: GitFixture | undefined;
afterAll(() => {
  template?.cleanup();
  template = undefined;
});

/** Creates the fixture with the two stack files (or `files`) committed on main and pushed. */
export function createGitFixture(files?: Readonly<Record<string, string>>): GitFixture {
  if (files !== undefined) return buildGitFixture(files);
  if (template === undefined) {
    template = buildGitFixture(defaultFiles);
  }
  const root = mkdtempSync(path.join(tmpdir(), "platform-git-"));
  cpSync(template.root, root, { recursive: true, preserveTimestamps: true });
  const fixture = openGitFixture(root);
  fixture.git(["remote", "set-url", "origin", fixture.origin]);
  return fixture;
}

function buildGitFixture(files: Readonly<Record<string, string>>): GitFixture {
  const root = mkdtempSync(path.join(tmpdir(), "platform-git-"));
  writeFileSync(path.join(root, ".gitconfig"), "");
  const fixture = openGitFixture(root);
  execFileSync("git", ["init", "--quiet", "--bare", "-b", "main", fixture.origin], {
    env: fixture.env,
    stdio: "pipe",
  });
  mkdirSync(fixture.clone);
  fixture.git(["init", "--quiet", "-b", "main"]);
  fixture.git(["remote", "add", "origin", fixture.origin]);
  fixture.commit(files, "Initial commit");
  fixture.git(["branch", "--quiet", "--set-upstream-to=origin/main"]);
  return fixture;
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
  const git = (args: readonly string[], cwd = clone, extra: Record<string, string> = {}) =>
    execFileSync("git", [...args], {
      cwd,
      env: { ...env, ...extra },
      encoding: "utf8",
      stdio: "pipe",
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
    return git(["rev-parse", "HEAD"]);
  };

  const originBranch = (branch: string) => {
    try {
      return git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], origin);
    } catch {
      return undefined;
    }
  };
  return {
    root,
    origin,
    clone,
    env,
    git,
    read: (file) => readFileSync(path.join(clone, file), "utf8"),
    write,
    commit,
    pushForeignBranch(branch, changes, message) {
      const work = mkdtempSync(path.join(root, "foreign-"));
      git(["clone", "--quiet", origin, work], root);
      for (const [file, text] of Object.entries(changes)) writeFileSync(path.join(work, file), text);
      git(["add", "--", ...Object.keys(changes)], work);
      git(["commit", "--quiet", "-m", message], work, identity);
      git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`], work);
      return git(["rev-parse", "HEAD"], work);
    },
    originBranch,
    originBranches: () =>
      git(["for-each-ref", "--format=%(refname:short)", "refs/heads"], origin).split("\n").filter(Boolean),
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
        branches: git(["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/remotes"]),
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
}
