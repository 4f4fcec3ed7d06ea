import { readFileSync } from "node:fs";
import * as path from "node:path";
import { root, runIsolated, stackConfig } from "../test/program";
import { environments } from "./environments";
import {
  documentationBlockOf,
  environmentPlaceholders,
  lineOf,
  placeholderRanges,
  refusePlaceholders,
} from "./placeholder-ranges";

const read = (file: string) => readFileSync(path.join(root, file), "utf8");

test.each([
  ["203.0.113.0/28", "203.0.113.0/24"],
  ["192.0.2.7", "192.0.2.0/24"],
  ["198.51.100.0/24", "198.51.100.0/24"],
  // A wider range that holds a documentation block is a placeholder too.
  ["203.0.112.0/23", "203.0.113.0/24"],
  ["20.61.0.0/28", undefined],
  ["203.0.114.0/24", undefined],
  ["198.51.99.0/24", undefined],
])("%s is in the documentation block %s (RFC 5737)", (range, block) => {
  expect(documentationBlockOf(range)?.block).toBe(block);
});

test("finds the line a range is written on under its key, not in a comment", () => {
  const yaml = [
    "config:",
    '  # platform-bootstrap:registryAllowedIpRanges: ["203.0.113.0/28"]',
    "  platform-bootstrap:registryAllowedIpRanges:",
    '    - "20.61.0.0/28"',
    "    - 203.0.113.0/28",
  ].join("\n");
  expect(lineOf(yaml, "registryAllowedIpRanges", "203.0.113.0/28")).toBe(5);
  expect(lineOf(yaml, "registryAllowedIpRanges", "203.0.113.0/2")).toBeUndefined();
  expect(
    lineOf("# registryAllowedIpRanges: 203.0.113.0/28", "registryAllowedIpRanges", "203.0.113.0/28"),
  ).toBe(undefined);
});

const acceptanceMessage =
  "environments.acceptance.cluster.authorizedIpRanges[0]: '203.0.113.0/28' is a documentation range (203.0.113.0/24, TEST-NET-3, RFC 5737), a placeholder; replace it with the static egress ranges of the runners that deploy and preview acceptance and of its operators (docs/deploying.md, step 2)";

test("the shipped environments hold placeholders, each named by file and line", () => {
  const readIfThere = (file: string) => read(file);
  expect(environmentPlaceholders(environments.acceptance, readIfThere)).toEqual([
    { where: "environments/acceptance.ts:17", message: acceptanceMessage },
  ]);
  expect(environmentPlaceholders(environments.production, readIfThere)).toEqual([
    {
      where: "environments/production.ts:17",
      message: acceptanceMessage.replaceAll("acceptance", "production"),
    },
  ]);
  expect(environmentPlaceholders(environments.acceptance, () => undefined)[0]?.where).toBe(
    "environments/acceptance.ts",
  );
});

test("a real deployment refuses placeholders; the offline plan lets them through", () => {
  const placeholders = environmentPlaceholders(environments.acceptance, read);
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  expect(() => refusePlaceholders(placeholders, false, warn)).toThrow(
    `documentation IP ranges (RFC 5737) are placeholders, not addresses; nothing was changed:\n  - environments/acceptance.ts:17: ${acceptanceMessage}`,
  );
  expect(warnings).toEqual([]);
  refusePlaceholders(placeholders, true, warn);
  expect(warnings).toEqual([
    `environments/acceptance.ts:17: ${acceptanceMessage}. pulumi preview and pulumi up refuse it (docs/decisions/0035).`,
  ]);
  expect(() => refusePlaceholders([], false, warn)).not.toThrow();
  const real = placeholderRanges(
    ["20.61.0.0/28"],
    { file: "f", text: undefined, key: "k" },
    "k",
    "real ranges",
  );
  expect(real).toEqual([]);
});

/**
 * Runs a program as a real `pulumi preview` would see it: everything as under the mock engine,
 * except that the program is told it is not. Returns what it threw and how many resources it
 * registered before.
 */
async function runAsReal(
  load: () => Promise<unknown>,
  options: { stack: string; config: Record<string, string> },
): Promise<{ error: string; registered: number }> {
  const fromPulumi = "../stack-config/from-pulumi";
  let registered = 0;
  let error = "";
  jest.doMock(fromPulumi, () => ({
    ...jest.requireActual<typeof import("../stack-config/from-pulumi")>(fromPulumi),
    underMockEngine: () => false,
  }));
  try {
    await runIsolated(async (pulumi) => {
      const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(...args: unknown[]): void;
      };
      const register = monitor.registerResource.bind(monitor);
      monitor.registerResource = (...args: unknown[]) => {
        registered += 1;
        register(...args);
      };
      try {
        await load();
      } catch (thrown) {
        error = thrown instanceof Error ? thrown.message : String(thrown);
      }
      return {};
    }, options);
  } finally {
    jest.dontMock(fromPulumi);
  }
  return { error, registered };
}

test("the environment program refuses the shipped placeholder before registering any resource", async () => {
  const { error, registered } = await runAsReal(() => import("../index"), {
    stack: "acceptance",
    config: stackConfig("acceptance"),
  });
  expect(error).toBe(
    `documentation IP ranges (RFC 5737) are placeholders, not addresses; nothing was changed:\n  - environments/acceptance.ts:17: ${acceptanceMessage}`,
  );
  expect(registered).toBe(0);
});

test("the bootstrap program refuses a placeholder in registryAllowedIpRanges, before any resource", async () => {
  const cwd = process.cwd();
  process.chdir(path.join(root, "bootstrap"));
  try {
    const { error, registered } = await runAsReal(() => import("../bootstrap/index"), {
      stack: "shared",
      config: {
        ...stackConfig("shared", read("bootstrap/Pulumi.shared.yaml")),
        "platform-bootstrap:registryAllowedIpRanges": JSON.stringify(["20.61.0.0/28", "198.51.100.16/28"]),
      },
    });
    // The shipped file names the key only in a comment: the file, without a line.
    expect(error).toBe(
      "documentation IP ranges (RFC 5737) are placeholders, not addresses; nothing was changed:\n  - bootstrap/Pulumi.shared.yaml: platform-bootstrap:registryAllowedIpRanges[1]: '198.51.100.16/28' is a documentation range (198.51.100.0/24, TEST-NET-2, RFC 5737), a placeholder; replace it with the static egress ranges of the runners that push and look images up, and the operators' (docs/deploying.md, step 2)",
    );
    expect(registered).toBe(0);
  } finally {
    process.chdir(cwd);
  }
});
