import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * What `git for-each-ref --format="%(refname) %(objectname)" <prefixes>` prints, read from the
 * files (loose refs over `packed-refs`; a symbolic ref as the commit it names), without a
 * process: the state checks of a test compare it before and after every command.
 */
export function listRefs(gitDir: string, prefixes: readonly string[]): string {
  const refs = new Map<string, string>();
  try {
    for (const line of readFileSync(path.join(gitDir, "packed-refs"), "utf8").split("\n")) {
      const [object = "", ref = ""] = line.split(" ");
      if (/^[0-9a-f]{40}$/.test(object) && prefixes.some((prefix) => ref.startsWith(prefix))) {
        refs.set(ref, object);
      }
    }
  } catch {
    // no packed refs
  }
  const loose = new Map<string, string>();
  const walk = (ref: string) => {
    const file = path.join(gitDir, ref);
    if (statSync(file).isDirectory()) {
      for (const entry of readdirSync(file)) walk(`${ref}/${entry}`);
    } else {
      loose.set(ref, readFileSync(file, "utf8").trim());
    }
  };
  for (const prefix of prefixes) {
    if (existsSync(path.join(gitDir, prefix))) walk(prefix.replace(/\/$/, ""));
  }
  const objectOf = (ref: string): string => {
    const content = loose.get(ref) ?? refs.get(ref) ?? "";
    const symbolic = /^ref: (\S+)$/.exec(content)?.[1];
    return symbolic === undefined ? content : objectOf(symbolic);
  };
  for (const ref of loose.keys()) refs.set(ref, objectOf(ref));
  // for-each-ref sorts by refname, byte by byte.
  return [...refs.keys()]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((ref) => `${ref} ${refs.get(ref)}`)
    .join("\n");
}
