import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InputError, PlatformError } from "./errors";
import { howItEnded, runProcess } from "./process";

/** A git command that exited non-zero (or could not start): a failed operation, exit code 1. */
export class GitError extends PlatformError {
  constructor(
    readonly args: readonly string[],
    /** git's exit status; null when it could not start. */
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} failed${status === null ? "" : ` (exit ${status})`}: ${stderr.trim()}`, 1);
    this.name = "GitError";
  }
}

/** Runs git in one directory, as `execFile("git", args)`: never through a shell. */
export interface Git {
  readonly cwd: string;
  /** The environment git runs with. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Runs git and resolves to its stdout. @throws GitError when it exits non-zero. */
  run(
    args: readonly string[],
    options?: { readonly input?: string; readonly env?: Record<string, string> },
  ): Promise<string>;
}

/** A Git adapter for `cwd`, with the environment of the command (so tests control git's config). */
export function createGit(cwd: string, env: Readonly<Record<string, string | undefined>>): Git {
  return {
    cwd,
    env,
    async run(args, options = {}) {
      const result = await runProcess("git", args, {
        cwd,
        env: { ...env, ...options.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
        ...(options.input !== undefined ? { input: options.input } : {}),
      });
      if (result.exitCode === 0 && !result.stopped) return result.stdout;
      // A git that could not start, was stopped or was ended by a signal has no exit status.
      const status = result.stopped ? null : result.exitCode;
      throw new GitError(args, status, result.stderr || result.stopped?.message || howItEnded(result));
    },
  };
}

/**
 * Runs a git query whose exit status `absent` means "there is none" (a ref that does not exist,
 * no common ancestor): undefined then; any other failure is thrown.
 */
async function unlessExit<T>(absent: number, query: () => Promise<T>): Promise<T | undefined> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof GitError && error.status === absent) return undefined;
    throw error;
  }
}

/** The path of `cwd` inside its repository (`""` at the top, else ending in `/`). */
export async function repositoryPrefix(git: Git): Promise<string> {
  return (await git.run(["rev-parse", "--show-prefix"])).trim();
}

/** Tracked files with uncommitted changes, as `git status --porcelain` lines (untracked files ignored). */
export async function uncommittedChanges(git: Git): Promise<string[]> {
  const status = await git.run(["status", "--porcelain=v1", "--untracked-files=no"]);
  return status.split("\n").filter((line) => line.trim() !== "");
}

/** The commit a ref names, or undefined when there is none. */
export async function resolveCommit(git: Git, ref: string): Promise<string | undefined> {
  return unlessExit(1, async () =>
    (await git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`])).trim(),
  );
}

/**
 * The commit a ref the user named (`--base`) points to.
 *
 * @throws InputError naming the ref, and how to make it known in a CI checkout.
 */
export async function commitOfRef(git: Git, ref: string): Promise<string> {
  const commit = await resolveCommit(git, ref);
  if (commit === undefined) {
    throw new InputError(
      `unknown git ref '${ref}'; pass a branch, tag or commit of this repository (in CI, fetch it first: git fetch origin <branch>)`,
    );
  }
  return commit;
}

/**
 * A file's content at a commit (`path` from the top of the repository), or undefined when absent.
 * One git process: `cat-file --batch` answers `<name> missing` for an object that does not
 * exist, else `<id> <type> <size>`, the content and a line break.
 *
 * @throws PlatformError when the path names something other than a file (a directory).
 */
export async function readFileAt(git: Git, commit: string, file: string): Promise<string | undefined> {
  const name = `${commit}:${file}`;
  const output = await git.run(["cat-file", "--batch"], { input: `${name}\n` });
  const headerEnd = output.indexOf("\n");
  const header = output.slice(0, headerEnd);
  if (header === `${name} missing` || header === `${name} ambiguous`) return undefined;
  const type = header.split(" ")[1];
  if (type !== "blob") throw new PlatformError(`${file} at ${commit} is a ${type}, not a file`);
  return output.slice(headerEnd + 1, -1);
}

/**
 * Fetches one branch of a remote and returns its commit. The branch is fetched into a ref of
 * this run's own (`refs/platform/fetch/<pid>-<random>/...`), read and deleted: FETCH_HEAD, which
 * every fetch in the clone overwrites, is neither read nor written, so a concurrent run cannot
 * swap its branch for ours. No remote-tracking ref or local branch is created or moved.
 */
export async function fetchBranch(git: Git, remote: string, branch: string): Promise<string> {
  const ref = `refs/heads/${branch}`;
  return (await fetchRefs(git, remote, { required: [ref] })).get(ref)!;
}

