import { digest } from "../test/git-fixture";
import { historyOf, pinnedDigest, ranBefore, rollbackStep, type Snapshot } from "./image-history";

const commit = (n: number) => ({
  sha: String(n).repeat(40),
  date: `2026-01-0${n}T10:00:00Z`,
  author: "A",
  title: `c${n}`,
});
const pin = (tag: string, hex: string) => ({ tag, digest: digest(hex) });

// web: 1.0 → 1.1 → (unreadable file) → 1.0 again (a rollback) → removed → 2.0.
const snapshots: Snapshot[] = [
  { commit: commit(1), images: { web: pin("1.0", "a") } },
  { commit: commit(2), images: { web: pin("1.1", "b"), "main-api": pin("3.0", "c") } },
  { commit: commit(3), images: undefined },
  { commit: commit(4), images: { web: pin("1.0", "a"), "main-api": pin("3.0", "c") } },
  { commit: commit(5), images: { "main-api": pin("3.0", "c") } },
  { commit: commit(6), images: { web: pin("2.0", "d"), "main-api": pin("3.0", "c") } },
];
const history = historyOf(snapshots);

test("a version is recorded where an app's entry changes; an unreadable file deployed nothing", () => {
  expect(history.web!.map((record) => [record.commit.title, record.version?.tag])).toEqual([
    ["c1", "1.0"],
    ["c2", "1.1"],
    ["c4", "1.0"],
    ["c5", undefined],
    ["c6", "2.0"],
  ]);
  expect(history["main-api"]!.map((record) => record.commit.title)).toEqual(["c2"]);
});

describe("rollbackStep", () => {
  const step = (choice: Parameters<typeof rollbackStep>[0]["choice"], current = pin("2.0", "d")) =>
    rollbackStep({ environment: "production", app: "web", records: history.web!, current, choice });

  test.each([
    ["previous: the latest earlier version (removals skipped)", { kind: "previous" } as const, "1.0", "c4"],
    ["a tag: its latest earlier version", { kind: "tag", tag: "1.1" } as const, "1.1", "c2"],
  ])("%s", (_name, choice, tag, setBy) => {
    const result = step(choice);
    expect(
      "to" in result && [result.to.version.tag, result.to.commit.title, result.from.commit.title],
    ).toEqual([tag, setBy, "c6"]);
  });

  test("a current entry that is not the history's last version refuses: rewritten", () => {
    expect(step({ kind: "previous" }, pin("2.0", "e"))).toEqual({
      refuse: `web: production's stack file has 2.0@${digest("e")}, but its history on the default branch ends with 2.0@${digest("d")}; the history was rewritten or the file changed outside it: check the default branch, then run again`,
    });
  });

  test("one version only: no earlier version", () => {
    expect(
      rollbackStep({
        environment: "production",
        app: "main-api",
        records: history["main-api"]!,
        current: pin("3.0", "c"),
        choice: { kind: "previous" },
      }),
    ).toEqual({
      refuse: `main-api: production has run only 3.0@${digest("c")} (since 2222222 (2026-01-02 10:00 UTC)); there is no earlier version to roll back to`,
    });
  });

  test("the current tag as --to: nothing to change", () => {
    expect(step({ kind: "tag", tag: "2.0" })).toEqual({
      same: `web: production already runs 2.0@${digest("d")}`,
    });
  });
});

test("a tag's digest comes from any history that pinned it; ranBefore matches tag and digest", () => {
  expect(pinnedDigest([{}, history], "web", "1.1")).toBe(digest("b"));
  expect(pinnedDigest([history], "web", "9.9")).toBeUndefined();
  expect(ranBefore(history.web, pin("1.1", "b"))?.commit.title).toBe("c2");
  expect(ranBefore(history.web, pin("1.1", "f"))).toBeUndefined();
  expect(ranBefore(history.web, { tag: "1.1" })).toBeUndefined();
});
