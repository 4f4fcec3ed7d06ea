import { promotionScope } from "./promotion-scope";

// Unit tests of the promotion scope (the survivors of ../shared/reviews/mutation-gate.md #2, #11,
// #12): a change outside `config:` is never a promotion, whatever its type.
const stackFile = "Pulumi.production.yaml";
const config = (web: string, extra: Record<string, unknown> = {}) => ({
  "azure-native:location": "westeurope",
  "platform:images": { web: { tag: web } },
  ...extra,
});
const scope = (base: unknown, head: unknown, changedFiles = [stackFile]) =>
  promotionScope({ stackFile, changedFiles, base, head, allowRemoval: false });

test("only image versions change: a promotion", () => {
  expect(scope({ config: config("1") }, { config: config("2") })).toEqual({
    touchesStackFile: true,
    isPromotion: true,
    addedApps: [],
    reasons: [],
    removedApps: [],
  });
});

test("a boolean, a number or a string outside config: changes: not a promotion, named", () => {
  expect(scope({ config: config("1"), x: true }, { config: config("2"), x: false }).reasons).toEqual([
    `${stackFile}: x changes`,
  ]);
  expect(scope({ config: config("1"), n: 1 }, { config: config("2"), n: 2 }).isPromotion).toBe(false);
  expect(
    scope(
      { config: config("1"), secretsprovider: "azurekeyvault://a/keys/k" },
      { config: config("2"), secretsprovider: "azurekeyvault://b/keys/k" },
    ).reasons,
  ).toEqual([`${stackFile}: secretsprovider changes`]);
});

test("another config key beside the images: named by its own key", () => {
  expect(
    scope({ config: config("1") }, { config: config("2", { "azure-native:location": "northeurope" }) })
      .reasons,
  ).toEqual([`${stackFile}: azure-native:location changes`]);
});

test("an untouched stack file: not a promotion, one reason, nothing else looked at", () => {
  expect(scope({ config: config("1") }, { config: config("2"), x: 1 }, ["README.md"])).toEqual({
    touchesStackFile: false,
    isPromotion: false,
    addedApps: [],
    reasons: [`${stackFile} does not change`],
    removedApps: [],
  });
});

test("an empty document, or a config: that is not a map, is not a promotion", () => {
  expect(scope(null, { config: config("2") }).reasons).toEqual(
    [`${stackFile}: config is added`, `${stackFile}: document is removed`].sort(),
  );
  expect(scope({ config: config("1") }, { config: "x" }).reasons).toEqual([
    `${stackFile}: config changes`,
    "removes web (a promotion may remove an app only with --allow-removal)",
  ]);
});

describe("cases the mutation run found unasserted", () => {
  test("a map outside config: is one key: its change is named by that key, not by its own keys", () => {
    expect(
      scope({ config: config("1"), meta: { a: 1 } }, { config: config("2"), meta: { a: 2 } }).reasons,
    ).toEqual([`${stackFile}: meta changes`]);
    // An unchanged key outside config: is no reason.
    expect(
      scope({ config: config("1"), encryptionsalt: "s" }, { config: config("2"), encryptionsalt: "s" }),
    ).toEqual({
      touchesStackFile: true,
      isPromotion: true,
      addedApps: [],
      reasons: [],
      removedApps: [],
    });
  });

  test("config keys are named in sorted order", () => {
    expect(
      scope(
        { config: config("1", { "zeta:x": 1, "alpha:y": 1 }) },
        { config: config("2", { "zeta:x": 2, "alpha:y": 2 }) },
      ).reasons,
    ).toEqual([`${stackFile}: alpha:y changes`, `${stackFile}: zeta:x changes`]);
  });

  test("other files are named sorted, at most 10, then how many more", () => {
    const files = (count: number) =>
      Array.from({ length: count }, (_, index) => `f${String(count - index).padStart(2, "0")}.ts`);
    const reasons = (others: string[]) =>
      scope({ config: config("1") }, { config: config("2") }, [stackFile, ...others]).reasons;
    expect(reasons(["b.ts", "a.ts"])).toEqual(["other files change: a.ts, b.ts"]);
    expect(reasons(files(10))).toEqual([`other files change: ${files(10).reverse().join(", ")}`]);
    expect(reasons(files(12))).toEqual([
      `other files change: ${files(12).reverse().slice(0, 10).join(", ")} and 2 more`,
    ]);
  });

  test("removed and added apps are listed", () => {
    const images = (entries: Record<string, unknown>) => ({
      config: { "azure-native:location": "westeurope", "platform:images": entries },
    });
    const result = scope(
      images({ "main-api": { tag: "1" }, web: { tag: "1" } }),
      images({ "customer-api": { tag: "1" } }),
    );
    expect(result.removedApps).toEqual(["main-api", "web"]);
    expect(result.addedApps).toEqual(["customer-api"]);
    expect(result.reasons).toEqual([
      "removes main-api, web (a promotion may remove an app only with --allow-removal)",
    ]);
  });
});
