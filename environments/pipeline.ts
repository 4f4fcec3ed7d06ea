import { acceptance } from "./acceptance";
import { production } from "./production";

/**
 * The pipeline: each environment's settings file, in promotion order (each promotes from the one
 * before it). Adding an environment is its settings file, its entry here (with its import) and its
 * stack file; the environment names, the CLI's arguments, the bootstrap and the CI workflows
 * (`npx platform workflows`) follow from this record (docs/changing.md).
 */
export const pipeline = {
  acceptance,
  production,
};

/** The name of one environment; its stack is named the same (`pulumi up -s acceptance`). */
export type EnvironmentName = keyof typeof pipeline;

/** The environments of the pipeline, in promotion order: the keys of {@link pipeline}. */
export const environmentNames = Object.keys(pipeline) as readonly EnvironmentName[] as readonly [
  EnvironmentName,
  ...EnvironmentName[],
];
