import { InputError } from "../errors";

/**
 * `--since`: a date `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time with a zone, not after `now`.
 *
 * @throws InputError naming the value and what is allowed.
 */
export function parseSince(value: string, now: number): number {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  let time = Number.NaN;
  if (date !== null) {
    const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
    const parsed = new Date(Date.UTC(year, month - 1, day));
    if (parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day) time = parsed.getTime();
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    time = Date.parse(value);
  }
  if (Number.isNaN(time))
    throw new InputError(
      `--since: '${value}' is not a date; give YYYY-MM-DD (UTC) or an ISO 8601 time with a zone, such as 2026-11-01T09:00:00Z`,
    );
  if (time > now)
    throw new InputError(
      `--since: ${value} is in the future (now is ${new Date(now).toISOString()}); give a date in the past`,
    );
  return time;
}
