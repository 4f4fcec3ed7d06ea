import {
  applyChange,
  branchName,
  changedApps,
  checkGate,
  commitMessage,
  describeMoves,
  planPromotion,
  planRelease,
  pullRequestBody,
  pullRequestTitle,
  runUrl,
} from "./promotion";
import { readImages } from "./stack-file/read-images";

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;

const deployed = {
  "main-api": { tag: "1.5.0", digest: digest("a"), image: `acr.io/main-api:1.5.0@${digest("a")}` },
  web: { tag: "2.0.1", digest: digest("b") },
};

describe("planPromotion", () => {
  test("moves each app whose entry differs from what the upstream deployed", () => {
    const { change, notDeployed } = planPromotion({
      from: "acceptance",
      to: "production",
      deployed,
      current: {
        "main-api": { tag: "1.4.0", digest: digest("1") },
        web: { tag: "2.0.1", digest: digest("b") },
      },
      apps: "all",
    });
    expect(change).toEqual({
      kind: "promote",
      environment: "production",
      source: "acceptance",
      requested: "all",
      moves: [
        {
          app: "main-api",
          from: { tag: "1.4.0", digest: digest("1") },
          to: { tag: "1.5.0", digest: digest("a") },
        },
      ],
    });
    expect(notDeployed).toEqual(["customer-api"]);
  });

  test("only the named apps, in catalog order, and an app new to the target", () => {
    const { change } = planPromotion({
      from: "acceptance",
      to: "production",
      deployed,
      current: {},
      apps: ["web", "main-api"],
    });
    expect(change.requested).toEqual(["main-api", "web"]);
    expect(change.moves.map((move) => [move.app, move.from])).toEqual([
      ["main-api", undefined],
      ["web", undefined],
    ]);
  });

  test("nothing moves when the target runs what the upstream deployed", () => {
    const current = {
      "main-api": { tag: "1.5.0", digest: digest("a") },
      web: { tag: "2.0.1", digest: digest("b") },
    };
    expect(
      planPromotion({ from: "acceptance", to: "production", deployed, current, apps: "all" }).change.moves,
    ).toEqual([]);
  });

  test("a digest differing under the same tag is a move (a rebuilt tag)", () => {
    const current = { "main-api": { tag: "1.5.0", digest: digest("0") } };
    const { change } = planPromotion({
      from: "acceptance",
      to: "production",
      deployed,
      current,
      apps: ["main-api"],
    });
    expect(change.moves).toHaveLength(1);
  });
});

describe("planRelease", () => {
  test("sets the tag without digest", () => {
    const change = planRelease({
      environment: "acceptance",
      app: "web",
      tag: "2.1.0",
      current: { web: { tag: "2.0.1" } },
    });
    expect(change.moves).toEqual([{ app: "web", from: { tag: "2.0.1" }, to: { tag: "2.1.0" } }]);
  });

  test("nothing moves when the tag is already there without digest", () => {
    expect(
      planRelease({ environment: "acceptance", app: "web", tag: "2.0.1", current: { web: { tag: "2.0.1" } } })
        .moves,
    ).toEqual([]);
  });
});

