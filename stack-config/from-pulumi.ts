import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseStackConfig, type StackConfig } from "./schema";

/**
 * Reads the running stack's config as Pulumi hands it to the program and parses it. Pulumi
 * passes objects as JSON text, so the `platform:` values that look like JSON are decoded first.
 */
export function stackConfigOfPulumi(): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    raw[key] = key.startsWith("platform:") && /^\s*[[{]/.test(value) ? (JSON.parse(value) as unknown) : value;
  }
  return parseStackConfig(pulumi.getStack(), raw);
}

/**
 * True when the program runs against the mock engine (`pulumi.runtime.setMocks`): the offline
 * `platform plan` and the tests, where nothing is created. A real `pulumi preview` or `pulumi up`
 * talks to the engine's resource monitor, never a mock one; a program cannot make its own
 * deployment a mock one without creating nothing (docs/decisions/0035).
 */
export function underMockEngine(): boolean {
  return pulumi.runtime.getMonitor() instanceof MockMonitor;
}

/** A file of the Pulumi project (Pulumi runs the program in its directory), if it can be read. */
export function readProjectFile(file: string): string | undefined {
  try {
    return readFileSync(path.join(process.cwd(), file), "utf8");
  } catch {
    return undefined;
  }
}
