import { environmentNames, type EnvironmentName } from "../environments/pipeline";

// The tests name environments by their place in the pipeline, not by their names, so that an
// environment inserted into environments/pipeline.ts changes what they mean consistently (issue
// 23, goal 5; docs/decisions/0074). Literal names stay where they are the point: security values,
// required-check names, golden files and one environment's own settings.

/** The first environment: it builds the images (acceptance today). */
export const first: EnvironmentName = environmentNames[0];

/** The last environment: the one nothing promotes from (production today). */
export const last: EnvironmentName = environmentNames.at(-1)!;

/** The environment `env` promotes from: the one before it in the pipeline. Throws for the first. */
export function upstreamOf(env: EnvironmentName): EnvironmentName {
  const position = environmentNames.indexOf(env);
  if (position < 1) throw new Error(`${env} has no upstream`);
  return environmentNames[position - 1]!;
}

/** The environment that promotes from `env`: the one after it in the pipeline. Throws for the last. */
export function downstreamOf(env: EnvironmentName): EnvironmentName {
  const position = environmentNames.indexOf(env);
  if (position < 0 || position === environmentNames.length - 1) throw new Error(`${env} has no downstream`);
  return environmentNames[position + 1]!;
}

/** The pipeline's environments as a CLI message lists them: "acceptance, production". */
export const environmentList = environmentNames.join(", ");
