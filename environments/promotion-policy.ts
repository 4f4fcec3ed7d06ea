// When a promotion may deploy: an environment's weekly windows and dated freezes, evaluated at
// any instant, offline (docs/decisions/0047).
import { describeInstant, instantOf, isTimeZone, wallClock, weekdays } from "../lib/zoned-time";
import type { PromotionPolicy, PromotionWindow } from "./settings";

const timeOfDay = /^([01]\d|2[0-3]):([0-5]\d)$/;
const localDateTime = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;

const minutesOf = (time: string): number | undefined => {
  const match = timeOfDay.exec(time);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
};

/** A freeze bound `YYYY-MM-DDTHH:mm` as the instant it is in `zone`; undefined when malformed. */
function freezeBound(text: string, zone: string): number | undefined {
  const match = localDateTime.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return instantOf({ year, month, day, hour, minute }, zone);
}

/**
 * What is wrong with a promotion policy (`at` is its settings path): an unknown time zone,
 * malformed or empty windows, windows that overlap, malformed freezes, a negative soak. One
 * message per problem.
 */
export function promotionPolicyProblems(policy: PromotionPolicy, at: string): string[] {
  const problems: string[] = [];
  const soak = policy.soakMinutes;
  if (soak !== undefined && (!Number.isInteger(soak) || soak < 0)) {
    problems.push(`${at}.soakMinutes: ${soak} is not a whole number of minutes (0 or more)`);
  }
  const zoneKnown = isTimeZone(policy.timeZone);
  if (!zoneKnown) {
    problems.push(
      `${at}.timeZone: '${policy.timeZone}' is not an IANA time zone this runtime knows (such as Europe/Amsterdam or UTC)`,
    );
  }
  const spans: { day: string; from: number; to: number; index: number }[] = [];
  (policy.windows ?? []).forEach((window, index) => {
    const where = `${at}.windows[${index}]`;
    const [from, to] = [minutesOf(window.from), minutesOf(window.to)];
    if (from === undefined) problems.push(`${where}.from: '${window.from}' is not a time of day (HH:mm)`);
    if (to === undefined) problems.push(`${where}.to: '${window.to}' is not a time of day (HH:mm)`);
    if (from !== undefined && to !== undefined && to <= from) {
      problems.push(
        `${where}: closes at ${window.to}, not after it opens at ${window.from}; a window never spans midnight (write two)`,
      );
    }
    if (window.days.length === 0) problems.push(`${where}.days: empty; name the days it opens on`);
    for (const day of window.days) {
      if (!(weekdays as readonly string[]).includes(day)) {
        problems.push(`${where}.days: '${day}' is not a day of the week (${weekdays.join(", ")})`);
      } else if (from !== undefined && to !== undefined && to > from) {
        for (const other of spans.filter((span) => span.day === day && span.from < to && from < span.to)) {
          problems.push(
            `${where}: ${day} ${window.from}-${window.to} overlaps ${at}.windows[${other.index}] (${day} ${formatMinutes(other.from)}-${formatMinutes(other.to)}); merge them into one window`,
          );
        }
        spans.push({ day, from, to, index });
      }
    }
  });
  (policy.freezes ?? []).forEach((freeze, index) => {
    const where = `${at}.freezes[${index}]`;
    const zone = zoneKnown ? policy.timeZone : "UTC";
    const [from, to] = [freezeBound(freeze.from, zone), freezeBound(freeze.to, zone)];
    if (from === undefined)
      problems.push(`${where}.from: '${freeze.from}' is not a local date and time (YYYY-MM-DDTHH:mm)`);
    if (to === undefined)
      problems.push(`${where}.to: '${freeze.to}' is not a local date and time (YYYY-MM-DDTHH:mm)`);
    if (from !== undefined && to !== undefined && to <= from) {
      problems.push(`${where}: ends at ${freeze.to}, not after it starts at ${freeze.from}`);
    }
    if (freeze.reason.trim() === "") problems.push(`${where}.reason: empty; say why, the gate prints it`);
  });
  return problems;
}

