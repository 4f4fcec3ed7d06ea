import type { PullRequestReviews } from "../github";
import type { VerifiedRecord } from "../verified-records";
import { judgeBreakGlass } from "./break-glass";
import { changedApps, checkGate, soakedSet, soakOf, type GateInput } from "./gate";

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;
const record = (
  environment: "acceptance" | "production",
  iso: string,
  images: VerifiedRecord["images"],
): VerifiedRecord => ({
  name: `verified/${environment}/${iso}`,
  environment,
  commit: "1".repeat(40),
  verifiedAt: Date.parse(iso),
  run: "https://github.test/run",
  images,
});
const v = (tag: string, hex: string) => ({ tag, digest: digest(hex) });
const base = { "main-api": v("1.4.0", "1"), web: v("2.0.1", "2") };
const next = { "main-api": v("1.5.0", "a"), web: v("2.0.1", "2") };
const input = (over: Partial<GateInput>): GateInput => ({
  environment: "production",
  upstream: "acceptance",
  base,
  head: next,
  upstreamRecords: [record("acceptance", "2026-12-01T06:00:00Z", next)],
  ownRecords: [record("production", "2026-11-01T06:00:00Z", base)],
  partial: false,
  breakGlass: undefined,
  now: Date.parse("2026-12-01T10:00:00Z"),
  policy: { soakMinutes: 60, timeZone: "UTC", windows: [{ days: ["Tuesday"], from: "09:00", to: "17:00" }] },
  ...over,
});
const lines = (over: Partial<GateInput>) => checkGate(input(over)).verdicts.map((verdict) => verdict.line);

test("changedApps compares tag and digest", () => {
  expect(changedApps(base, { ...base, web: { tag: "2.0.1" } })).toEqual(["web"]);
  expect(changedApps(base, base)).toEqual([]);
});

test("an unchanged set has nothing to judge", () => {
  expect(checkGate(input({ head: base }))).toEqual({ kind: "unchanged", verdicts: [], passed: true });
});

test("a verified, soaked set inside a window passes", () => {
  const result = checkGate(input({}));
  expect([result.kind, result.passed]).toEqual(["promotion", true]);
  expect(result.verdicts.map((verdict) => verdict.app ?? "-")).toEqual(["main-api", "-", "-", "-"]);
});

test("a rollback to the environment's own verified set passes at any time, before any other check", () => {
  const result = checkGate(
    input({ base: next, head: base, upstreamRecords: [], now: Date.parse("2026-12-05T23:00:00Z") }),
  );
  expect(result.kind).toBe("rollback");
  expect(result.passed).toBe(true);
  expect(result.verdicts.at(-1)!.line).toBe(
    "rollback: production verified this set together in verified/production/2026-11-01T06:00:00Z (2026-11-01 06:00 UTC); a rollback is allowed at any time, soak and windows do not apply",
  );
  // A set the environment verified before, with one entry's digest dropped, is no rollback.
  const unpinned = checkGate(input({ base: next, head: { ...base, web: { tag: "2.0.1" } } }));
  expect([unpinned.kind, unpinned.passed]).toEqual(["promotion", false]);
});

test("an entry production verified in another set is no rollback, and the message says so", () => {
  expect(
    lines({ base: next, head: { "main-api": v("1.4.0", "1"), web: v("2.0.2", "b") }, upstreamRecords: [] }),
  ).toContain(
    `main-api: failed: 1.4.0@${digest("1")} is in no verification record of acceptance (production verified it, but in another set: roll back the whole set with platform rollback production); copy it with: platform promote acceptance production`,
  );
});

test("the first environment takes any pinned entry, and the windows still apply", () => {
  const result = checkGate(
    input({
      environment: "acceptance",
      upstream: undefined,
      ownRecords: [],
      upstreamRecords: [],
      now: Date.parse("2026-12-01T20:00:00Z"),
    }),
  );
  expect(result.verdicts.map((verdict) => verdict.line)).toEqual([
    `main-api: passed: 1.5.0@${digest("a")} is pinned by digest`,
    "window: failed: Tuesday 2026-12-01 20:00 UTC is outside the promotion windows (Tuesday 09:00-17:00 UTC); the promotion may deploy from Tuesday 2026-12-08 09:00 UTC, or at once with promotion:break-glass and two approvals",
  ]);
});

