import { InputError } from "./errors";

/** The variable that fixes the CLI's clock: an ISO 8601 time with a zone (tests, "what if at"). */
export const clockVariable = "PLATFORM_NOW";

/**
 * The time the command judges at: `PLATFORM_NOW` when set, else the system clock.
 *
 * @throws InputError when `PLATFORM_NOW` is not an ISO 8601 time with a zone offset or `Z`.
 */
export function now(env: Readonly<Record<string, string | undefined>>): Date {
  const value = env[clockVariable];
  if (value === undefined || value === "") return new Date();
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? new Date(value)
    : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new InputError(
      `${clockVariable}: '${value}' is not an ISO 8601 time with a zone (such as 2026-12-01T10:00:00Z); unset it for the system clock`,
    );
  }
  return time;
}
