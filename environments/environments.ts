import { acceptance } from "./acceptance";
import { production } from "./production";
import { environmentNames, type EnvironmentName, type EnvironmentSettings } from "./settings";

/** Every environment's settings, by name. */
export const environments: Readonly<Record<EnvironmentName, EnvironmentSettings>> = {
  acceptance,
  production,
};

/** Narrows a string (a stack name, a command argument) to an environment name. */
export function isEnvironmentName(name: string): name is EnvironmentName {
  return (environmentNames as readonly string[]).includes(name);
}

/**
 * Checks the settings of all environments against each other and against Azure's rules that
 * would otherwise fail minutes into a deployment. Returns one message per problem.
 */
export function checkEnvironments(all: Readonly<Record<EnvironmentName, EnvironmentSettings>>): string[] {
  const problems: string[] = [];
  const owners = environmentNames.filter((name) => all[name].ownsSharedResources);
  if (owners.length !== 1) {
    problems.push(
      `exactly one environment must own the shared resources; found ${owners.length} (${owners.join(", ")})`,
    );
  }
  environmentNames.forEach((name, position) => {
    const env = all[name];
    const at = `environments.${name}`;
    if (env.name !== name) problems.push(`${at}.name: '${env.name}' must be '${name}'`);
    if (position === 0 && env.upstream !== undefined) {
      problems.push(`${at}.upstream: the first environment of the pipeline promotes from nothing`);
    }
    if (position > 0 && env.upstream !== environmentNames[position - 1]) {
      problems.push(
        `${at}.upstream: '${env.upstream}' must be the previous environment, '${environmentNames[position - 1]}'`,
      );
    }
    if (!env.buildsImages && env.upstream === undefined) {
      problems.push(
        `${at}.buildsImages: an environment that does not build images needs an upstream to promote from`,
      );
    }
    if (env.mysql.zoneRedundantHighAvailability && env.mysql.sku.tier === "Burstable") {
      problems.push(`${at}.mysql: zone-redundant high availability is not available on the Burstable tier`);
    }
    if (env.mysql.zoneRedundantHighAvailability && env.cluster.zones.length < 2) {
      problems.push(
        `${at}.mysql: zone-redundant high availability needs at least two zones in cluster.zones`,
      );
    }
    if (env.mysql.backupRetentionDays < 1 || env.mysql.backupRetentionDays > 35) {
      problems.push(`${at}.mysql.backupRetentionDays: ${env.mysql.backupRetentionDays} is outside 1..35`);
    }
    if (env.cluster.workloadPool.minCount > env.cluster.workloadPool.maxCount) {
      problems.push(
        `${at}.cluster.workloadPool: minCount ${env.cluster.workloadPool.minCount} exceeds maxCount ${env.cluster.workloadPool.maxCount}`,
      );
    }
    if (env.cluster.zones.length > 0 && env.cluster.systemPool.count < env.cluster.zones.length) {
      problems.push(
        `${at}.cluster.systemPool.count: ${env.cluster.systemPool.count} nodes cannot cover ${env.cluster.zones.length} zones`,
      );
    }
    if (!/^[a-zA-Z0-9]{5,50}$/.test(env.registry.name)) {
      problems.push(`${at}.registry.name: '${env.registry.name}' must be 5-50 letters and digits`);
    }
  });
  const registries = new Set(environmentNames.map((name) => JSON.stringify(all[name].registry)));
  if (registries.size !== 1) problems.push("every environment must use the same shared registry");
  return problems;
}