test("no policy: no soak and no window lines", () => {
  expect(lines({ policy: undefined })).toEqual([
    `main-api: passed: 1.5.0@${digest("a")} was verified by acceptance in verified/acceptance/2026-12-01T06:00:00Z (2026-12-01 06:00 UTC)`,
    "together: production will run the set acceptance verified in verified/acceptance/2026-12-01T06:00:00Z (2026-12-01 06:00 UTC)",
  ]);
});

test("soak counts a stint up to the record that replaced it", () => {
  const a = record("acceptance", "2026-12-01T06:00:00Z", next);
  const b = record("acceptance", "2026-12-01T06:30:00Z", next);
  const c = record("acceptance", "2026-12-01T07:10:00Z", base);
  const d = record("acceptance", "2026-12-01T09:00:00Z", next);
  const holds = (r: VerifiedRecord) => r.images["main-api"]?.tag === "1.5.0";
  const now = Date.parse("2026-12-01T09:30:00Z");
  expect(soakOf([a, b, c, d], holds, 60, now)).toEqual({ soaked: true, since: a, ran: 70 * 60_000 });
  expect(soakOf([a, b, c, d], holds, 90, now)).toEqual({
    soaked: false,
    readyAt: Date.parse("2026-12-01T10:30:00Z"),
    since: d,
  });
  expect(soakOf([a, c], holds, 90, now)).toMatchObject({ soaked: false, replaced: { first: a, endedBy: c } });
  expect(soakOf([c], holds, 90, now)).toBeUndefined();
  // Exactly the soak time counts as soaked.
  expect(soakOf([d], holds, 30, now)).toMatchObject({ soaked: true });
});

test("promote proposes the newest set that soaked, else says when the newest will", () => {
  const a = record("acceptance", "2026-12-01T06:00:00Z", next);
  const b = record("acceptance", "2026-12-01T07:30:00Z", base);
  const c = record("acceptance", "2026-12-01T09:30:00Z", next);
  const now = Date.parse("2026-12-01T10:00:00Z");
  expect(soakedSet([], 60, now)).toEqual({ kind: "none" });
  // Both a's and b's sets soaked: the newer, b's.
  expect(soakedSet([a, b], 60, now)).toEqual({ kind: "soaked", record: b });
  // c has run 30 min, but its set soaked from a until b replaced it: c's set, newest record first.
  expect(soakedSet([a, b, c], 60, now)).toEqual({ kind: "soaked", record: c });
  expect(soakedSet([c], 60, now)).toEqual({
    kind: "waiting",
    newest: c,
    readyAt: Date.parse("2026-12-01T10:30:00Z"),
  });
});