const formatMinutes = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** Whether promotions may deploy at an instant, and if not, why and from when they may. */
export type WindowVerdict =
  | { readonly open: true; readonly why: string }
  | { readonly open: false; readonly why: string; readonly next: number | undefined };

const inWindow = (window: PromotionWindow, clock: { weekday: string; minutes: number }): boolean =>
  window.days.includes(clock.weekday as never) &&
  minutesOf(window.from)! <= clock.minutes &&
  clock.minutes < minutesOf(window.to)!;

/** The freeze in force at `time`, if any. */
function freezeAt(policy: PromotionPolicy, time: number) {
  return (policy.freezes ?? []).find(
    (freeze) =>
      freezeBound(freeze.from, policy.timeZone)! <= time && time < freezeBound(freeze.to, policy.timeZone)!,
  );
}

/** Whether a window is open at `time` (no windows: always). */
function windowOpen(policy: PromotionPolicy, time: number): boolean {
  const windows = policy.windows ?? [];
  if (windows.length === 0) return true;
  const clock = wallClock(time, policy.timeZone);
  const at = { weekday: clock.weekday, minutes: clock.hour * 60 + clock.minute };
  return windows.some((window) => inWindow(window, at));
}

/** How far ahead the next opening is looked for. */
const horizonDays = 400;

/**
 * Whether a promotion may deploy at `time` under `policy` (the policy checked first with
 * {@link promotionPolicyProblems}), with the next instant it may when not: the first window
 * opening, or freeze end, from which both allow it.
 */
export function windowVerdict(policy: PromotionPolicy, time: number): WindowVerdict {
  const zone = policy.timeZone;
  const freeze = freezeAt(policy, time);
  if (freeze === undefined && windowOpen(policy, time)) {
    return {
      open: true,
      why:
        (policy.windows ?? []).length === 0
          ? "no freeze in force"
          : `inside a promotion window (${describeWindows(policy)})`,
    };
  }
  const candidates: number[] = (policy.freezes ?? []).map((f) => freezeBound(f.to, zone)!);
  const start = wallClock(time, zone);
  for (let day = 0; day <= horizonDays; day++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + day));
    const weekday = weekdays[(date.getUTCDay() + 6) % 7]!;
    for (const window of policy.windows ?? []) {
      if (!window.days.includes(weekday)) continue;
      const minutes = minutesOf(window.from)!;
      candidates.push(
        instantOf(
          {
            year: date.getUTCFullYear(),
            month: date.getUTCMonth() + 1,
            day: date.getUTCDate(),
            hour: Math.floor(minutes / 60),
            minute: minutes % 60,
          },
          zone,
        ),
      );
    }
  }
  const next = candidates
    .filter((candidate) => candidate > time)
    .sort((a, b) => a - b)
    .find((candidate) => freezeAt(policy, candidate) === undefined && windowOpen(policy, candidate));
  const why =
    freeze !== undefined
      ? `frozen: ${freeze.reason} (${freeze.from} to ${freeze.to} ${zone})`
      : `outside the promotion windows (${describeWindows(policy)})`;
  return { open: false, why, next };
}

/** `Monday-Thursday 09:00-16:00, Friday 09:00-12:00 Europe/Amsterdam`. */
export function describeWindows(policy: PromotionPolicy): string {
  const windows = (policy.windows ?? []).map((window) => {
    const days = window.days;
    const first = weekdays.indexOf(days[0]!);
    const consecutive =
      days.length > 2 && days.every((day, index) => weekdays.indexOf(day) === first + index);
    const named = consecutive ? `${days[0]}-${days[days.length - 1]}` : days.join(", ");
    return `${named} ${window.from}-${window.to}`;
  });
  return `${windows.join(", ")} ${policy.timeZone}`;
}

/** The next opening as a message says it: `Monday 2026-12-07 09:00 Europe/Amsterdam (08:00 UTC)`. */
export const describeNext = (next: number | undefined, zone: string): string =>
  next === undefined ? `no window opens in the next ${horizonDays} days` : describeInstant(next, zone);
