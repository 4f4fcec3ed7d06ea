import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { root } from "./program";

/**
 * The cache component owns its client contract (infra/redis-cache.contract.ts, decision 0057):
 * the NSGs, the NetworkPolicies and the apps' settings read it, and no other source writes the
 * cache's port or its modes. A swap of the cache then changes them everywhere at once; a literal
 * left elsewhere would keep the old port (docs: ../shared/reviews/change-cost.md, section 1.3).
 */
const ownedBy = /^infra\/redis-cache(\.contract|\.mock)?\.ts$/;

/** What only the component may write: its ports (today's and Azure Cache for Redis's) and modes. */
const contractLiterals: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: "a cache port (10000 or 6380)", pattern: /(?<![\w.])(10000|6380)(?![\w.])/ },
  { what: 'a cache scheme ("tls" or "plain")', pattern: /["'](tls|plain)["']/ },
  { what: "a cache sign-in mode", pattern: /["'](entra-token|access-key)["']/ },
];

/**
 * Files allowed one literal, and why. The stand-in apps' client speaks TLS only and refuses
 * another scheme from its settings in its own words; it reads the port from its settings.
 */
const allowed: Readonly<Record<string, string>> = {
  "apps/main-api/deep-health.mjs": "a cache scheme",
  "apps/web/deep-health.mjs": "a cache scheme",
  "apps/customer-api/deep-health.mjs": "a cache scheme",
};

/** The sources of the project (not tests, not build output), by path relative to the root. */
function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const skip = new Set(["node_modules", "dist", "coverage", "test", "docs"]);
  const visit = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skip.has(entry.name) && !entry.name.startsWith(".")) visit(relative);
      } else if (/\.(m?ts|m?js)$/.test(entry.name) && !/\.test\.m?[jt]s$/.test(entry.name)) {
        files.set(relative, readFileSync(path.join(root, relative), "utf8"));
      }
    }
  };
  visit("");
  return files;
}

/** Each `file:line: <what>` of `files` that writes a contract literal outside the component. */
function contractLiteralsOutsideTheComponent(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    if (ownedBy.test(file)) continue;
    text.split("\n").forEach((line, index) => {
      for (const { what, pattern } of contractLiterals) {
        if (pattern.test(line) && !what.startsWith(allowed[file] ?? "\0"))
          found.push(
            `${file}:${index + 1}: ${what}; read it from the cache's contract (infra/redis-cache.contract.ts)`,
          );
      }
    });
  }
  return found;
}

describe("the cache's contract is written only by the cache component", () => {
  test("no source outside infra/redis-cache*.ts writes the cache's port, scheme or sign-in mode", () => {
    const files = sources();
    expect(files.has("apps/manifests/network-policies.ts")).toBe(true);
    expect(files.has("scripts/bench.js")).toBe(true);
    expect(contractLiteralsOutsideTheComponent(files)).toEqual([]);
  });

  test("a literal left elsewhere is named with its file, line and what it is", () => {
    const files = new Map([
      ["infra/redis-cache.contract.ts", 'export const cacheContract = { port: 10000, scheme: "tls" };\n'],
      ["infra/network.ts", 'const rule = allowInbound("redis", ["10000"]);\n'],
      ["apps/manifests/workload-objects.ts", "const port = 6380;\nconst scheme = 'tls';\n"],
      ["apps/manifests/network-policies.ts", 'if (contract.signIn === "entra-token") egress();\n'],
      ["apps/web/deep-health.mjs", 'if (env.REDIS_SCHEME !== "tls") throw;\nNumber(port ?? 10000);\n'],
      ["apps/manifests/render-yaml.ts", "const limit = 100000; const v = 1.10000;\n"],
    ]);
    const read = "read it from the cache's contract (infra/redis-cache.contract.ts)";
    expect(contractLiteralsOutsideTheComponent(files)).toEqual([
      `infra/network.ts:1: a cache port (10000 or 6380); ${read}`,
      `apps/manifests/workload-objects.ts:1: a cache port (10000 or 6380); ${read}`,
      `apps/manifests/workload-objects.ts:2: a cache scheme ("tls" or "plain"); ${read}`,
      `apps/manifests/network-policies.ts:1: a cache sign-in mode; ${read}`,
      `apps/web/deep-health.mjs:2: a cache port (10000 or 6380); ${read}`,
    ]);
  });
});
