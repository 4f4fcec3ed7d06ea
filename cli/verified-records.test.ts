import { GitError } from "./git";
import {
  describeRecord,
  describeSet,
  fetchRecords,
  formatRecordMessage,
  parseRecord,
  readRecords,
  recordImageProblems,
  recordTagName,
  sameSet,
  writeRecord,
  type VerifiedRecord,
} from "./verified-records";

// The pure reading of a record: every field a forged or damaged tag could get wrong is refused,
// with the reason the gate prints beside "ignored" (docs/decisions/0046).
const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;
const commit = "1a2b3c4".padEnd(40, "d");
const name = "verified/production/20261201T100000Z-1a2b3c4";
const fields = {
  environment: "production",
  commit,
  "verified-at": "2026-12-01T10:00:00.000Z",
  run: "https://github.test/acme/platform/actions/runs/7",
  images: `\n  web: 2.0.1@${digest("b")}\n  main-api: 1.4.0@${digest("a")}`,
};
const message = (over: Record<string, string | undefined> = {}, header = "platform verification record\n") =>
  `${header}\n${Object.entries({ ...fields, ...over })
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}:${value.startsWith("\n") ? "" : " "}${value}`)
    .join("\n")}\n`;
const problem = (result: ReturnType<typeof parseRecord>) =>
  "problem" in result ? result.problem : "a record";

test("a record's tag and message read back as the record they were written from", () => {
  const record: Omit<VerifiedRecord, "name"> = {
    environment: "production",
    commit,
    verifiedAt: Date.parse("2026-12-01T10:00:00Z"),
    run: "https://github.test/acme/platform/actions/runs/7",
    images: { web: { tag: "2.0.1", digest: digest("b") }, "main-api": { tag: "1.4.0", digest: digest("a") } },
  };
  expect(recordTagName(record)).toBe(name);
  const text = formatRecordMessage(record);
  // Catalog order, whatever the order of the map.
  expect(text).toBe(message({ images: `\n  main-api: 1.4.0@${digest("a")}\n  web: 2.0.1@${digest("b")}` }));
  expect(parseRecord(name, commit, text)).toEqual({ record: { name, ...record } });
  expect(formatRecordMessage({ ...record, images: {} })).toContain("\nimages: {}\n");
  expect(parseRecord(name, commit, message({ images: "{}" }))).toMatchObject({ record: { images: {} } });
});

test.each(["1".repeat(40), `${"1".repeat(20)}e${"2".repeat(19)}`])(
  "a commit id YAML's core schema would read as a number (%s) reads back as the commit",
  (digits) => {
    const record: Omit<VerifiedRecord, "name"> = {
      environment: "production",
      commit: digits,
      verifiedAt: Date.parse("2026-12-01T10:00:00Z"),
      run: "https://github.test/acme/platform/actions/runs/7",
      images: {},
    };
    const tagName = recordTagName(record);
    expect(parseRecord(tagName, digits, formatRecordMessage(record))).toEqual({
      record: { name: tagName, ...record },
    });
  },
);

test.each([
  [
    "a name outside the scheme",
    { name: "verified/production/2026-12-01-1a2b3c4" },
    "its name is not verified/<environment>/<time>-<commit>",
  ],
  [
    "a name with more path before the scheme",
    { name: "verified/production/old/verified/production/20261201T100000Z-1a2b3c4" },
    "its name is not verified/<environment>/<time>-<commit>",
  ],
  [
    "a name with more after the commit",
    { name: "verified/production/20261201T100000Z-1a2b3c4-retry" },
    "its name is not verified/<environment>/<time>-<commit>",
  ],
  [
    "a short commit in the name",
    { name: "verified/production/20261201T100000Z-1a2b3c" },
    "its name is not verified/<environment>/<time>-<commit>",
  ],
  [
    "another first line",
    { text: message({}, "a record\n") },
    "its message does not start with 'platform verification record'",
  ],
  [
    "no blank second line",
    { text: message({}, "platform verification record") },
    "its message does not start with 'platform verification record'",
  ],
  [
    "a message that is not YAML",
    { text: "platform verification record\n\nimages: [\n" },
    /^its message is not YAML \(.+\)$/,
  ],
  [
    "a duplicate field",
    { text: `${message()}run: https://x.test/1\n` },
    /^its message is not YAML \(Map keys must be unique.*\)$/,
  ],
  ["no fields", { text: "platform verification record\n\n- a\n" }, "its message holds no fields"],
  ["an unknown field", { text: message({ by: "me", extra: "x" }) }, "unknown fields by, extra"],
  [
    "an unknown environment",
    { text: message({ environment: "staging" }) },
    "environment 'staging' is not one of acceptance, production",
  ],
  [
    "no environment",
    { text: message({ environment: undefined }) },
    "environment nothing is not one of acceptance, production",
  ],
  [
    "another environment than the name's",
    { text: message({ environment: "acceptance" }) },
    "environment acceptance is not the one its name says (production)",
  ],
  ["a short commit", { text: message({ commit: "1a2b3c4" }) }, "commit '1a2b3c4' is not a full commit id"],
  [
    "a commit after another character",
    { text: message({ commit: `g${commit}` }) },
    `commit 'g${commit}' is not a full commit id`,
  ],
  [
    "a commit with one more digit",
    { text: message({ commit: `${commit}0` }) },
    `commit '${commit}0' is not a full commit id`,
  ],
  [
    "a commit that is a list",
    { text: message({ commit: `[${commit}]` }) },
    `commit ["${commit}"] is not a full commit id`,
  ],
  [
    "a commit the tag does not point to",
    { tagged: "9".repeat(40) },
    "commit 1a2b3c4 is not the commit the tag points to (9999999)",
  ],
  [
    "a commit the name does not say",
    { name: "verified/production/20261201T100000Z-1a2b3c5" },
    "commit 1a2b3c4 is not the one its name says (1a2b3c5)",
  ],
  [
    "a time without a zone",
    { text: message({ "verified-at": "2026-12-01T10:00:00" }) },
    "verified-at '2026-12-01T10:00:00' is not a UTC time (ISO 8601, ending in Z)",
  ],
  [
    "a date for a time",
    { text: message({ "verified-at": "2026-12-01" }) },
    "verified-at '2026-12-01' is not a UTC time (ISO 8601, ending in Z)",
  ],
  [
    "a time with an extended year",
    { text: message({ "verified-at": "+002026-12-01T10:00:00Z" }) },
    "verified-at '+002026-12-01T10:00:00Z' is not a UTC time (ISO 8601, ending in Z)",
  ],
  [
    "a time that is a list",
    { text: message({ "verified-at": "[2026-12-01T10:00:00Z]" }) },
    `verified-at ["2026-12-01T10:00:00Z"] is not a UTC time (ISO 8601, ending in Z)`,
  ],
  [
    "another time than the name's",
    { text: message({ "verified-at": "2026-12-01T10:00:01Z" }) },
    "verified-at 2026-12-01T10:00:01Z is not the time its name says (20261201T100000Z)",
  ],
  [
    "a run that is not an https URL",
    { text: message({ run: "http://github.test/run/7" }) },
    "run 'http://github.test/run/7' is not the https URL of the run",
  ],
  [
    "a run with a space",
    { text: message({ run: "'https://github.test/run 7'" }) },
    "run 'https://github.test/run 7' is not the https URL of the run",
  ],
  [
    "a run after other text",
    { text: message({ run: "see:https://github.test/run/7" }) },
    "run 'see:https://github.test/run/7' is not the https URL of the run",
  ],
  [
    "a run that is a list",
    { text: message({ run: "[https://github.test/run/7]" }) },
    `run ["https://github.test/run/7"] is not the https URL of the run`,
  ],
  [
    // YAML's limit, which the parser applies only in strict mode.
    "a key longer than 1024 characters",
    { text: message({ ["x".repeat(1025)]: "1" }) },
    /^its message is not YAML \(The : indicator must be at most 1024 chars after the start of an implicit block mapping key/,
  ],
  [
    "no images",
    { text: message({ images: undefined }) },
    "images: expected a map of app name to tag@digest, found nothing",
  ],
  [
    "every problem at once",
    { text: message({ environment: "staging", run: "x", images: "[]" }) },
    "environment 'staging' is not one of acceptance, production; run 'x' is not the https URL of the run; images: expected a map of app name to tag@digest, found []",
  ],
])("%s is no record", (_, over: { name?: string; tagged?: string; text?: string }, says) => {
  const result = parseRecord(over.name ?? name, over.tagged ?? commit, over.text ?? message());
  if (typeof says === "string") expect(problem(result)).toBe(says);
  else expect(problem(result)).toMatch(says);
});

