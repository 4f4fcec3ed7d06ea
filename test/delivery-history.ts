import { formatRecordMessage, recordTagName } from "../cli/verified-records";
import type { EnvironmentName } from "../environments";
import { createGitFixtureWithHistory, digest, type GitFixture, type HistoryCommit } from "./git-fixture";
import { stackFile } from "./release-history";

/** The time the synthetic history is read at (PLATFORM_NOW). */
export const deliveryNow = "2026-01-21T00:00:00Z";

/** A synthetic repository of releases, promotions, a rollback and a failed verification, at fixed dates. */
export interface DeliveryHistoryFixture {
  readonly fixture: GitFixture;
  /** The environment the CLI runs with (the fixture's, PLATFORM_NOW, the repository's address). */
  readonly env: Record<string, string>;
}

const files = (acceptance: readonly string[], production: readonly string[]) => ({
  "Pulumi.acceptance.yaml": stackFile("acceptance", acceptance),
  "Pulumi.production.yaml": stackFile("production", production),
});

/**
 * Builds, a day or so apart in January 2026 (all times UTC):
 *
 * 1. `start` (01-01 09:00): acceptance and production run main-api 1.0.0 and web 2.0.0; both verified.
 * 2. #1 release main-api 1.1.0 (opened 01-05 09:00, merged 10:00, acceptance verified 10:30);
 *    #2 its promotion (opened 12:30, merged 14:00, production verified 14:20).
 * 3. #3 release web 2.1.0, squash-merged 01-08 09:00, verified 09:20; #4 its promotion (opened
 *    11:00, merged 11:30, verified 11:45); #5 rolls production back to web 2.0.0 (opened 13:00,
 *    merged 13:10, verified 13:25).
 * 4. #6 release main-api 1.2.0 (merged 01-12 09:30) is never verified; #7 release 1.2.1 (opened
 *    11:00, merged 11:15, verified 11:40); #8 its promotion (opened 01-13 09:00, merged 10:00,
 *    verified 10:15).
 * 5. A direct push (01-14 09:00) adds customer-api 0.1.0 to acceptance, verified 09:10; a README
 *    change (01-15); #9 release web 2.2.0 merged 01-20 10:00, not verified yet.
 */
