import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createGitFixture, type GitFixture } from "../test/git-fixture";
import { PlatformError } from "./errors";
import {
  commitFile,
  createGit,
  fetchBranch,
  fetchRefs,
  pushBranch,
  readFileAt,
  resolveCommit,
  type Git,
} from "./git";

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

/** Makes origin's upload-pack count its runs (one per fetch or ls-remote round trip) in a file. */
function countUploadPacks(): () => number {
  const counter = path.join(fixture.root, "upload-packs");
  const wrapper = path.join(fixture.root, "counting-upload-pack");
  writeFileSync(wrapper, `#!/bin/sh\necho run >> '${counter}'\nexec git upload-pack "$@"\n`);
  chmodSync(wrapper, 0o755);
  fixture.git(["config", "remote.origin.uploadpack", wrapper]);
  return () => (existsSync(counter) ? readFileSync(counter, "utf8").split("\n").length - 1 : 0);
}

/** Every ref of the clone but the records' namespace, with its object. */
const refsBut = (namespace: string) =>
  fixture
    .git(["for-each-ref", "--format=%(refname) %(objectname)"])
    .split("\n")
    .filter((line) => !line.startsWith(namespace))
    .join("\n");

describe("fetchRefs", () => {
  test("fetches several refs in one round trip, origin lacking some, and leaves nothing of its own behind", async () => {
    const main = fixture.originBranch("main")!;
    const other = fixture.pushForeignBranch("release/acceptance/web", { "README.md": "other\n" }, "Other");
    // Tags made on origin itself; the clone has none of them.
    const onOrigin = (args: string[]) =>
      fixture.git(args, fixture.origin, {
        GIT_COMMITTER_NAME: "Fixture",
        GIT_COMMITTER_EMAIL: "fixture@example.test",
      });
    onOrigin(["tag", "--annotate", "-m", "deployed", "deployed/production", main]);
    onOrigin(["tag", "verified/acceptance/20261201T100000Z-abcdef0", main]);
    // A tag whose name starts like the optional one: fetched with the pattern, never read.
    onOrigin(["tag", "deployed/production-old", other]);
    fixture.git(["fetch", "--quiet", "origin"]);
    const before = refsBut("refs/platform/verified/");
    const fetchHead = path.join(fixture.clone, ".git", "FETCH_HEAD");
    const fetchHeadBefore = readFileSync(fetchHead, "utf8");
    const uploadPacks = countUploadPacks();

    const fetched = await fetchRefs(createGit(fixture.clone, fixture.env), "origin", {
      required: ["refs/heads/main", "refs/heads/release/acceptance/web"],
      optional: ["refs/tags/deployed/production", "refs/tags/deployed/acceptance"],
      mirror: ["+refs/tags/verified/*:refs/platform/verified/*"],
    });

    expect(uploadPacks()).toBe(1);
    expect([...fetched]).toEqual([
      ["refs/heads/main", main],
      ["refs/heads/release/acceptance/web", other],
      // An annotated tag is read as the commit it points to.
      ["refs/tags/deployed/production", main],
      ["refs/tags/deployed/acceptance", undefined],
    ]);
    expect(fixture.git(["for-each-ref", "--format=%(refname)", "refs/platform/verified/"])).toBe(
      "refs/platform/verified/acceptance/20261201T100000Z-abcdef0",
    );
    // No ref of its own left, no tag, branch or remote-tracking ref created or moved, no FETCH_HEAD.
    expect(fixture.git(["for-each-ref", "refs/platform/fetch/"])).toBe("");
    expect(refsBut("refs/platform/verified/")).toBe(before);
    expect(readFileSync(fetchHead, "utf8")).toBe(fetchHeadBefore);
  });

  test("reads an optional ref as the clone has it, as rev-parse would, and leaves the clone's refs alone", async () => {
    const main = fixture.originBranch("main")!;
    const identity = { GIT_COMMITTER_NAME: "Fixture", GIT_COMMITTER_EMAIL: "fixture@example.test" };
    const tree = fixture.git(["rev-parse", "main^{tree}"]);
    // The clone's own tags; origin has none of them.
    fixture.git(["tag", "deployed/lightweight", main]);
    fixture.git(["tag", "--annotate", "-m", "a", "deployed/annotated", main], undefined, identity);
    fixture.git(
      ["tag", "--annotate", "-m", "b", "deployed/tag-of-tag", "deployed/annotated"],
      undefined,
      identity,
    );
    fixture.git(["tag", "--annotate", "-m", "c", "deployed/of-a-tree", tree], undefined, identity);
    // A ref below a name is no ref of that name.
    fixture.git(["tag", "deployed/below/x", main]);
    const names = ["lightweight", "annotated", "tag-of-tag", "of-a-tree", "below", "absent"].map(
      (name) => `refs/tags/deployed/${name}`,
    );
    const before = refsBut("refs/platform/verified/");
    const git = createGit(fixture.clone, fixture.env);

    const fetched = await fetchRefs(git, "origin", { required: ["refs/heads/main"], optional: names });

    const inClone = await Promise.all(names.map((name) => fetched.inClone(name)));
    expect(inClone).toEqual([main, main, main, undefined, undefined, undefined]);
    expect(await Promise.all(names.map((name) => resolveCommit(git, name)))).toEqual(inClone);
    expect(names.map((name) => fetched.get(name))).toEqual(names.map(() => undefined));
    expect(refsBut("refs/platform/verified/")).toBe(before);
  });

  test("a required ref origin lacks fails the fetch with git's words, leaving nothing behind", async () => {
    const before = refsBut("refs/platform/verified/");
    await expect(
      fetchRefs(createGit(fixture.clone, fixture.env), "origin", {
        required: ["refs/heads/main", "refs/heads/no-such-branch"],
        optional: ["refs/tags/deployed/production"],
      }),
    ).rejects.toThrow(/couldn't find remote ref refs\/heads\/no-such-branch/);
    expect(fixture.git(["for-each-ref", "refs/platform/"])).toBe("");
    expect(refsBut("refs/platform/verified/")).toBe(before);
  });
});

describe("fetchRefs, one optional ref", () => {
  test("reads a tag origin moved as origin has it now, in one round trip, leaving the clone's tag alone", async () => {
    const first = fixture.originBranch("main")!;
    fixture.git(["tag", "deployed/production", first]);
    fixture.git(["push", "--quiet", "origin", "refs/tags/deployed/production"]);
    const second = fixture.commit({ "README.md": "second\n" }, "Second");
    // The deploy workflow moves the tag on origin; the clone keeps the one it fetched.
    fixture.git(["push", "--quiet", "--force", "origin", `${second}:refs/tags/deployed/production`]);
    const uploadPacks = countUploadPacks();
    const git = createGit(fixture.clone, fixture.env);

    const fetchOne = async (ref: string) => (await fetchRefs(git, "origin", { optional: [ref] })).get(ref);
    expect(await fetchOne("refs/tags/deployed/production")).toBe(second);
    expect(await fetchOne("refs/tags/deployed/acceptance")).toBeUndefined();
    expect(uploadPacks()).toBe(2);
    expect(fixture.git(["rev-parse", "deployed/production"])).toBe(first);
    expect(fixture.git(["for-each-ref", "refs/platform/"])).toBe("");
  });
});

describe("commitFile", () => {
  const message = "Change\n\nGenerated-by: platform test\n";

  test("changes a top-level file (keeping its mode) or a deeper one, touching no branch, index or working tree", async () => {
    fixture.write("run.sh", "echo 1\n");
    fixture.write("deploy/inner/Pulumi.production.yaml", "a: 1\n");
    fixture.git(["add", "run.sh", "deploy"]);
    fixture.git(["update-index", "--chmod=+x", "run.sh"]);
    const parent = fixture.commit({}, "Files");
    const before = fixture.cloneState();
    const index = fixture.git(["ls-files", "--stage"]);
    const git = createGit(fixture.clone, fixture.env);

    for (const [file, content] of [
      ["run.sh", "echo 2\n"],
      ["Pulumi.production.yaml", "changed: true\n"],
      ["new.txt", "new\n"],
      ["deploy/inner/Pulumi.production.yaml", "a: 2\n"],
    ] as const) {
      const commit = await commitFile(git, { parent, path: file, content, message });
      expect(fixture.git(["rev-parse", `${commit}^`])).toBe(parent);
      expect(fixture.git(["show", `${commit}:${file}`])).toBe(content.trimEnd());
      expect(fixture.git(["log", "-1", "--format=%B", commit])).toBe(message.trimEnd());
      // The one file changed, nothing else.
      expect(fixture.git(["diff", "--name-only", parent, commit])).toBe(file);
      expect(fixture.git(["ls-tree", commit, "run.sh"]).split(" ")[0]).toBe("100755");
    }
    expect(fixture.cloneState()).toEqual(before);
    expect(fixture.git(["ls-files", "--stage"])).toBe(index);
  });

  test("commits as the configured identity, else as GitHub Actions' bot, key by key", async () => {
    const git = createGit(fixture.clone, fixture.env);
    const parent = fixture.originBranch("main")!;
    const who = async () =>
      fixture.git([
        "log",
        "-1",
        "--format=%an <%ae> %cn <%ce>",
        await commitFile(git, { parent, path: "README.md", content: "x\n", message }),
      ]);
    const bot = "github-actions[bot]";
    const botEmail = "41898282+github-actions[bot]@users.noreply.github.com";
    expect(await who()).toBe(`${bot} <${botEmail}> ${bot} <${botEmail}>`);
    fixture.git(["config", "user.name", "Dev One"]);
    expect(await who()).toBe(`Dev One <${botEmail}> Dev One <${botEmail}>`);
    fixture.git(["config", "user.email", "dev@example.test"]);
    // A later empty value overrides the first, as `git config --get` reads it.
    fixture.git(["config", "--add", "user.name", ""]);
    expect(await who()).toBe(`${bot} <dev@example.test> ${bot} <dev@example.test>`);
  });
});

describe("pushBranch", () => {
  test("asks git for the push URL once per adapter, not once per push", async () => {
    const base = createGit(fixture.clone, fixture.env);
    const runs: string[] = [];
    const git: Git = {
      ...base,
      run: (args, options) => (runs.push(args.join(" ")), base.run(args, options)),
    };
    const main = fixture.originBranch("main")!;
    await pushBranch(git, "origin", { branch: "promote/production/all", commit: main, expected: undefined });
    expect(fixture.originBranch("promote/production/all")).toBe(main);
    await pushBranch(git, "origin", { branch: "promote/production/all", commit: undefined, expected: main });
    expect(fixture.originBranch("promote/production/all")).toBeUndefined();
    expect(runs.filter((run) => run.startsWith("remote get-url"))).toHaveLength(1);
  });
});