test.each([
  [
    "an unknown app",
    { "old-app": `1.0.0@${digest("a")}` },
    "images.old-app: 'old-app' is not an app of this platform (main-api, web, customer-api)",
  ],
  ["a tag without a digest", { web: "2.0.1" }, "images.web: '2.0.1' is not tag@digest"],
  ["a map for an entry", { web: { tag: "2.0.1" } }, `images.web: {"tag":"2.0.1"} is not tag@digest`],
  [
    "a bad tag",
    { web: `-x@${digest("b")}` },
    "images.web: tag '-x' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')",
  ],
  [
    "an empty tag",
    { web: `@${digest("b")}` },
    "images.web: tag '' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')",
  ],
  [
    "a short digest",
    { web: "2.0.1@sha256:12" },
    "images.web: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars)",
  ],
  [
    "two @, the last one splits",
    { web: `2.0.1@x@${digest("b")}` },
    "images.web: tag '2.0.1@x' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')",
  ],
])("recordImageProblems: %s", (_, images, says) => {
  expect(recordImageProblems(images, "images")).toEqual([says]);
});

test("recordImageProblems: a valid set, and one problem per entry", () => {
  expect(
    recordImageProblems({ web: `2.0.1@${digest("b")}`, "main-api": `1.4.0@${digest("a")}` }, "images"),
  ).toEqual([]);
  expect(
    recordImageProblems({ web: "x", "main-api": "y", "customer-api": `1@${digest("c")}` }, "at"),
  ).toEqual(["at.web: 'x' is not tag@digest", "at.main-api: 'y' is not tag@digest"]);
  expect(recordImageProblems("web", "at")).toEqual([
    "at: expected a map of app name to tag@digest, found 'web'",
  ]);
});

