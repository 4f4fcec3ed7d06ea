import { readImages } from "../stack-file/read-images";
import { applyChange, promotionChange, releaseChange } from "./moves";

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;

const deployed = {
  "main-api": { tag: "1.5.0", digest: digest("a"), image: `acr.io/main-api:1.5.0@${digest("a")}` },
  web: { tag: "2.0.1", digest: digest("b") },
};

describe("promotionChange", () => {
  test("moves each app whose entry differs from what the upstream deployed", () => {
    const { change, notDeployed } = promotionChange({
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
    const { change } = promotionChange({
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
      promotionChange({ from: "acceptance", to: "production", deployed, current, apps: "all" }).change.moves,
    ).toEqual([]);
  });

  test("a digest differing under the same tag is a move (a rebuilt tag)", () => {
    const current = { "main-api": { tag: "1.5.0", digest: digest("0") } };
    const { change } = promotionChange({
      from: "acceptance",
      to: "production",
      deployed,
      current,
      apps: ["main-api"],
    });
    expect(change.moves).toHaveLength(1);
  });
});

describe("releaseChange", () => {
  test("sets the tag without digest", () => {
    const change = releaseChange({
      environment: "acceptance",
      app: "web",
      tag: "2.1.0",
      current: { web: { tag: "2.0.1" } },
    });
    expect(change.moves).toEqual([{ app: "web", from: { tag: "2.0.1" }, to: { tag: "2.1.0" } }]);
  });

  test("nothing moves when the tag is already there without digest", () => {
    expect(
      releaseChange({
        environment: "acceptance",
        app: "web",
        tag: "2.0.1",
        current: { web: { tag: "2.0.1" } },
      }).moves,
    ).toEqual([]);
  });
});

describe("applyChange", () => {
  const promotion = promotionChange({
    from: "acceptance",
    to: "production",
    deployed,
    current: { "main-api": { tag: "1.4.0", digest: digest("1") } },
    apps: "all",
  }).change;

  test("applyChange edits every moved entry", () => {
    const text = "config:\n  platform:images:\n    main-api: { tag: 1.4.0 }\n";
    expect(readImages(applyChange(text, promotion, "f"), "f")).toEqual({
      "main-api": { tag: "1.5.0", digest: digest("a") },
      web: { tag: "2.0.1", digest: digest("b") },
    });
  });
});
