import { compareText, isRecord, quote, valueAt } from "./values";

describe("values", () => {
  it("isRecord accepts plain maps only", () => {
    expect([{}, { a: 1 }].map(isRecord)).toEqual([true, true]);
    expect([null, [], "a", 1, new Date(0), undefined].map(isRecord)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("quote puts strings in single quotes and anything else in JSON", () => {
    expect([quote("1.4"), quote(1.4), quote(null), quote(undefined), quote({ a: 1 })]).toEqual([
      "'1.4'",
      "1.4",
      "null",
      "nothing",
      '{"a":1}',
    ]);
  });

  it("valueAt follows a dotted path or a key list, through arrays, and stops at a missing step", () => {
    const value = { spec: { containers: [{ image: "web:1" }] } };
    expect(valueAt(value, "spec.containers.0.image")).toBe("web:1");
    expect(valueAt(value, ["spec", "containers", "0", "image"])).toBe("web:1");
    expect(valueAt(value, "spec.missing.image")).toBeUndefined();
    expect(valueAt("text", "length")).toBeUndefined();
  });

  it("compareText orders by code point, not by locale", () => {
    expect(["b", "a", "B", "ä"].sort(compareText)).toEqual(["B", "a", "b", "ä"]);
  });
});
