import { branchName, commitMessage, describeMoves, pullRequestBody, pullRequestTitle } from "./messages";
import { releaseChange, promotionChange } from "./moves";
import { runUrl } from "./run-url";

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;

const deployed = {
  "main-api": { tag: "1.5.0", digest: digest("a"), image: `acr.io/main-api:1.5.0@${digest("a")}` },
  web: { tag: "2.0.1", digest: digest("b") },
};

describe("branches, titles and bodies", () => {
  const promotion = promotionChange({
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
    expect(branchName(releaseChange({ environment: "acceptance", app: "web", tag: "1", current: {} }))).toBe(
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
});