describe("the gate's exact lines (cases the mutation run found unasserted)", () => {
  const r = (iso: string, images: VerifiedRecord["images"]) => record("acceptance", iso, images);
  const at = (iso: string) => `verified/acceptance/${iso} (${iso.slice(0, 16).replace("T", " ")} UTC)`;
  const window = "window: open: inside a promotion window (Tuesday 09:00-17:00 UTC)";

  test("a partial promotion that removes an app: the removal passes, only the pinned apps soak", () => {
    const mainApi = { "main-api": v("1.5.0", "a") };
    expect(
      lines({ partial: true, head: mainApi, upstreamRecords: [r("2026-12-01T06:00:00Z", mainApi)] }),
    ).toEqual([
      `main-api: passed: 1.5.0@${digest("a")} was verified by acceptance in ${at("2026-12-01T06:00:00Z")}`,
      "web: passed: removed from production, nothing to deploy",
      `together: production will run the set acceptance verified in ${at("2026-12-01T06:00:00Z")}`,
      `soak: main-api 1.5.0@${digest("a")} ran verified in acceptance for 240 min since ${at("2026-12-01T06:00:00Z")} (60 min required)`,
      window,
    ]);
  });

  test("the newest record holding a version or the set is the one named", () => {
    const records = [r("2026-12-01T06:00:00Z", next), r("2026-12-01T07:00:00Z", next)];
    expect(lines({ upstreamRecords: records }).slice(0, 2)).toEqual([
      `main-api: passed: 1.5.0@${digest("a")} was verified by acceptance in ${at("2026-12-01T07:00:00Z")}`,
      `together: production will run the set acceptance verified in ${at("2026-12-01T07:00:00Z")}`,
    ]);
    const own = [
      record("production", "2026-11-01T06:00:00Z", base),
      record("production", "2026-11-02T06:00:00Z", base),
    ];
    expect(lines({ base: next, head: base, ownRecords: own }).at(-1)).toBe(
      "rollback: production verified this set together in verified/production/2026-11-02T06:00:00Z (2026-11-02 06:00 UTC); a rollback is allowed at any time, soak and windows do not apply",
    );
  });

  test("a rollback that removes an app is still a rollback", () => {
    const mainApi = { "main-api": v("1.4.0", "1") };
    const result = checkGate(
      input({
        base: next,
        head: mainApi,
        ownRecords: [record("production", "2026-11-01T06:00:00Z", mainApi)],
      }),
    );
    expect([result.kind, result.passed]).toEqual(["rollback", true]);
    expect(result.verdicts.map((verdict) => verdict.line).slice(0, 2)).toEqual([
      `main-api: passed: 1.4.0@${digest("1")} is in the set production verified in verified/production/2026-11-01T06:00:00Z (2026-11-01 06:00 UTC)`,
      "web: passed: removed from production, nothing to deploy",
    ]);
  });

  test("a set never verified together names the record nearest to it, the newest of the nearest", () => {
    const together = (upstreamRecords: VerifiedRecord[]) =>
      lines({ upstreamRecords }).find((line) => line.startsWith("together:"));
    const says = (differences: string) =>
      `together: failed: production would run main-api 1.5.0@${digest("a")}, web 2.0.1@${digest("2")}, a combination acceptance never verified together (${differences}); promote a whole verified set, or label the pull request promotion:partial`;
    const oneOff = r("2026-12-01T06:00:00Z", { "main-api": v("1.5.0", "a"), web: v("2.0.0", "3") });
    const twoOff = r("2026-12-01T07:00:00Z", { "main-api": v("1.3.0", "5"), web: v("2.0.0", "3") });
    const alsoOneOff = r("2026-12-01T05:00:00Z", { "main-api": v("1.3.0", "5"), web: v("2.0.1", "2") });
    expect(together([oneOff, twoOff])).toBe(
      says(`the nearest, ${at("2026-12-01T06:00:00Z")}, has web 2.0.0@${digest("3")}`),
    );
    expect(together([alsoOneOff, oneOff, twoOff])).toBe(
      says(`the nearest, ${at("2026-12-01T06:00:00Z")}, has web 2.0.0@${digest("3")}`),
    );
    expect(together([twoOff])).toBe(
      says(
        `the nearest, ${at("2026-12-01T07:00:00Z")}, has main-api 1.3.0@${digest("5")}, web 2.0.0@${digest("3")}`,
      ),
    );
    expect(together([])).toBe(says("acceptance has no verification record"));
  });

  test("no soak line without an upstream or with a soak of 0", () => {
    const soakLines = (over: Partial<GateInput>) => lines(over).filter((line) => line.startsWith("soak:"));
    expect(soakLines({ policy: { ...input({}).policy!, soakMinutes: 0 } })).toEqual([]);
    expect(soakLines({ policy: { ...input({}).policy!, soakMinutes: undefined } })).toEqual([]);
    expect(soakLines({ environment: "acceptance", upstream: undefined, ownRecords: [] })).toEqual([]);
  });

  test("an app the catalog dropped: its removal passes, listed after the catalog's apps, before the set", () => {
    expect(checkGate(input({ head: base, removedFromCatalog: ["billing-api"] }))).toEqual({
      kind: "promotion",
      verdicts: [
        {
          app: "billing-api",
          passed: true,
          line: "billing-api: passed: removed from the catalog (apps/catalog.ts), nothing to deploy",
        },
      ],
      passed: true,
    });
    expect(lines({ removedFromCatalog: ["billing-api"] }).slice(0, 3)).toEqual([
      `main-api: passed: 1.5.0@${digest("a")} was verified by acceptance in ${at("2026-12-01T06:00:00Z")}`,
      "billing-api: passed: removed from the catalog (apps/catalog.ts), nothing to deploy",
      `together: production will run the set acceptance verified in ${at("2026-12-01T06:00:00Z")}`,
    ]);
  });
});

