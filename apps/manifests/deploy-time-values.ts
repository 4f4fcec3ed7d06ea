import { isRecord } from "../../lib/values";
import type { KubeObject } from "./kube-object";

const tokenPattern = /\(known after deploy: ([^()]+)\)/g;

/**
 * A value that exists only once Azure has created something (a server's host name, a generated
 * password, a pushed image's digest), written as a token instead of a guess:
 * `(known after deploy: mysql.host)`.
 */
export function deployTimeValue(name: string): string {
  if (name === "" || /[()]/.test(name)) {
    throw new Error(`deploy-time value name '${name}' must be non-empty and without parentheses`);
  }
  return `(known after deploy: ${name})`;
}

/** The names of the deploy-time tokens anywhere in `value` (strings, lists, maps), sorted, once each. */
export function deployTimeValueNames(value: unknown): string[] {
  const names = new Set<string>();
  mapStrings(value, (text) => {
    for (const match of text.matchAll(tokenPattern)) names.add(match[1] as string);
    return text;
  });
  return [...names].sort();
}

/** Deploy-time values that have no value when the objects are resolved. */
export class MissingDeployTimeValueError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`no value for ${missing.map(deployTimeValue).join(", ")}`);
    this.name = "MissingDeployTimeValueError";
  }
}

/**
 * Replaces every deploy-time token in the strings of `objects`, also inside longer strings, by
 * its value. Tokens for which `isDerived` holds are left in place for a later step to compute.
 *
 * @throws MissingDeployTimeValueError naming every token that has no value.
 */
export function replaceDeployTimeValues(
  objects: readonly KubeObject[],
  values: Readonly<Record<string, string>>,
  isDerived: (name: string) => boolean = () => false,
): KubeObject[] {
  const missing = new Set<string>();
  const replaced = objects.map(
    (object) =>
      mapStrings(object, (text) =>
        text.replace(tokenPattern, (token, name: string) => {
          const value = Object.hasOwn(values, name) ? values[name] : undefined;
          if (value !== undefined) return value;
          if (!isDerived(name)) missing.add(name);
          return token;
        }),
      ) as KubeObject,
  );
  if (missing.size > 0) throw new MissingDeployTimeValueError([...missing].sort());
  return replaced;
}

function mapStrings(node: unknown, change: (text: string) => string): unknown {
  if (typeof node === "string") return change(node);
  if (Array.isArray(node)) return node.map((item) => mapStrings(item, change));
  if (!isRecord(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, mapStrings(value, change)]));
}
