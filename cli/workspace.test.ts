import * as fs from "node:fs/promises";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InputError } from "./errors";
import { readStackFile, writeFileAtomic } from "./workspace";

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
