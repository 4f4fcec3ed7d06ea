import { changedApps, checkGate } from "./gate";

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;

const deployed = {
  "main-api": { tag: "1.5.0", digest: digest("a"), image: `acr.io/main-api:1.5.0@${digest("a")}` },
  web: { tag: "2.0.1", digest: digest("b") },
};

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
