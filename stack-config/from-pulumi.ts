import * as pulumi from "@pulumi/pulumi";
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
