import * as path from "node:path";
import { createGitFixture } from "./git-fixture";
import { listRefs } from "./ref-files";

// cloneState reads the clone's refs from their files rather than with a git process: it must
// list what `git for-each-ref` lists, packed or loose, nested, symbolic, after deletions.
test("listRefs reads the refs git for-each-ref lists, loose over packed", () => {
  const fixture = createGitFixture();
  try {
    const gitDir = path.join(fixture.clone, ".git");
    const main = fixture.git(["rev-parse", "HEAD"]);
    const forEachRef = () =>
      fixture.git(["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/remotes"]);
    const refs = [
      "refs/heads/a/b/c",
      "refs/heads/z",
      "refs/heads/packed-then-deleted",
      "refs/remotes/origin/Upper",
      "refs/tags/not-listed",
    ];
    fixture.git(
      ["update-ref", "--stdin"],
      undefined,
      {},
      refs.map((ref) => `create ${ref} ${main}\n`).join(""),
    );
    fixture.git(["pack-refs", "--all"]);
    fixture.git(["commit", "--quiet", "--allow-empty", "-m", "next"], undefined, {
      GIT_AUTHOR_NAME: "A",
      GIT_AUTHOR_EMAIL: "a@example.test",
      GIT_COMMITTER_NAME: "A",
      GIT_COMMITTER_EMAIL: "a@example.test",
    });
    const next = fixture.git(["rev-parse", "HEAD"]);
    fixture.git(
      ["update-ref", "--stdin"],
      undefined,
      {},
      [
        `update refs/heads/z ${next}\n`, // loose over packed
        `delete refs/heads/packed-then-deleted\n`,
        `create refs/heads/loose ${next}\n`,
      ].join(""),
    );
    fixture.git(["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"]);
    const listed = listRefs(gitDir, ["refs/heads/", "refs/remotes/"]);
    expect(listed).toBe(forEachRef());
    expect(listed).toContain(`refs/heads/z ${next}`);
    expect(listed).toContain("refs/heads/a/b/c");
    expect(listed).toContain("refs/remotes/origin/HEAD");
    expect(listed).not.toContain("packed-then-deleted");
  } finally {
    fixture.cleanup();
  }
});