describe("break-glass", () => {
  const glass = (approved: boolean) => ({
    approved,
    detail: approved ? "approved by ann and bob, who have write access" : "has 1",
  });
  const outside = {
    now: Date.parse("2026-12-01T20:00:00Z"),
    upstreamRecords: [record("acceptance", "2026-12-01T19:50:00Z", next)],
  };

  test("approved, it lifts soak and windows, never the verification", () => {
    const result = checkGate(input({ ...outside, breakGlass: glass(true) }));
    expect(result.passed).toBe(true);
    expect(result.verdicts.map((verdict) => verdict.line).slice(2)).toEqual([
      "break-glass: in effect (approved by ann and bob, who have write access): soak, windows and freezes are lifted",
      "soak: the set has not soaked 60 min in acceptance; lifted by promotion:break-glass",
      "window: outside the promotion windows (Tuesday 09:00-17:00 UTC); lifted by promotion:break-glass",
    ]);
    expect(checkGate(input({ ...outside, upstreamRecords: [], breakGlass: glass(true) })).passed).toBe(false);
  });

  test("not approved, it lifts nothing", () => {
    const result = checkGate(input({ ...outside, breakGlass: glass(false) }));
    expect(result.passed).toBe(false);
    expect(result.verdicts.map((verdict) => verdict.line)).toContain("break-glass: not in effect: has 1");
  });

  const pull = (reviews: PullRequestReviews["reviews"]): PullRequestReviews => ({
    number: 7,
    author: "carol",
    headSha: "h".repeat(40),
    labels: ["promotion:break-glass"],
    reviews,
  });
  const approve = (user: string, commitId = "h".repeat(40)) => ({ user, state: "APPROVED", commitId });
  const write = { ann: "write", bob: "admin", carol: "write", dan: "read" };

  test("two approvals of the head by people with write access, other than the author", () => {
    expect(judgeBreakGlass(pull([approve("ann"), approve("bob")]), write)).toEqual({
      approved: true,
      detail: "approved by ann and bob, who have write access",
    });
  });

  test.each([
    ["one approver", [approve("ann")], "and has 1 (ann)"],
    ["the same person twice", [approve("ann"), approve("ann")], "and has 1 (ann)"],
    [
      "the author approving",
      [approve("ann"), approve("carol")],
      "and has 1 (ann); the author's (carol) own approval does not count",
    ],
    [
      "an approver without write access",
      [approve("ann"), approve("dan")],
      "and has 1 (ann); dan approved without write access",
    ],
    ["an approval of an older commit", [approve("ann"), approve("bob", "o".repeat(40))], "and has 1 (ann)"],
    [
      "an approval withdrawn by a later change request",
      [approve("ann"), approve("bob"), { user: "bob", state: "CHANGES_REQUESTED", commitId: "h".repeat(40) }],
      "and has 1 (ann)",
    ],
    [
      "an approval later dismissed",
      [approve("ann"), approve("bob"), { user: "bob", state: "DISMISSED", commitId: "h".repeat(40) }],
      "and has 1 (ann)",
    ],
    [
      "the author only commenting",
      [approve("ann"), { user: "carol", state: "COMMENTED", commitId: "h".repeat(40) }],
      "and has 1 (ann)",
    ],
    [
      "two approvers without write access",
      [approve("dan"), approve("erin")],
      "and has 0; dan, erin approved without write access",
    ],
    [
      "one without write access and the author",
      [approve("dan"), approve("carol")],
      "and has 0; dan approved without write access; the author's (carol) own approval does not count",
    ],
  ])("%s does not hold", (_, reviews, says) => {
    const verdict = judgeBreakGlass(pull(reviews), write);
    expect(verdict.approved).toBe(false);
    expect(verdict.detail).toBe(
      `pull request #7 needs approvals of its head commit hhhhhhh by 2 different people with write access other than its author, ${says}`,
    );
  });

  test("a comment after an approval keeps it", () => {
    const verdict = judgeBreakGlass(
      pull([approve("ann"), approve("bob"), { user: "bob", state: "COMMENTED", commitId: "h".repeat(40) }]),
      write,
    );
    expect(verdict.approved).toBe(true);
  });
});