describe("branches, titles and bodies", () => {
  const promotion = planPromotion({
    from: "acceptance",
    to: "production",
    deployed,
    current: { "main-api": { tag: "1.4.0", digest: digest("1") } },
    apps: "all",
  }).change;

  test("branch names are deterministic: one app, several, all", () => {
    expect(branchName(promotion)).toBe("promote/production/all");
    expect(branchName({ ...promotion, requested: ["main-api"] })).toBe("promote/production/main-api");
    expect(branchName({ ...promotion, requested: ["main-api", "web"] })).toBe(
      "promote/production/main-api+web",
    );
    expect(branchName(planRelease({ environment: "acceptance", app: "web", tag: "1", current: {} }))).toBe(
      "release/acceptance/web",
    );
  });

  test("the title says what moves from what to what", () => {
    expect(pullRequestTitle(promotion)).toBe(
      "Promote to production: main-api 1.4.0 → 1.5.0, web (not deployed) → 2.0.1",
    );
  });

  test("the body has old and new tag and digest, the source and the run", () => {
    const body = pullRequestBody(promotion, {
      command: "platform promote acceptance production --pr",
      runUrl: "https://github.com/acme/platform/actions/runs/7",
    });
    expect(body).toContain("Promotes to **production** the images that **acceptance** has deployed");
    expect(body).toContain(`| main-api | \`1.4.0@${digest("1")}\` | \`1.5.0@${digest("a")}\` |`);
    expect(body).toContain(`| web | not deployed | \`2.0.1@${digest("b")}\` |`);
    expect(body).toContain(
      "Upstream deployment (acceptance): https://github.com/acme/platform/actions/runs/7",
    );
    expect(body).toContain("Opened by `platform promote acceptance production --pr`");
  });

  test("without a run the body has no link", () => {
    expect(pullRequestBody(promotion, { command: "x" })).not.toContain("Upstream deployment");
  });

  test("the commit message carries the generated trailer", () => {
    expect(commitMessage(promotion)).toMatch(/\n\nGenerated-by: platform promote\n$/);
  });

  test("describeMoves prints one line per app", () => {
    expect(describeMoves(promotion)).toEqual([
      `production: main-api 1.4.0@${digest("1")} → 1.5.0@${digest("a")} (deployed in acceptance)`,
      `production: web (not deployed) → 2.0.1@${digest("b")} (deployed in acceptance)`,
    ]);
  });

  test("runUrl needs the three variables GitHub Actions sets", () => {
    const env = {
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "acme/platform",
      GITHUB_RUN_ID: "7",
    };
    expect(runUrl(env)).toBe("https://github.com/acme/platform/actions/runs/7");
    expect(runUrl({ ...env, GITHUB_RUN_ID: undefined })).toBeUndefined();
  });

  test("applyChange edits every moved entry", () => {
    const text = "config:\n  platform:images:\n    main-api: { tag: 1.4.0 }\n";
    expect(readImages(applyChange(text, promotion, "f"), "f")).toEqual({
      "main-api": { tag: "1.5.0", digest: digest("a") },
      web: { tag: "2.0.1", digest: digest("b") },
    });
  });
});

describe("checkGate", () => {
  const base = {
    "main-api": { tag: "1.4.0", digest: digest("1") },
    web: { tag: "2.0.1", digest: digest("b") },
  };

  test("changedApps compares tag and digest", () => {
    expect(changedApps(base, { ...base, web: { tag: "2.0.1" } })).toEqual(["web"]);
    expect(changedApps(base, base)).toEqual([]);
  });

  test("passes what the upstream deployed and fails everything else, saying why", () => {
    const verdicts = checkGate({
      environment: "production",
      upstream: "acceptance",
      base,
      head: {
        "main-api": { tag: "1.5.0", digest: digest("a") },
        "customer-api": { tag: "1.0.0", digest: digest("c") },
      },
      deployed,
    });
    expect(verdicts).toEqual([
      {
        app: "main-api",
        passed: true,
        line: `main-api: passed: 1.5.0@${digest("a")} is what acceptance deployed`,
      },
      { app: "web", passed: true, line: "web: passed: removed from production, nothing to deploy" },
      {
        app: "customer-api",
        passed: false,
        line: "customer-api: failed: acceptance has not deployed customer-api (no images.customer-api in its stack outputs); release and deploy it there first",
      },
    ]);
  });

  test("fails a missing digest, another digest and another tag", () => {
    const lines = (head: Parameters<typeof checkGate>[0]["head"]) =>
      checkGate({ environment: "production", upstream: "acceptance", base: {}, head, deployed }).map(
        (v) => v.line,
      );
    expect(lines({ "main-api": { tag: "1.5.0" } })).toEqual([
      "main-api: failed: 1.5.0 has no digest; production does not build images and deploys only tag@digest (copy it with: platform promote acceptance production --app main-api)",
    ]);
    expect(lines({ "main-api": { tag: "1.5.0", digest: digest("f") } })).toEqual([
      `main-api: failed: ${digest("f")} is not what acceptance deployed (acceptance runs 1.5.0@${digest("a")}); copy it with: platform promote acceptance production --app main-api`,
    ]);
    expect(lines({ "main-api": { tag: "1.5.1", digest: digest("a") } })).toEqual([
      `main-api: failed: tag 1.5.1 does not match the tag acceptance deployed ${digest("a")} as (1.5.0); copy it with: platform promote acceptance production --app main-api`,
    ]);
  });

  test("in the first environment a digest is enough", () => {
    const verdicts = checkGate({
      environment: "acceptance",
      upstream: undefined,
      base: {},
      head: { web: { tag: "2.0.1", digest: digest("b") }, "main-api": { tag: "1.5.0" } },
      deployed: {},
    });
    expect(verdicts.map((v) => v.line)).toEqual([
      "main-api: failed: 1.5.0 has no digest; a gated change must pin tag@digest",
      `web: passed: 2.0.1@${digest("b")} is pinned by digest`,
    ]);
  });
});
