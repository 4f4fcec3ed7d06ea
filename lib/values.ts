// Small helpers for reading parsed, untyped values (YAML, JSON, resource inputs), shared by every
// layer. This folder imports nothing from the project.

/** Narrows a parsed value to a plain map: not `null`, not an array, not a `Date` (YAML timestamps). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * A value as a message shows it: strings in single quotes, anything else as JSON. Bytes (YAML's
 * `!!binary`, which the yaml library reads as a Buffer) are named, not dumped as
 * `{"type":"Buffer",…}`.
 */
export const quote = (value: unknown): string => {
  if (typeof value === "string") return `'${value}'`;
  if (value instanceof Uint8Array) return `binary data (!!binary, ${value.length} bytes)`;
  return (
    JSON.stringify(value, (_, item: unknown) =>
      isBufferJson(item) ? `!!binary (${item.data.length} bytes)` : item,
    ) ?? "nothing"
  );
};

/** A Buffer as its `toJSON` gives it to JSON.stringify's replacer. */
const isBufferJson = (value: unknown): value is { type: "Buffer"; data: unknown[] } =>
  typeof value === "object" &&
  value !== null &&
  (value as { type?: unknown }).type === "Buffer" &&
  Array.isArray((value as { data?: unknown }).data);

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
