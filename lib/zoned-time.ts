// Wall-clock time in an IANA time zone, with the runtime's own time zone data (Intl): no library.

/** The days of the week, Monday first (ISO 8601). */
export const weekdays = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

/** A day of the week. */
export type Weekday = (typeof weekdays)[number];

/** A time as a wall clock in one zone shows it. */
export interface WallClock {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether the runtime knows `zone` as an IANA time zone (`Europe/Amsterdam`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "long",
    });
    formatters.set(zone, format);
  }
  return format;
}

/** What a wall clock in `zone` shows at `time` (ms since the epoch). */
export function wallClock(time: number, zone: string): WallClock {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(time)
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts["year"]),
    month: Number(parts["month"]),
    day: Number(parts["day"]),
    hour: Number(parts["hour"]),
    minute: Number(parts["minute"]),
    weekday: parts["weekday"] as Weekday,
  };
}

const asUtc = (clock: Omit<WallClock, "weekday">): number =>
  Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);

/** The zone's offset from UTC at `time`, in ms (east positive), to the minute. */
function offsetAt(time: number, zone: string): number {
  const floored = Math.floor(time / 60_000) * 60_000;
  return asUtc(wallClock(floored, zone)) - floored;
}

/**
 * The instant a wall clock in `zone` shows `clock` (seconds 0). A time the clock skips (the hour
 * lost when daylight saving starts) is read with the offset before the change, which lands as
 * far after the gap as it was into it; a time the clock shows twice (the hour repeated when it
 * ends) is its first showing.
 */
export function instantOf(clock: Omit<WallClock, "weekday">, zone: string): number {
  const guess = asUtc(clock);
  const before = guess - offsetAt(guess - 14 * 3_600_000, zone);
  const after = guess - offsetAt(guess + 14 * 3_600_000, zone);
  const shows = (time: number) => asUtc(wallClock(time, zone)) === guess;
  const candidates = [before, after].filter(shows).sort((a, b) => a - b);
  return candidates[0] ?? before;
}

/** `2026-12-01 09:00 Europe/Amsterdam (08:00 UTC)`: an instant as messages give it. */
export function describeInstant(time: number, zone: string): string {
  const clock = wallClock(time, zone);
  const two = (n: number) => String(n).padStart(2, "0");
  const local = `${clock.year}-${two(clock.month)}-${two(clock.day)} ${two(clock.hour)}:${two(clock.minute)}`;
  const utc = new Date(time).toISOString().slice(0, 16).replace("T", " ");
  if (zone === "UTC") return `${clock.weekday} ${utc} UTC`;
  // The UTC time alone when it falls on the same date.
  return `${clock.weekday} ${local} ${zone} (${utc.startsWith(local.slice(0, 10)) ? utc.slice(11) : utc} UTC)`;
}
