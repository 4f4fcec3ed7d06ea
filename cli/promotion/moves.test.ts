import { productionExample } from "../../test/stack-file-example";
import { setImage } from "../stack-file/edit-images";
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

describe("applyChange of several apps: the file read once, not once per app", () => {
  // With customer-api missing: two entries edited in place (block and flow style), one appended.
  const moves = [
    { app: "main-api", from: undefined, to: { tag: "1.6.0", digest: digest("c") } },
    { app: "web", from: undefined, to: { tag: "2.1.0" } },
    { app: "customer-api", from: undefined, to: { tag: "0.9.4", digest: digest("d") } },
  ] as const;
  const change = { kind: "promotion", environment: "production", requested: "all", moves } as const;

  test("the same text as setting each entry in turn", () => {
    const oneByOne = moves.reduce((text, move) => setImage(text, move.app, move.to, "f"), productionExample);
    expect(applyChange(productionExample, change as never, "f")).toBe(oneByOne);
  });

  test("the entries the file has are located and checked in one parse each", () => {
    // The module object every importer reads `parseDocument` from (an `import *` gets a copy).
    const parses = jest.spyOn(jest.requireActual<typeof import("yaml")>("yaml"), "parseDocument");
    try {
      applyChange(productionExample, { ...change, moves: moves.slice(0, 2) } as never, "f");
      // One to locate the entries, one to read the result back: before, two per app.
      expect(parses).toHaveBeenCalledTimes(2);
    } finally {
      parses.mockRestore();
    }
  });
});
