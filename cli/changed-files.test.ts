import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { createGitFixture, type GitFixture } from "../test/git-fixture";
import { root } from "../test/program";
import { changedFiles } from "./changed-files";
import { createGit } from "./git";

let fixture: GitFixture;
beforeEach(() => {
  // The repository's own .gitignore decides what a checkout's gate and diff count as changed.
  fixture = createGitFixture({
    ".gitignore": readFileSync(path.join(root, ".gitignore"), "utf8"),
    "README.md": "# platform\n",
  });
});
afterEach(() => fixture.cleanup());

test("linked dependencies and build output (symlinks, as CI caches and worktrees make them) are not changed files", async () => {
  const shared = path.join(fixture.root, "shared");
  mkdirSync(path.join(shared, "node_modules", "yaml"), { recursive: true });
  mkdirSync(path.join(shared, "dist"));
  symlinkSync(path.join(shared, "node_modules"), path.join(fixture.clone, "node_modules"), "dir");
  symlinkSync(path.join(shared, "dist"), path.join(fixture.clone, "dist"), "dir");
  mkdirSync(path.join(fixture.clone, "bootstrap"));
  symlinkSync(
    path.join(shared, "node_modules"),
    path.join(fixture.clone, "bootstrap", "node_modules"),
    "dir",
  );
  fixture.write("index.ts", "export {};\n");
  const git = createGit(fixture.clone, fixture.env);
  expect(await changedFiles(git, "HEAD")).toEqual(["index.ts"]);
});

test("from a subdirectory: every changed file of the repository, by its path from the top (diff.relative or not)", async () => {
  fixture.commit({ "infra/main.ts": "export {};\n" }, "infra");
  fixture.write("README.md", "# changed\n");
  fixture.write("docs/new.md", "untracked, outside the subdirectory\n");
  fixture.write("infra/new.ts", "export {};\n");
  fixture.write("infra/main.ts", "export const changed = 1;\n");
  const relative = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "diff.relative", GIT_CONFIG_VALUE_0: "true" };
  for (const env of [fixture.env, { ...fixture.env, ...relative }]) {
    const git = createGit(path.join(fixture.clone, "infra"), env);
    expect(await changedFiles(git, "HEAD~1")).toEqual([
      "README.md",
      "docs/new.md",
      "infra/main.ts",
      "infra/new.ts",
    ]);
  }
});
