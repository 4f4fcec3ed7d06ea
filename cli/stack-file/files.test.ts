import { spawnSync } from "node:child_process";
import * as fs from "node:fs/promises";
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InputError, PlatformError } from "../errors";
import { editStackFile, readStackFile, withFileLock, writeFileAtomic } from "./files";

let directory: string;
let file: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), "platform-workspace-"));
  file = path.join(directory, "Pulumi.acceptance.yaml");
  writeFileSync(file, "old\n", { mode: 0o640 });
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

test("writeFileAtomic replaces the content and keeps the file's mode", async () => {
  await writeFileAtomic(file, "new\n");
  expect(readFileSync(file, "utf8")).toBe("new\n");
  expect(statSync(file).mode & 0o777).toBe(0o640);
  expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
});

test("a failing rename leaves the old file intact and no temporary file", async () => {
  const failing = { ...fs, rename: () => Promise.reject(new Error("EXDEV: cross-device link")) };
  await expect(writeFileAtomic(file, "new\n", failing)).rejects.toThrow(
    "cannot write Pulumi.acceptance.yaml (EXDEV: cross-device link); the file is unchanged",
  );
  expect(readFileSync(file, "utf8")).toBe("old\n");
  expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
});

test("a failing write leaves the old file intact and no temporary file", async () => {
  const failing = {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      return Object.assign(handle, {
        writeFile: () => Promise.reject(new Error("ENOSPC: no space left on device")),
      });
    },
  };
  await expect(writeFileAtomic(file, "new\n", failing)).rejects.toThrow(
    "cannot write Pulumi.acceptance.yaml (ENOSPC: no space left on device); the file is unchanged",
  );
  expect(readFileSync(file, "utf8")).toBe("old\n");
  expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
});

test("readStackFile says where it looked for a missing stack file", async () => {
  const promise = readStackFile(directory, "production");
  await expect(promise).rejects.toThrow(InputError);
  await expect(readStackFile(directory, "production")).rejects.toThrow(
    `Pulumi.production.yaml not found in ${directory}; run platform in the directory that holds the stack files`,
  );
});

describe("writeFileAtomic keeps what the file is", () => {
  test("writes through a symlink to its target, keeping the link", async () => {
    const target = path.join(directory, "shared.yaml");
    writeFileSync(target, "old\n");
    rmSync(file);
    symlinkSync("shared.yaml", file);
    await writeFileAtomic(file, "new\n");
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readlinkSync(file)).toBe("shared.yaml");
    expect(readFileSync(target, "utf8")).toBe("new\n");
  });

  test("refuses a read-only file, which stays as it was", async () => {
    chmodSync(file, 0o444);
    await expect(writeFileAtomic(file, "new\n")).rejects.toThrow(
      new PlatformError(
        "Pulumi.acceptance.yaml is read-only (mode 0444); make it writable (chmod u+w Pulumi.acceptance.yaml) to let platform edit it; the file is unchanged",
      ),
    );
    expect(readFileSync(file, "utf8")).toBe("old\n");
    expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
  });

  test("keeps the mode exactly, whatever the umask", async () => {
    chmodSync(file, 0o666);
    await writeFileAtomic(file, "new\n");
    expect(statSync(file).mode & 0o7777).toBe(0o666);
  });

  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot("keeps the owner and group (running as root)", async () => {
    chownSync(file, 4242, 4343);
    await writeFileAtomic(file, "new\n");
    expect(statSync(file)).toMatchObject({ uid: 4242, gid: 4343 });
  });

  test("removes temporary files a killed write left, and nothing else", async () => {
    const stale = ".Pulumi.acceptance.yaml.0123456789ab.tmp";
    writeFileSync(path.join(directory, stale), "half");
    writeFileSync(path.join(directory, ".Pulumi.production.yaml.0123456789ab.tmp"), "other file's");
    writeFileSync(path.join(directory, "notes.tmp"), "mine");
    await writeFileAtomic(file, "new\n");
    expect(readdirSync(directory).sort()).toEqual([
      ".Pulumi.production.yaml.0123456789ab.tmp",
      "Pulumi.acceptance.yaml",
      "notes.tmp",
    ]);
  });
});

describe("a stack file that is not UTF-8 is refused", () => {
  const bytes = Buffer.concat([
    Buffer.from("# acceptance\nconfig:\n  note: caf"),
    Buffer.from([0xe9]),
    Buffer.from("\n  azure-native:location: westeurope\n"),
  ]);
  const message =
    "Pulumi.acceptance.yaml is not valid UTF-8 (line 3 holds a byte that is not); save it as UTF-8, then run again";

  test("by every reader", async () => {
    writeFileSync(file, bytes);
    await expect(readStackFile(directory, "acceptance")).rejects.toThrow(new InputError(message));
  });

  test("by an edit, which leaves every byte as it was", async () => {
    writeFileSync(file, bytes);
    const edit = jest.fn((text: string) => `${text}# edited\n`);
    await expect(editStackFile(directory, "acceptance", edit)).rejects.toThrow(new InputError(message));
    expect(edit).not.toHaveBeenCalled();
    expect(readFileSync(file)).toEqual(bytes);
  });
});

