import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { EnvironmentName } from "../../environments";
import { stackFileName } from "../../stack-config/stack-files";
import { processInterruption } from "../context";
import { InputError, PlatformError } from "../errors";

export { stackFileName };

/**
 * Decodes a stack file's bytes as UTF-8. A byte sequence that is not UTF-8 would be replaced by
 * U+FFFD on reading and so rewritten by any edit: such a file is refused instead.
 *
 * @throws InputError naming the file and the line of the first bad byte.
 */
export function decodeStackFile(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const text = new TextDecoder("utf-8").decode(bytes);
    const bad = text.indexOf("\uFFFD");
    const line = text.slice(0, Math.max(bad, 0)).split("\n").length;
    throw new InputError(
      `${name} is not valid UTF-8 (line ${line} holds a byte that is not); save it as UTF-8, then run again`,
    );
  }
}

/** Reads an environment's stack file from `cwd`. @throws InputError when it does not exist or is not UTF-8. */
export async function readStackFile(cwd: string, environment: EnvironmentName): Promise<string> {
  const name = stackFileName(environment);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path.join(cwd, name));
  } catch (error) {
    throw readError(error, name, cwd);
  }
  return decodeStackFile(bytes, name);
}

function readError(error: unknown, name: string, cwd: string): Error {
  if ((error as NodeJS.ErrnoException).code === "ENOENT") {
    return new InputError(
      `${name} not found in ${cwd}; run platform in the directory that holds the stack files`,
    );
  }
  return new PlatformError(`cannot read ${name}: ${(error as Error).message}`);
}

/** The file operations the stack file edits need; tests pass failing ones. */
export type AtomicWriteFs = Pick<
  typeof fs,
  "open" | "rename" | "rm" | "stat" | "realpath" | "readdir" | "access" | "readFile" | "link"
>;

/**
 * Edits an environment's stack file in `cwd`: takes the file's lock, reads it, applies `edit`
 * and, when the text changed, writes it with `writeFileAtomic`; the lock is released in any
 * case. Two commands editing the same file (two `platform set-image` at once) therefore never
 * lose each other's change: the second one fails while the first holds the lock.
 *
 * @param edit the new text from the current one; it may throw to refuse, then nothing is written.
 * @param note told when a lock left behind by a killed command was taken over.
 * @returns the text before and after the edit.
 * @throws InputError when the file does not exist or is not UTF-8; PlatformError when another
 *   command holds the lock or the write fails (the file is unchanged then).
 */
export async function editStackFile(
  cwd: string,
  environment: EnvironmentName,
  edit: (text: string) => string,
  files: AtomicWriteFs = fs,
  note?: (line: string) => void,
): Promise<{ before: string; after: string }> {
  const name = stackFileName(environment);
  let target: string;
  try {
    // The lock sits beside the file that is written: a symlink's target.
    target = await files.realpath(path.join(cwd, name));
  } catch (error) {
    throw readError(error, name, cwd);
  }
  return withFileLock(
    target,
    name,
    async () => {
      let bytes: Buffer;
      try {
        bytes = await files.readFile(target);
      } catch (error) {
        throw readError(error, name, cwd);
      }
      const before = decodeStackFile(bytes, name);
      const after = edit(before);
      if (after !== before) await writeFileAtomic(target, after, files, name);
      return { before, after };
    },
    note,
    files,
  );
}

/** The lock file of a file: `.Pulumi.acceptance.yaml.lock` beside `Pulumi.acceptance.yaml`. */
export function lockFileOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

/** How old an empty lock file must be to count as left behind: its writer had time to write its pid. */
export const emptyLockStaleSeconds = 5;

/**
 * Runs `work` holding the lock of `file`: a lock file created exclusively (O_EXCL) beside it,
 * holding this process's id, and removed when `work` ends. SIGINT and SIGTERM are held back from
 * before the lock is taken until it is removed (`processInterruption`; the command then ends
 * with 130 or 143), so that an interruption never leaves the lock behind. A lock left by a
 * command that was killed anyway (SIGKILL, a crash) is taken over with a note: one whose pid no
 * longer runs, or one still empty after `emptyLockStaleSeconds`.
 *
 * @param note told when a left-behind lock was taken over.
 * @param files the lock's file operations (tests pass ones that release the lock at a given step).
 * @throws PlatformError naming the file, the lock file and its holder's pid when it is held.
 */
export async function withFileLock<T>(
  file: string,
  name: string,
  work: () => Promise<T>,
  note: (line: string) => void = () => undefined,
  files: LockFs = fs,
): Promise<T> {
  const lock = lockFileOf(file);
  processInterruption();
  const handle = await takeLock(lock, name, note, files);
  try {
    try {
      await handle.writeFile(`${process.pid}\n`, "utf8");
    } finally {
      await handle.close();
    }
    return await work();
  } finally {
    await files.rm(lock, { force: true });
  }
}

/** The file operations of a lock. */
type LockFs = Pick<typeof fs, "open" | "readFile" | "stat" | "rename" | "link" | "rm">;

/** A lock file as read: its content and when it was last written. */
interface HeldLock {
  readonly content: string;
  readonly mtimeMs: number;
}

/**
 * Creates the lock, or takes over one left behind. A refusal names the holder as read when the
 * lock was found taken: read again later, the lock may be gone, its holder finished (a second
 * edit then reported "a pid not yet written" of a lock that had held a pid). A lock released
 * between the failed create and that read is free, and is taken.
 */