export function createDeliveryHistory(): DeliveryHistoryFixture {
  // The commits as `git commit` and `git merge --no-ff` would make them, each pushed, written
  // with one git fast-import; then the records, as `git tag --annotate` in origin would.
  const history: HistoryCommit[] = [
    { files: { "README.md": "# platform\n" }, message: "Initial commit", date: "2025-12-31T09:00:00Z" },
  ];
  const direct = (time: string, changes: Readonly<Record<string, string>>, message: string) => {
    history.push({ files: changes, message, date: time });
    return history.length - 1;
  };
  /** A pull request from `branch`, opened at `opened`, merged with a merge commit at `merged`. */
  const merged = (
    number: number,
    branch: string,
    title: string,
    opened: string,
    merged: string,
    changes: Readonly<Record<string, string>>,
  ) => {
    const main = history.length - 1;
    history.push({
      files: changes,
      message: `${title}\n\nGenerated-by: platform ${branch.split("/")[0]}`,
      date: opened,
    });
    history.push({
      files: {},
      message: `Merge pull request #${number} from acme/${branch}\n\n${title}`,
      date: merged,
      parent: main,
      merge: main + 1,
    });
    return history.length - 1;
  };
  const records: {
    environment: EnvironmentName;
    commit: number;
    at: string;
    images: Record<string, string>;
  }[] = [];
  const record = (environment: EnvironmentName, commit: number, at: string, images: Record<string, string>) =>
    records.push({ environment, commit, at, images });
  const api = (tag: string, hex: string) => `main-api: { tag: "${tag}", digest: ${digest(hex)} }`;
  const web = (tag: string, hex: string) => `web: { tag: "${tag}", digest: ${digest(hex)} }`;
  const at = (app: string, tag: string) => `${app}: { tag: "${tag}" }`;
  const ref = (tag: string, hex: string) => `${tag}@${digest(hex)}`;

  const start = direct(
    "2026-01-01T09:00:00Z",
    files([at("main-api", "1.0.0"), at("web", "2.0.0")], [api("1.0.0", "1"), web("2.0.0", "2")]),
    "Start: main-api 1.0.0 and web 2.0.0 everywhere",
  );
  record("acceptance", start, "2026-01-01T10:00:00Z", {
    "main-api": ref("1.0.0", "1"),
    web: ref("2.0.0", "2"),
  });
  record("production", start, "2026-01-01T11:00:00Z", {
    "main-api": ref("1.0.0", "1"),
    web: ref("2.0.0", "2"),
  });

  const r1 = merged(
    1,
    "release/acceptance/main-api",
    "Release to acceptance: main-api 1.0.0 → 1.1.0",
    "2026-01-05T09:00:00Z",
    "2026-01-05T10:00:00Z",
    files([at("main-api", "1.1.0"), at("web", "2.0.0")], [api("1.0.0", "1"), web("2.0.0", "2")]),
  );
  record("acceptance", r1, "2026-01-05T10:30:00Z", { "main-api": ref("1.1.0", "a"), web: ref("2.0.0", "2") });
  const p2 = merged(
    2,
    "promote/production/main-api",
    "Promote to production: main-api 1.0.0 → 1.1.0",
    "2026-01-05T12:30:00Z",
    "2026-01-05T14:00:00Z",
    files([at("main-api", "1.1.0"), at("web", "2.0.0")], [api("1.1.0", "a"), web("2.0.0", "2")]),
  );
  record("production", p2, "2026-01-05T14:20:00Z", { "main-api": ref("1.1.0", "a"), web: ref("2.0.0", "2") });

  const r3 = direct(
    "2026-01-08T09:00:00Z",
    files([at("main-api", "1.1.0"), at("web", "2.1.0")], [api("1.1.0", "a"), web("2.0.0", "2")]),
    "Release to acceptance: web 2.0.0 → 2.1.0 (#3)\n\n* Release to acceptance: web 2.0.0 → 2.1.0\n\nGenerated-by: platform release",
  );
  record("acceptance", r3, "2026-01-08T09:20:00Z", { "main-api": ref("1.1.0", "a"), web: ref("2.1.0", "b") });
  const p4 = merged(
    4,
    "promote/production/web",
    "Promote to production: web 2.0.0 → 2.1.0",
    "2026-01-08T11:00:00Z",
    "2026-01-08T11:30:00Z",
    files([at("main-api", "1.1.0"), at("web", "2.1.0")], [api("1.1.0", "a"), web("2.1.0", "b")]),
  );
  record("production", p4, "2026-01-08T11:45:00Z", { "main-api": ref("1.1.0", "a"), web: ref("2.1.0", "b") });
  const b5 = merged(
    5,
    "rollback/production/web",
    "Roll back production: web 2.1.0 → 2.0.0",
    "2026-01-08T13:00:00Z",
    "2026-01-08T13:10:00Z",
    files([at("main-api", "1.1.0"), at("web", "2.1.0")], [api("1.1.0", "a"), web("2.0.0", "2")]),
  );
  record("production", b5, "2026-01-08T13:25:00Z", { "main-api": ref("1.1.0", "a"), web: ref("2.0.0", "2") });

  merged(
    6,
    "release/acceptance/main-api",
    "Release to acceptance: main-api 1.1.0 → 1.2.0",
    "2026-01-12T09:00:00Z",
    "2026-01-12T09:30:00Z",
    files([at("main-api", "1.2.0"), at("web", "2.1.0")], [api("1.1.0", "a"), web("2.0.0", "2")]),
  );
  const r7 = merged(
    7,
    "release/acceptance/main-api",
    "Release to acceptance: main-api 1.2.0 → 1.2.1",
    "2026-01-12T11:00:00Z",
    "2026-01-12T11:15:00Z",
    files([at("main-api", "1.2.1"), at("web", "2.1.0")], [api("1.1.0", "a"), web("2.0.0", "2")]),
  );
  record("acceptance", r7, "2026-01-12T11:40:00Z", { "main-api": ref("1.2.1", "c"), web: ref("2.1.0", "b") });
  const p8 = merged(
    8,
    "promote/production/main-api",
    "Promote to production: main-api 1.1.0 → 1.2.1",
    "2026-01-13T09:00:00Z",
    "2026-01-13T10:00:00Z",
    files([at("main-api", "1.2.1"), at("web", "2.1.0")], [api("1.2.1", "c"), web("2.0.0", "2")]),
  );
  record("production", p8, "2026-01-13T10:15:00Z", { "main-api": ref("1.2.1", "c"), web: ref("2.0.0", "2") });

  const d9 = direct(
    "2026-01-14T09:00:00Z",
    files(
      [at("main-api", "1.2.1"), at("web", "2.1.0"), at("customer-api", "0.1.0")],
      [api("1.2.1", "c"), web("2.0.0", "2")],
    ),
    "Add customer-api to acceptance",
  );
  record("acceptance", d9, "2026-01-14T09:10:00Z", {
    "main-api": ref("1.2.1", "c"),
    web: ref("2.1.0", "b"),
    "customer-api": ref("0.1.0", "f"),
  });
  direct("2026-01-15T09:00:00Z", { "README.md": "# platform\n\nDocs.\n" }, "Docs");
  merged(
    9,
    "release/acceptance/web",
    "Release to acceptance: web 2.1.0 → 2.2.0",
    "2026-01-20T09:00:00Z",
    "2026-01-20T10:00:00Z",
    files(
      [at("main-api", "1.2.1"), at("web", "2.2.0"), at("customer-api", "0.1.0")],
      [api("1.2.1", "c"), web("2.0.0", "2")],
    ),
  );
  const { fixture, commits } = createGitFixtureWithHistory(history);
  let runId = 100;
  const tags = records.map(({ environment, commit, at, images }) => {
    const verifiedAt = Date.parse(at);
    const message = formatRecordMessage({
      environment,
      commit: commits[commit]!,
      verifiedAt,
      run: `https://github.test/acme/platform/actions/runs/${runId++}`,
      images: Object.fromEntries(
        Object.entries(images).map(([app, ref]) => [
          app,
          { tag: ref.slice(0, ref.indexOf("@")), digest: ref.slice(ref.indexOf("@") + 1) },
        ]),
      ),
    });
    return [
      `tag ${recordTagName({ environment, verifiedAt, commit: commits[commit]! })}`,
      `from ${commits[commit]}`,
      `tagger Fixture <fixture@example.test> ${verifiedAt / 1000} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
    ].join("\n");
  });
  fixture.git(["fast-import", "--quiet"], fixture.origin, {}, tags.join("\n"));
  return {
    fixture,
    env: {
      ...fixture.env,
      PLATFORM_NOW: deliveryNow,
      GITHUB_SERVER_URL: "https://github.test",
      GITHUB_REPOSITORY: "acme/platform",
    },
  };
}
