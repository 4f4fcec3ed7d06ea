import { describeInstant, instantOf } from "../lib/zoned-time";
import { checkEnvironments, environments } from "./environments";
import { promotionPolicyProblems, windowVerdict } from "./promotion-policy";
import type { PromotionPolicy } from "./settings";

const office: PromotionPolicy = {
  timeZone: "Europe/Amsterdam",
  windows: [
    { days: ["Monday", "Tuesday", "Wednesday", "Thursday"], from: "09:00", to: "16:00" },
    { days: ["Friday"], from: "09:00", to: "12:00" },
  ],
};
const at = (iso: string) => Date.parse(iso);
const next = (policy: PromotionPolicy, iso: string) => {
  const verdict = windowVerdict(policy, at(iso));
  return verdict.open ? "open" : verdict.next === undefined ? "never" : new Date(verdict.next).toISOString();
};

describe("windowVerdict", () => {
  test.each([
    ["a window opens at its first minute", "2026-12-01T08:00:00Z", "open"],
    ["and closes at its last", "2026-12-01T15:00:00Z", "2026-12-02T08:00:00.000Z"],
    ["one minute before it closes", "2026-12-01T14:59:00Z", "open"],
    ["one minute before it opens", "2026-12-01T07:59:00Z", "2026-12-01T08:00:00.000Z"],
    ["Friday afternoon waits for Monday", "2026-12-04T11:00:00Z", "2026-12-07T08:00:00.000Z"],
    // Daylight saving starts on 2027-03-28: Monday 09:00 in Amsterdam is 07:00 UTC, not 08:00.
    ["across the start of summer time", "2027-03-26T12:00:00Z", "2027-03-29T07:00:00.000Z"],
    // And ends on 2026-10-25: Monday 09:00 is 08:00 UTC again.
    ["across the end of summer time", "2026-10-23T11:00:00Z", "2026-10-26T08:00:00.000Z"],
    ["summer time, inside the window by the local clock", "2027-03-29T07:00:00Z", "open"],
    ["summer time, 08:59 local is outside", "2027-03-29T06:59:00Z", "2027-03-29T07:00:00.000Z"],
  ])("%s", (_, time, expected) => {
    expect(next(office, time)).toBe(expected);
  });

  test("a freeze closes the windows it covers and names its reason; the next opening is after it", () => {
    const policy: PromotionPolicy = {
      ...office,
      freezes: [{ from: "2026-12-21T00:00", to: "2027-01-04T12:00", reason: "year-end freeze" }],
    };
    const verdict = windowVerdict(policy, at("2026-12-22T10:00:00Z"));
    expect(verdict).toEqual({
      open: false,
      why: "frozen: year-end freeze (2026-12-21T00:00 to 2027-01-04T12:00 Europe/Amsterdam)",
      next: at("2027-01-04T11:00:00Z"),
    });
    expect(describeInstant(at("2027-01-04T11:00:00Z"), "Europe/Amsterdam")).toBe(
      "Monday 2027-01-04 12:00 Europe/Amsterdam (11:00 UTC)",
    );
    expect(next(policy, "2026-12-20T23:00:00Z")).toBe("2027-01-04T11:00:00.000Z");
    expect(next(policy, "2027-01-04T11:00:00Z")).toBe("open");
  });

  test("without windows, only freezes close", () => {
    const policy: PromotionPolicy = {
      timeZone: "UTC",
      freezes: [{ from: "2026-12-24T00:00", to: "2026-12-27T00:00", reason: "holidays" }],
    };
    expect(next(policy, "2026-12-23T23:59:00Z")).toBe("open");
    expect(next(policy, "2026-12-25T10:00:00Z")).toBe("2026-12-27T00:00:00.000Z");
  });

  test("a local time the clock skips is read after the gap", () => {
    // 02:30 does not exist in Amsterdam on 2027-03-28; it is read as 03:30 CEST (01:30 UTC).
    expect(
      new Date(
        instantOf({ year: 2027, month: 3, day: 28, hour: 2, minute: 30 }, "Europe/Amsterdam"),
      ).toISOString(),
    ).toBe("2027-03-28T01:30:00.000Z");
    // 02:30 on 2026-10-25 is shown twice: the first (CEST, 00:30 UTC).
    expect(
      new Date(
        instantOf({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, "Europe/Amsterdam"),
      ).toISOString(),
    ).toBe("2026-10-25T00:30:00.000Z");
  });
});

describe("promotionPolicyProblems", () => {
  test("production's policy is valid", () => {
    expect(promotionPolicyProblems(environments.production.promotion!, "p")).toEqual([]);
  });

  test("an unknown time zone, overlapping and inverted windows, bad freezes, a negative soak", () => {
    expect(
      promotionPolicyProblems(
        {
          soakMinutes: -5,
          timeZone: "Europe/Amsterdan",
          windows: [
            { days: ["Monday", "Tuesday"], from: "09:00", to: "16:00" },
            { days: ["Tuesday"], from: "15:00", to: "18:00" },
            { days: ["Friday"], from: "18:00", to: "02:00" },
            { days: ["Caturday" as never], from: "9", to: "10:00" },
            { days: [], from: "10:00", to: "11:00" },
          ],
          freezes: [
            { from: "2026-12-24T00:00", to: "2026-12-20T00:00", reason: " " },
            { from: "2026-02-30T00:00", to: "tomorrow", reason: "x" },
          ],
        },
        "environments.production.promotion",
      ),
    ).toEqual([
      "environments.production.promotion.soakMinutes: -5 is not a whole number of minutes (0 or more)",
      "environments.production.promotion.timeZone: 'Europe/Amsterdan' is not an IANA time zone this runtime knows (such as Europe/Amsterdam or UTC)",
      "environments.production.promotion.windows[1]: Tuesday 15:00-18:00 overlaps environments.production.promotion.windows[0] (Tuesday 09:00-16:00); merge them into one window",
      "environments.production.promotion.windows[2]: closes at 02:00, not after it opens at 18:00; a window never spans midnight (write two)",
      "environments.production.promotion.windows[3].from: '9' is not a time of day (HH:mm)",
      "environments.production.promotion.windows[3].days: 'Caturday' is not a day of the week (Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday)",
      "environments.production.promotion.windows[4].days: empty; name the days it opens on",
      "environments.production.promotion.freezes[0]: ends at 2026-12-20T00:00, not after it starts at 2026-12-24T00:00",
      "environments.production.promotion.freezes[0].reason: empty; say why, the gate prints it",
      "environments.production.promotion.freezes[1].from: '2026-02-30T00:00' is not a local date and time (YYYY-MM-DDTHH:mm)",
      "environments.production.promotion.freezes[1].to: 'tomorrow' is not a local date and time (YYYY-MM-DDTHH:mm)",
    ]);
  });

  test("checkEnvironments reports them under the environment's path", () => {
    expect(
      checkEnvironments({
        ...environments,
        production: { ...environments.production, promotion: { timeZone: "Mars/Olympus" } },
      }),
    ).toEqual([
      "environments.production.promotion.timeZone: 'Mars/Olympus' is not an IANA time zone this runtime knows (such as Europe/Amsterdam or UTC)",
    ]);
  });
});

describe("edges the mutation run left open (environments/promotion-policy.ts)", () => {
  const halfPast: PromotionPolicy = {
    timeZone: "UTC",
    windows: [
      { days: ["Tuesday"], from: "09:30", to: "10:45" },
      { days: ["Tuesday"], from: "13:15", to: "14:00" },
    ],
  };

  test("minutes count: a window from 09:30 opens at 09:30, not 09:00, and closes at 10:45", () => {
    expect(next(halfPast, "2026-12-01T09:29:00Z")).toBe("2026-12-01T09:30:00.000Z");
    expect(next(halfPast, "2026-12-01T09:30:00Z")).toBe("open");
    expect(next(halfPast, "2026-12-01T10:44:00Z")).toBe("open");
    // The next opening is the earliest one ahead, not the first listed or a past one.
    expect(next(halfPast, "2026-12-01T10:45:00Z")).toBe("2026-12-01T13:15:00.000Z");
  });

  test("windows that touch do not overlap; one minute more does; an empty window is refused", () => {
    const problems = (windows: PromotionPolicy["windows"]) =>
      promotionPolicyProblems({ timeZone: "UTC", windows }, "p");
    expect(
      problems([
        { days: ["Monday"], from: "09:00", to: "12:00" },
        { days: ["Monday"], from: "12:00", to: "13:00" },
        { days: ["Tuesday"], from: "11:00", to: "12:30" },
        // Touching the other way round: the later window written first.
        { days: ["Wednesday"], from: "12:00", to: "13:00" },
        { days: ["Wednesday"], from: "09:00", to: "12:00" },
      ]),
    ).toEqual([]);
    expect(
      problems([
        { days: ["Monday"], from: "09:00", to: "12:01" },
        { days: ["Monday"], from: "12:00", to: "13:00" },
      ]),
    ).toEqual([
      "p.windows[1]: Monday 12:00-13:00 overlaps p.windows[0] (Monday 09:00-12:01); merge them into one window",
    ]);
    expect(problems([{ days: ["Monday"], from: "09:00", to: "09:00" }])).toEqual([
      "p.windows[0]: closes at 09:00, not after it opens at 09:00; a window never spans midnight (write two)",
    ]);
  });

  test("a freeze holds from its first minute until its last, exclusive; a soak of 0 is valid", () => {
    const frozen: PromotionPolicy = {
      timeZone: "UTC",
      freezes: [{ from: "2026-12-01T10:00", to: "2026-12-01T12:00", reason: "release" }],
    };
    expect(next(frozen, "2026-12-01T09:59:00Z")).toBe("open");
    expect(next(frozen, "2026-12-01T10:00:00Z")).toBe("2026-12-01T12:00:00.000Z");
    expect(next(frozen, "2026-12-01T12:00:00Z")).toBe("open");
    expect(promotionPolicyProblems({ timeZone: "UTC", soakMinutes: 0 }, "p")).toEqual([]);
  });
});