test("sameSet, describeSet, describeRecord", () => {
  const web = { tag: "2.0.1", digest: digest("b") };
  const record = {
    name,
    environment: "production",
    commit,
    verifiedAt: Date.parse("2026-12-01T10:05:30Z"),
    run: "https://x",
    images: { web },
  } as const;
  expect(sameSet({ web }, record)).toBe(true);
  // Same apps, same tag@digest each: an extra app, a missing one or another digest is another set.
  expect(sameSet({ web, "main-api": { tag: "1", digest: digest("a") } }, record)).toBe(false);
  expect(sameSet({}, record)).toBe(false);
  expect(sameSet({ web: { tag: "2.0.1" } }, record)).toBe(false);
  expect(describeSet({ web, "main-api": { tag: "1.4.0" } })).toBe(`main-api 1.4.0, web 2.0.1@${digest("b")}`);
  expect(describeSet({})).toBe("no app");
  expect(describeRecord(record)).toBe(`${name} (2026-12-01 10:05 UTC)`);
});

describe("reading and writing records through git (a fake git: the commands and their output)", () => {
  const at = (iso: string) => Date.parse(iso);
  const recordOf = (iso: string, hex: string): Omit<VerifiedRecord, "name"> => ({
    environment: "production",
    commit: hex.repeat(40 / hex.length),
    verifiedAt: at(iso),
    run: "https://github.test/run/1",
    images: { web: { tag: "2.0.1", digest: digest("b") } },
  });
  const later = recordOf("2026-12-02T10:00:00Z", "2a");
  const earlier = recordOf("2026-12-01T10:00:00Z", "3b");
  const rest = (record: Omit<VerifiedRecord, "name">) => recordTagName(record).slice("verified/".length);
  const entry = (ref: string, type: string, object: string, peeled: string, contents: string) =>
    [ref, type, object, peeled, contents].join("\x00");
  const fake = (refs: string[], fetch: () => void = () => undefined) => {
    const calls: string[][] = [];
    const git = {
      cwd: "/x",
      env: {},
      run: (args: readonly string[]) => {
        calls.push([...args]);
        if (args[0] === "fetch") fetch();
        return Promise.resolve(args[0] === "for-each-ref" ? refs.map((ref) => `${ref}\x1e\n`).join("") : "");
      },
    };
    return { git, calls };
  };

  test("readRecords: origin's records oldest first; lightweight, malformed and local-only tags ignored, saying why", async () => {
    const { git, calls } = fake([
      entry(
        `refs/platform/verified/${rest(later)}`,
        "tag",
        "a".repeat(40),
        later.commit,
        formatRecordMessage(later),
      ),
      entry(
        `refs/platform/verified/${rest(earlier)}`,
        "tag",
        "b".repeat(40),
        earlier.commit,
        formatRecordMessage(earlier),
      ),
      entry("refs/platform/verified/production/20261203T100000Z-4444444", "commit", "4".repeat(40), "", ""),
      entry(
        "refs/platform/verified/production/20261204T100000Z-5555555",
        "tag",
        "c".repeat(40),
        "5".repeat(40),
        "x\n",
      ),
      entry(
        `refs/tags/verified/${rest(later)}`,
        "tag",
        "a".repeat(40),
        later.commit,
        formatRecordMessage(later),
      ),
      entry(
        `refs/tags/verified/${rest(earlier)}`,
        "tag",
        "d".repeat(40),
        earlier.commit,
        formatRecordMessage(earlier),
      ),
    ]);
    const read = await readRecords(git, "production");
    expect(read.records.map((record) => record.name)).toEqual([recordTagName(earlier), recordTagName(later)]);
    expect(read.records[0]).toEqual({ name: recordTagName(earlier), ...earlier });
    expect(read.ignored).toEqual([
      "verified/production/20261203T100000Z-4444444: ignored: a lightweight tag, not an annotated record",
      "verified/production/20261204T100000Z-5555555: ignored: its message does not start with 'platform verification record'",
      `${recordTagName(earlier)}: ignored: this tag is not on origin as it is here; only records the deploy workflow pushed count`,
    ]);
    expect(read.fresh).toBe(true);
    expect(calls).toEqual([
      [
        "fetch",
        "--quiet",
        "--no-tags",
        "--prune",
        "origin",
        "+refs/tags/verified/*:refs/platform/verified/*",
      ],
      [
        "for-each-ref",
        "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(contents)%1e",
        "refs/platform/verified/production/",
        "refs/tags/verified/production/",
      ],
    ]);
  });

  test("readRecords: origin out of reach, the last fetch's records, not fresh; a caller's fetch is not repeated", async () => {
    const offline = fake([], () => {
      throw new GitError(["fetch"], 128, "could not resolve host");
    });
    expect(await readRecords(offline.git, "acceptance")).toEqual({ records: [], ignored: [], fresh: false });
    const fetched = fake([]);
    expect((await readRecords(fetched.git, "acceptance", { fresh: false })).fresh).toBe(false);
    expect(fetched.calls.map((call) => call[0])).toEqual(["for-each-ref"]);
    // Anything but git failing is a bug, not an unreachable origin.
    const broken = fake([], () => {
      throw new TypeError("bug");
    });
    await expect(fetchRecords(broken.git)).rejects.toThrow("bug");
  });

  test("writeRecord: an annotated tag on the commit, pushed to origin by name; refused, the local tag goes too", async () => {
    const { git, calls } = fake([]);
    expect(await writeRecord(git, later)).toBe(recordTagName(later));
    const name = recordTagName(later);
    expect(calls).toEqual([
      ["tag", "--annotate", "--file=-", "--no-sign", name, later.commit],
      ["push", "--quiet", "origin", `refs/tags/${name}:refs/tags/${name}`],
    ]);
    const refused: string[][] = [];
    const failing = {
      ...git,
      run: (args: readonly string[]) => {
        refused.push([...args]);
        return args[0] === "push"
          ? Promise.reject(new GitError(["push"], 1, "already exists"))
          : Promise.resolve("");
      },
    };
    await expect(writeRecord(failing, later)).rejects.toThrow("already exists");
    expect(refused.at(-1)).toEqual(["tag", "--delete", name]);
  });
});