/** What one {@link fetchRefs} brought: each ref asked for, and its commit (undefined: origin has none). */
export interface FetchedRefs extends ReadonlyMap<string, string | undefined> {
  /**
   * The commit a ref points to in this clone (not origin), as `git rev-parse --verify --quiet
   * <ref>^{commit}` says: undefined when the clone has no such ref or it names no commit. An
   * optional ref is read as the fetch's own `for-each-ref` listed it, just after the fetch, with
   * no process of its own (but for a tag of a tag).
   */
  inClone(ref: string): Promise<string | undefined>;
}

/** The refs one {@link fetchRefs} asks for. */
export interface FetchRequest {
  /** Refs the remote must have: the fetch fails without one. */
  readonly required?: readonly string[];
  /** Refs the remote may have (a moved tag is read as the remote has it now). */
  readonly optional?: readonly string[];
  /** Refspecs fetched as they are besides, pruned (`+refs/tags/verified/*:refs/platform/verified/*`). */
  readonly mirror?: readonly string[];
}

/**
 * Fetches several refs of a remote in one round trip, each into a ref of this run's own under
 * `refs/platform/fetch/<pid>-<random>/`, reads their commits with one `for-each-ref` and deletes
 * them in one `update-ref --stdin` transaction. FETCH_HEAD is neither read nor written, and no
 * remote-tracking ref or local branch is created or moved (only `mirror` refspecs write where
 * they say). An optional ref is fetched with a pattern (`<ref>*`), so a remote without it is no
 * failure and needs no `ls-remote` first; what else the pattern matches is deleted unread.
 *
 * @throws GitError when the fetch fails (a required ref missing, the remote unreachable).
 */
export async function fetchRefs(git: Git, remote: string, request: FetchRequest): Promise<FetchedRefs> {
  const own = `refs/platform/fetch/${process.pid}-${randomBytes(6).toString("hex")}/`;
  const required = request.required ?? [];
  const optional = request.optional ?? [];
  const mirror = request.mirror ?? [];
  type Listed = { ref: string; type: string; object: string; peeledType: string; peeled: string };
  let listed: Listed[] = [];
  // The clone's own refs of the optional names, listed with the fetched ones: a caller that
  // falls back to them (origin has none) needs no rev-parse. for-each-ref also lists refs below
  // a name; only the name itself is read.
  // Undefined when the listing failed: then rev-parse answers.
  let inClone: Listed[] | undefined;
  try {
    await git.run([
      "fetch",
      "--quiet",
      "--no-tags",
      "--no-write-commit-graph",
      "--no-write-fetch-head",
      "--refmap=",
      ...(mirror.length > 0 ? ["--prune"] : []),
      remote,
      ...required.map((ref, index) => `+${ref}:${own}r${index}`),
      ...optional.map((ref, index) => `+${ref}*:${own}o${index}*`),
      ...mirror,
    ]);
  } finally {
    const output = await git
      .run([
        "for-each-ref",
        "--format=%(refname) %(objecttype) %(objectname) %(*objecttype) %(*objectname)",
        own,
        ...optional,
      ])
      .catch(() => undefined);
    const all = (output ?? "")
      .split("\n")
      .filter((line) => line !== "")
      .map((line): Listed => {
        const [ref = "", type = "", object = "", peeledType = "", peeled = ""] = line.split(" ");
        return { ref, type, object, peeledType, peeled };
      });
    listed = all.filter((entry) => entry.ref.startsWith(own));
    if (output !== undefined) inClone = all.filter((entry) => optional.includes(entry.ref));
  }
  // The commit a listed ref names, as the listing says it; undefined for a tag of a tag, or of
  // something else, which git must resolve.
  const listedCommit = (entry: Listed): string | undefined =>
    entry.type === "commit"
      ? entry.object
      : entry.type === "tag" && entry.peeledType === "commit"
        ? entry.peeled
        : undefined;
  try {
    const commitOf = async (ownRef: string): Promise<string | undefined> => {
      const entry = listed.find((candidate) => candidate.ref === ownRef);
      if (entry === undefined) return undefined;
      return (
        listedCommit(entry) ??
        (await git.run(["rev-parse", "--verify", "--end-of-options", `${ownRef}^{commit}`])).trim()
      );
    };
    const fetched = Object.assign(new Map<string, string | undefined>(), {
      inClone: async (ref: string): Promise<string | undefined> => {
        if (inClone === undefined || !optional.includes(ref)) return resolveCommit(git, ref);
        const entry = inClone.find((candidate) => candidate.ref === ref);
        if (entry === undefined) return undefined;
        return listedCommit(entry) ?? resolveCommit(git, ref);
      },
    });
    for (const [index, ref] of required.entries()) {
      const commit = await commitOf(`${own}r${index}`);
      if (commit === undefined) throw new GitError(["fetch", remote, ref], 1, `no ${ref} was fetched`);
      fetched.set(ref, commit);
    }
    for (const [index, ref] of optional.entries()) fetched.set(ref, await commitOf(`${own}o${index}`));
    return fetched;
  } finally {
    if (listed.length > 0) {
      await git
        .run(["update-ref", "--stdin"], { input: listed.map((entry) => `delete ${entry.ref}\n`).join("") })
        .catch(() => undefined);
    }
  }
}