async function takeLock(
  lock: string,
  name: string,
  note: (line: string) => void,
  files: LockFs,
): Promise<fs.FileHandle> {
  const handle = await createLock(lock, name, files);
  if (handle !== undefined) return handle;
  const held = await readLock(lock, files);
  if (held !== undefined) {
    const why = leftBehind(held);
    if (why === undefined) throw heldError(lock, name, held);
    if (!(await removeLeftBehind(lock, held.content, files)))
      throw heldError(lock, name, await readLock(lock, files));
    note(`${name}: took over the lock ${lock}, ${why}`);
  }
  const taken = await createLock(lock, name, files);
  if (taken === undefined) throw heldError(lock, name, await readLock(lock, files));
  return taken;
}

/** Creates the lock file exclusively; undefined when it exists. */
async function createLock(lock: string, name: string, files: LockFs): Promise<fs.FileHandle | undefined> {
  try {
    return await files.open(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw new PlatformError(`cannot lock ${name} (${(error as Error).message}); the file is unchanged`);
  }
}

/** The lock file's content and age; undefined when it is gone. */
async function readLock(lock: string, files: LockFs): Promise<HeldLock | undefined> {
  const [content, stats] = await Promise.all([
    files.readFile(lock, "utf8").catch(() => undefined),
    files.stat(lock).catch(() => undefined),
  ]);
  return content === undefined || stats === undefined ? undefined : { content, mtimeMs: stats.mtimeMs };
}

/** Why a held lock was left behind by a command that no longer runs; undefined when it was not. */
function leftBehind({ content, mtimeMs }: HeldLock): string | undefined {
  const pid = lockPid(content);
  if (pid !== undefined && !isRunning(pid)) {
    return `left by pid ${pid}, which no longer runs (a platform command that was killed)`;
  }
  const ageSeconds = (Date.now() - mtimeMs) / 1000;
  if (content.trim() === "" && ageSeconds >= emptyLockStaleSeconds) {
    return `left empty ${Math.floor(ageSeconds)} s ago by a platform command that was killed before it wrote its pid`;
  }
  return undefined;
}

const lockPid = (content: string): number | undefined => {
  const pid = /^\s*(\d+)\s*$/.exec(content)?.[1];
  return pid === undefined ? undefined : Number(pid);
};

/**
 * Removes a left-behind lock, unless another command took it over first: the lock is moved
 * aside atomically and checked to be the one judged left behind; another's is put back.
 */
async function removeLeftBehind(lock: string, content: string, files: LockFs): Promise<boolean> {
  const aside = `${lock}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await files.rename(lock, aside);
  } catch {
    return false;
  }
  const moved = await files.readFile(aside, "utf8").catch(() => undefined);
  if (moved !== content) {
    await files.link(aside, lock).catch(() => undefined);
    await files.rm(aside, { force: true });
    return false;
  }
  await files.rm(aside, { force: true });
  return true;
}

/** The refusal when another command holds the lock; `held` as read, undefined when it was gone again. */
function heldError(lock: string, name: string, held: HeldLock | undefined): PlatformError {
  const pid = held === undefined ? undefined : lockPid(held.content);
  const holder =
    pid !== undefined ? `pid ${pid}` : held === undefined ? "its pid not known" : "a pid not yet written";
  return new PlatformError(
    `${name} is being edited by another platform command (${holder}, lock file ${lock}); run again once it has finished; nothing was written`,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The temporary files `writeFileAtomic` writes beside `file`: `.Pulumi.acceptance.yaml.<12 hex>.tmp`. */
function temporaryPattern(file: string): RegExp {
  const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^\\.${base}\\.[0-9a-f]{12}\\.tmp$`);
}

/**
 * Replaces a file's content atomically: writes a temporary file beside it, flushes it, and
 * renames it over the original. A symlink is written through (its target is replaced, the link
 * stays); the original's mode is kept, and its owner and group when the process may set them
 * (as root). A read-only file is refused. Temporary files left by a write that was killed are
 * removed first; writers of one file must be serialized (`editStackFile` holds its lock). A
 * failure at any step removes the temporary file and leaves the original as it was.
 *
 * @param name the file as messages name it (default: its base name).
 * @throws PlatformError saying the file is unchanged.
 */
export async function writeFileAtomic(
  file: string,
  text: string,
  files: AtomicWriteFs = fs,
  name = path.basename(file),
): Promise<void> {
  let target: string;
  let stats: { mode: number; uid: number; gid: number };
  try {
    target = await files.realpath(file);
    stats = await files.stat(target);
  } catch (error) {
    throw new PlatformError(`cannot write ${name} (${(error as Error).message}); the file is unchanged`);
  }
  // Root may write anything: the mode bits say whether the file is meant to be written.
  const writable =
    (stats.mode & 0o222) !== 0 &&
    (await files.access(target, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (!writable) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, "0");
    throw new PlatformError(
      `${name} is read-only (mode ${mode}); make it writable (chmod u+w ${name}) to let platform edit it; the file is unchanged`,
    );
  }
  const directory = path.dirname(target);
  const stale = temporaryPattern(target);
  for (const entry of await files.readdir(directory).catch(() => [] as string[])) {
    if (stale.test(entry)) await files.rm(path.join(directory, entry), { force: true });
  }
  const temporary = path.join(directory, `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await files.open(temporary, "wx", stats.mode & 0o777);
    try {
      // The mode given to open is masked by the umask: set it exactly.
      await handle.chmod(stats.mode & 0o7777);
      if (process.getuid?.() === 0) await handle.chown(stats.uid, stats.gid);
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await files.rename(temporary, target);
  } catch (error) {
    await files.rm(temporary, { force: true }).catch(() => undefined);
    throw new PlatformError(`cannot write ${name} (${(error as Error).message}); the file is unchanged`);
  }
}