describe("editStackFile holds the stack file's lock", () => {
  const lock = () => path.join(realpathSync(directory), ".Pulumi.acceptance.yaml.lock");
  /** An edit that appends a line; resolves with the notes it gave. */
  const appendX = async (files: typeof fs = fs): Promise<string[]> => {
    const notes: string[] = [];
    await editStackFile(
      directory,
      "acceptance",
      (text) => `${text}x\n`,
      files,
      (line) => notes.push(line),
    );
    return notes;
  };

  test("edits the file and removes the lock, also when the edit refuses", async () => {
    expect(await editStackFile(directory, "acceptance", (text) => `${text}more\n`)).toEqual({
      before: "old\n",
      after: "old\nmore\n",
    });
    expect(readFileSync(file, "utf8")).toBe("old\nmore\n");
    await expect(
      editStackFile(directory, "acceptance", () => {
        throw new InputError("refused");
      }),
    ).rejects.toThrow("refused");
    expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
  });

  test("a second edit while another command holds the lock fails, naming the file and the holder, and writes nothing", async () => {
    // The interleaving two processes could have: another edit starts while the holder works, and
    // the holder lets go only once that edit has ended.
    const second = await withFileLock(realpathSync(file), "Pulumi.acceptance.yaml", () =>
      editStackFile(directory, "acceptance", (other) => `${other}second\n`).catch((error: unknown) => error),
    );
    expect(second).toEqual(
      new PlatformError(
        `Pulumi.acceptance.yaml is being edited by another platform command (pid ${process.pid}, lock file ${lock()}); run again once it has finished; nothing was written`,
      ),
    );
    expect(readFileSync(file, "utf8")).toBe("old\n");
    expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
  });

  test("a lock its holder releases just after a second edit found it taken is free: that edit takes it", async () => {
    // The lock of a running command (this process), released right after the second edit's
    // exclusive create failed, before it reads whose the lock is. Read then, the lock was gone,
    // and the edit failed saying "a pid not yet written" of a lock that had held one (1 run in 12).
    writeFileSync(lock(), `${process.pid}\n`);
    const releasing: typeof fs = {
      ...fs,
      open: async (...args: Parameters<typeof fs.open>) => {
        try {
          return await fs.open(...args);
        } catch (error) {
          if (args[0] === lock()) rmSync(lock());
          throw error;
        }
      },
    };
    expect(await appendX(releasing)).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe("old\nx\n");
    expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
  });

  test("a lock that is there to create but gone each time it is read fails, its holder not known", async () => {
    // Other commands that take and let go of the lock between each of this edit's steps.
    const enoent = () => Promise.reject(Object.assign(new Error("ENOENT"), { code: "ENOENT" }));
    const fleeting: typeof fs = {
      ...fs,
      open: (...args: Parameters<typeof fs.open>) =>
        args[0] === lock()
          ? Promise.reject(Object.assign(new Error("EEXIST"), { code: "EEXIST" }))
          : fs.open(...args),
      readFile: ((file: string, options: unknown) =>
        file === lock() ? enoent() : fs.readFile(file, options as "utf8")) as typeof fs.readFile,
      stat: ((file: string) => (file === lock() ? enoent() : fs.stat(file))) as typeof fs.stat,
    };
    await expect(appendX(fleeting)).rejects.toThrow(
      new PlatformError(
        `Pulumi.acceptance.yaml is being edited by another platform command (its pid not known, lock file ${lock()}); run again once it has finished; nothing was written`,
      ),
    );
    expect(readFileSync(file, "utf8")).toBe("old\n");
  });

  test("a lock left by a process that no longer runs is taken over, with a note", async () => {
    const { pid } = spawnSync(process.execPath, ["-e", ""]);
    writeFileSync(lock(), `${pid}\n`);
    expect(await appendX()).toEqual([
      `Pulumi.acceptance.yaml: took over the lock ${lock()}, left by pid ${pid}, which no longer runs (a platform command that was killed)`,
    ]);
    expect(readFileSync(file, "utf8")).toBe("old\nx\n");
    expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
  });

  test("an empty lock (its writer killed before it wrote its pid) is taken over once it is 5 s old, not before", async () => {
    writeFileSync(lock(), "");
    await expect(editStackFile(directory, "acceptance", (text) => `${text}x\n`)).rejects.toThrow(
      new PlatformError(
        `Pulumi.acceptance.yaml is being edited by another platform command (a pid not yet written, lock file ${lock()}); run again once it has finished; nothing was written`,
      ),
    );
    const past = new Date(Date.now() - 6000);
    utimesSync(lock(), past, past);
    expect(await appendX()).toEqual([
      `Pulumi.acceptance.yaml: took over the lock ${lock()}, left empty 6 s ago by a platform command that was killed before it wrote its pid`,
    ]);
    expect(readFileSync(file, "utf8")).toBe("old\nx\n");
    expect(readdirSync(directory)).toEqual(["Pulumi.acceptance.yaml"]);
  });

  test("the lock of a symlinked stack file sits beside its target", async () => {
    mkdirSync(path.join(directory, "shared"));
    const target = path.join(directory, "shared", "acceptance.yaml");
    writeFileSync(target, "old\n");
    rmSync(file);
    symlinkSync(target, file);
    await editStackFile(directory, "acceptance", (text) => {
      expect(readdirSync(path.join(directory, "shared"))).toContain(".acceptance.yaml.lock");
      return `${text}new\n`;
    });
    expect(readFileSync(target, "utf8")).toBe("old\nnew\n");
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
  });
});