/** The commit a branch of a remote points to, or undefined when the remote has no such branch. */
export async function remoteBranchCommit(
  git: Git,
  remote: string,
  branch: string,
): Promise<string | undefined> {
  // ls-remote --exit-code exits with 2 when the remote has no such ref.
  const line = await unlessExit(2, () =>
    git.run(["ls-remote", "--exit-code", remote, `refs/heads/${branch}`]),
  );
  return line?.split(/\s/)[0];
}

/** The files changed between two commits, and the messages of the commits in `from..to`. */
export async function changesBetween(
  git: Git,
  from: string,
  to: string,
): Promise<{ files: string[]; commits: { sha: string; message: string }[] }> {
  const files = (await git.run(["diff", "--name-only", "--no-renames", from, to]))
    .split("\n")
    .filter(Boolean);
  const log = await git.run(["log", "--format=%H%x00%B%x1e", `${from}..${to}`]);
  const commits = log
    .split("\x1e")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [sha = "", message = ""] = entry.split("\x00");
      return { sha, message };
    });
  return { files, commits };
}

/** The best common ancestor of two commits, or undefined when they share no history. */
export async function mergeBase(git: Git, a: string, b: string): Promise<string | undefined> {
  return unlessExit(1, async () => (await git.run(["merge-base", a, b])).trim());
}

/** The tree and first parent of a commit. */
export async function commitShape(
  git: Git,
  commit: string,
): Promise<{ tree: string; parent: string | undefined }> {
  const [tree = "", parent] = (await git.run(["show", "-s", "--format=%T %P", commit])).trim().split(" ");
  return { tree, parent: parent || undefined };
}

/**
 * Creates a commit on top of `parent` that changes one file, without touching the working tree,
 * the index or any branch. A file at the top of the repository takes four processes: the top
 * tree listed, the blob written, the new top tree made from the listing (`mktree`), the commit;
 * a file deeper down is changed in a temporary index. Without a configured identity the commit is
 * made as GitHub Actions' bot.
 */
