// Small helpers for reading parsed, untyped values (YAML, JSON, resource inputs), shared by every
// layer. This folder imports nothing from the project.

/** Narrows a parsed value to a plain map: not `null`, not an array, not a `Date` (YAML timestamps). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A value as a message shows it: strings in single quotes, anything else as JSON. */
export const quote = (value: unknown): string =>
  typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? "nothing");

/**
 * The value at a path of keys (`["spec", "template"]`) or a dotted path (`spec.template`; array
 * indexes are keys too: `containers.0.image`); undefined when a step is missing.
 */
export function valueAt(value: unknown, path: string | readonly string[]): unknown {
  const keys = typeof path === "string" ? path.split(".") : path;
  return keys.reduce<unknown>(
    (node, key) =>
      typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined,
    value,
  );
}

/** Orders strings by code point, never by the machine's locale (`localeCompare` would). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
