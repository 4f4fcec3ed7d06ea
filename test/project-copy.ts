import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { root } from "./program";
import { throwawayGitConfig, throwawayGitIdentity } from "./throwaway-git-config";
import { processOutputSync } from "./worker-processes";

/** The stack files of the repository: `Pulumi.<stack>.yaml`, one per environment. */
export const stackFiles = (): string[] =>
  readdirSync(root).filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file));

/** The files of the Pulumi program: what a copy needs to plan an environment. */
const programFiles = [
  "bin",
  "tsconfig.build.json",
  "index.ts",
  "tsconfig.json",
  "package.json",
  "Pulumi.yaml",
  ...stackFiles(),
  "apps",
  "bootstrap",
  "environments",
  "infra",
  "lib",
  "stack-config",
  ".github/required-checks.json",
  // What a checkout leaves out (the linked node_modules below): gate and diff read it.
  ".gitignore",
];

/** What the copy's own `platform` command needs beside the program. */
const cliFiles = ["cli", "engine", "policy", ".github"];

/**
 * Production's stack file after a promotion of every app (the shipped one has no app yet):
 * digests the mock registry is seeded with, as it is with every pinned digest.
 */
export const promotedProductionStackFile = `# Production: deploys only tag@digest references that acceptance ran.
config:
  azure-native:location: westeurope
  platform:images:
    main-api:
      tag: "1.4.0"
      digest: sha256:3f2a9c1d7e4b5a6978c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2
    web:
      tag: "2.0.1"
      digest: sha256:9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b
    customer-api:
      tag: "0.9.3"
      digest: sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
`;

/**
 * Gives a copy this checkout's compiled program (dist/, which test/global-setup.js builds) as the
 * start of its own build: bin/ensure-built.js then compiles only the sources the copy changes
 * (decision 0078), not all of them for every copy that plans. Its stamp is made as old as can be,
 * so that the copy's first build compares every source's content, whatever the test writes after.
 */
function seedBuild(dir: string, cli: boolean): void {
  const built = path.join(root, "dist");
  const stamp = path.join(dir, "dist", ".build-stamp");
  if (!existsSync(built)) return;
  // The CLI's part only where the copy has the CLI's sources.
  const copied = (source: string) =>
    cli || !cliFiles.includes(path.relative(built, source).split(path.sep)[0]!);
  cpSync(built, path.join(dir, "dist"), { recursive: true, filter: copied });
  if (existsSync(stamp)) utimesSync(stamp, 0, 0);
}

/**
 * A git repository in a temporary directory holding a copy of the program (one commit, on
 * `main`), with this checkout's node_modules linked in. `remove()` deletes it.
 *
 * @param files files to write over the copy before the commit, by path (e.g. a stack file)
 * @param options `cli`: the CLI's sources too, so that the copy's `bin/platform.js` runs its own catalog
 */
export function projectCopy(
  files: Readonly<Record<string, string>> = {},
  options: { readonly cli?: boolean } = {},
): {
  readonly dir: string;
  git(...args: string[]): string;
  remove(): void;
} {
  const dir = mkdtempSync(path.join(tmpdir(), "platform-project-"));
  seedBuild(dir, options.cli ?? false);
  // The tests beside the code are not the program: leaving them out copies a third less.
  const notATest = (source: string) => !source.endsWith(".test.ts");
  for (const file of [...programFiles, ...(options.cli ? cliFiles : [])]) {
    cpSync(path.join(root, file), path.join(dir, file), { recursive: true, filter: notATest });
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  const git = (...args: string[]) =>
    processOutputSync("git", args, {
      cwd: dir,
      env: { ...process.env, ...throwawayGitIdentity },
    });
  // No sample hooks, no automatic maintenance (test/throwaway-git-config.ts).
  git("init", "--quiet", "--template=", "--initial-branch=main");
  appendFileSync(path.join(dir, ".git", "config"), throwawayGitConfig);
  git("add", "--all");
  git("commit", "--quiet", "-m", "program");
  return { dir, git, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