export async function commitFile(
  git: Git,
  change: {
    readonly parent: string;
    readonly path: string;
    readonly content: string;
    readonly message: string;
  },
): Promise<string> {
  const identity = await fallbackIdentity(git);
  const commitTree = async (tree: string, env: Record<string, string>) =>
    (
      await git.run(["commit-tree", tree, "-p", change.parent, "-F", "-"], { env, input: change.message })
    ).trim();
  if (!change.path.includes("/")) {
    // ls-tree -z: `<mode> <type> <object>\t<name>` per entry, each ended by NUL; mktree -z reads the same.
    const entries = (await git.run(["ls-tree", "-z", "--full-tree", change.parent]))
      .split("\0")
      .filter((entry) => entry !== "");
    const own = entries.findIndex((entry) => entry.slice(entry.indexOf("\t") + 1) === change.path);
    const [mode = "100644"] = own < 0 ? [] : entries[own]!.split(" ");
    const blob = (await git.run(["hash-object", "-w", "--stdin"], { input: change.content })).trim();
    const entry = `${mode} blob ${blob}\t${change.path}`;
    if (own < 0) entries.push(entry);
    else entries[own] = entry;
    const tree = (
      await git.run(["mktree", "-z"], { input: entries.map((line) => `${line}\0`).join("") })
    ).trim();
    return commitTree(tree, identity);
  }
  const directory = await mkdtemp(path.join(tmpdir(), "platform-index-"));
  const env = { GIT_INDEX_FILE: path.join(directory, "index"), ...identity };
  try {
    const [mode = "100644"] = (
      await git.run(["ls-tree", "--full-tree", change.parent, "--", change.path])
    ).split(" ");
    const blob = (await git.run(["hash-object", "-w", "--stdin"], { input: change.content })).trim();
    await git.run(["read-tree", change.parent], { env });
    await git.run(["update-index", "--add", "--cacheinfo", `${mode},${blob},${change.path}`], { env });
    const tree = (await git.run(["write-tree"], { env })).trim();
    return await commitTree(tree, env);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function fallbackIdentity(git: Git): Promise<Record<string, string>> {
  // One process for both keys: `-z` ends each entry with NUL, the key and the value split by a
  // line break; a later entry overrides an earlier one, as for `git config --get`. Exit 1: neither.
  const listed = await git.run(["config", "-z", "--get-regexp", "^user\\.(name|email)$"]).catch(() => "");
  const values = new Map<string, string>();
  for (const entry of listed.split("\0")) {
    const lineBreak = entry.indexOf("\n");
    if (lineBreak < 0) values.set(entry, "");
    else values.set(entry.slice(0, lineBreak), entry.slice(lineBreak + 1));
  }
  const fallback: Record<string, string> = {};
  const identity: [part: string, key: string, value: string][] = [
    ["NAME", "user.name", "github-actions[bot]"],
    ["EMAIL", "user.email", "41898282+github-actions[bot]@users.noreply.github.com"],
  ];
  for (const [part, key, value] of identity) {
    if ((values.get(key) ?? "").trim() !== "") continue;
    for (const role of ["AUTHOR", "COMMITTER"]) {
      const variable = `GIT_${role}_${part}`;
      if (!git.env[variable]) fallback[variable] = value;
    }
  }
  return fallback;
}

/** The push URLs asked of git, per adapter (one command) and remote: asked once, not per push. */
const pushUrls = new WeakMap<Git, Map<string, Promise<string>>>();

function pushUrl(git: Git, remote: string): Promise<string> {
  const known = pushUrls.get(git) ?? new Map<string, Promise<string>>();
  pushUrls.set(git, known);
  let url = known.get(remote);
  if (url === undefined) {
    url = git.run(["remote", "get-url", "--push", remote]).then((stdout) => stdout.trim());
    // A failure is not kept: the next push asks again.
    url.catch(() => known.delete(remote));
    known.set(remote, url);
  }
  return url;
}

/**
 * Sets (or, with `commit` undefined, deletes) a branch of a remote, only if it still points to
 * `expected` (undefined: only if it does not exist yet).
 */
export async function pushBranch(
  git: Git,
  remote: string,
  update: {
    readonly branch: string;
    readonly commit: string | undefined;
    readonly expected: string | undefined;
  },
): Promise<void> {
  const ref = `refs/heads/${update.branch}`;
  // Pushing to the remote's URL rather than its name leaves the clone's remote-tracking refs alone.
  const url = await pushUrl(git, remote);
  await git.run([
    "push",
    "--quiet",
    `--force-with-lease=${ref}:${update.expected ?? ""}`,
    url,
    `${update.commit ?? ""}:${ref}`,
  ]);
}

/** The default branch of a remote, as its HEAD names it (`main`), or undefined when it names none. */
export async function remoteDefaultBranch(git: Git, remote: string): Promise<string | undefined> {
  const listed = await git.run(["ls-remote", "--symref", remote, "HEAD"]);
  return /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(listed)?.[1];
}

/** Whether `ancestor` is `commit` or one of its ancestors. */
export async function isAncestor(git: Git, ancestor: string, commit: string): Promise<boolean> {
  const answer = await unlessExit(1, async () => {
    await git.run(["merge-base", "--is-ancestor", ancestor, commit]);
    return true;
  });
  return answer ?? false;
}

/** A commit as history lists it. */
export interface CommitInfo {
  readonly sha: string;
  /** The committer date, ISO 8601 (when the commit landed on its branch). */
  readonly date: string;
  readonly author: string;
  /** The first line of its message. */
  readonly title: string;
}

/**
 * The commits `git log` lists for `args` (a range or a commit, options, `--` and pathspecs),
 * newest first.
 */
export async function logCommits(git: Git, args: readonly string[]): Promise<CommitInfo[]> {
  const log = await git.run(["log", "--format=%H%x00%cI%x00%an%x00%s%x1e", ...args]);
  return log
    .split("\x1e")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [sha = "", date = "", author = "", title = ""] = entry.split("\x00");
      return { sha, date, author, title };
    });
}

/**
 * Makes a shallow clone (CI checks out one commit) whole, so that history can be read: fetches
 * the rest of origin's history. Nothing happens in a full clone.
 *
 * @returns false when the clone is shallow and the fetch failed.
 */
export async function ensureFullHistory(git: Git, remote: string): Promise<boolean> {
  if ((await git.run(["rev-parse", "--is-shallow-repository"])).trim() !== "true") return true;
  try {
    await git.run(["fetch", "--quiet", "--no-tags", "--unshallow", remote]);
    return true;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}
