import { createGitFixture, type GitFixture } from "../test/git-fixture";
import { PlatformError } from "./errors";
import { createGit, fetchBranch, readFileAt, type Git } from "./git";

let fixture: GitFixture;
beforeEach(() => (fixture = createGitFixture()));
afterEach(() => fixture.cleanup());

/**
 * A Git adapter that runs `between` right after each `git fetch` it runs: another process in
 * the same clone fetching at that moment, deterministically.
 */
function interleaved(git: Git, between: () => void): Git {
  return {
    ...git,
    async run(args, options) {
      const stdout = await git.run(args, options);
      if (args[0] === "fetch") between();
      return stdout;
    },
  };
}

describe("fetchBranch", () => {
  test("returns the branch's commit even when another fetch in the clone runs right after its own", async () => {
    const other = fixture.pushForeignBranch("release/acceptance/web", { "README.md": "other\n" }, "Other");
    const main = fixture.originBranch("main")!;
    const git = interleaved(createGit(fixture.clone, fixture.env), () =>
      // Another `platform ... --pr` run fetching its branch: it writes FETCH_HEAD.
      fixture.git(["fetch", "--quiet", "origin", "refs/heads/release/acceptance/web"]),
    );
    expect(await fetchBranch(git, "origin", "main")).toBe(main);
    // The other run's FETCH_HEAD is its own: this fetch neither read nor overwrote it.
    expect(fixture.git(["rev-parse", "FETCH_HEAD"])).toBe(other);
  });

  test("leaves no ref of its own behind, and moves no branch", async () => {
    const before = fixture.git(["for-each-ref", "--format=%(refname) %(objectname)"]);
    await fetchBranch(createGit(fixture.clone, fixture.env), "origin", "main");
    expect(fixture.git(["for-each-ref", "--format=%(refname) %(objectname)"])).toBe(before);
  });

  test("a missing branch fails with git's words and leaves no ref behind", async () => {
    const git = createGit(fixture.clone, fixture.env);
    await expect(fetchBranch(git, "origin", "no-such-branch")).rejects.toThrow(
      /couldn't find remote ref refs\/heads\/no-such-branch/,
    );
    expect(fixture.git(["for-each-ref", "refs/platform"])).toBe("");
  });
});

describe("readFileAt", () => {
  test("a file's exact content at a commit, or undefined when the commit or path has none", async () => {
    const texts = { "no-newline.txt": "last line", "utf8.txt": "naïve – ✓\n\n", "empty.txt": "" };
    const commit = fixture.commit({ ...texts, "dir/inner.txt": "x\n" }, "Files");
    const git = createGit(fixture.clone, fixture.env);
    for (const [file, text] of Object.entries(texts)) expect(await readFileAt(git, commit, file)).toBe(text);
    expect(await readFileAt(git, commit, "absent.txt")).toBeUndefined();
    expect(await readFileAt(git, "0".repeat(40), "utf8.txt")).toBeUndefined();
    await expect(readFileAt(git, commit, "dir")).rejects.toThrow(
      new PlatformError(`dir at ${commit} is a tree, not a file`),
    );
  });
});
