import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { root } from "./program";

/** The files of the Pulumi program: what a copy needs to plan an environment. */
const programFiles = [
  "bin",
  "tsconfig.build.json",
  "index.ts",
  "tsconfig.json",
  "package.json",
  "Pulumi.yaml",
  "Pulumi.acceptance.yaml",
  "Pulumi.production.yaml",
  "apps",
  "bootstrap",
  "environments",
  "infra",
  ".github/required-checks.json",
];

/**
 * A git repository in a temporary directory holding a copy of the program (one commit, on
 * `main`), with this checkout's node_modules linked in. `remove()` deletes it.
 */
export function projectCopy(): { readonly dir: string; git(...args: string[]): string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), "platform-project-"));
  for (const file of programFiles) cpSync(path.join(root, file), path.join(dir, file), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
      },
    });
  git("init", "--quiet", "--initial-branch=main");
  git("add", "--all", "--", ".", ":!node_modules");
  git("commit", "--quiet", "-m", "program");
  return { dir, git, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
