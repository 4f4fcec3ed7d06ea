import { policyAssignmentProblems } from "../infra/policy-definitions";

/** Sources of the rules below, so a reader can check them. */
const acrTiers = "learn.microsoft.com/azure/container-registry/container-registry-skus";
const acrSoftDelete = "learn.microsoft.com/azure/container-registry/container-registry-soft-delete-policy";

const enabled = (policy: unknown): boolean =>
  typeof policy === "object" && policy !== null && (policy as { status?: unknown }).status === "enabled";

/** Why Azure would refuse a registry with these inputs. */
function registryProblems(inputs: Record<string, unknown>): string[] {
  const premium = (inputs["sku"] as { name?: unknown } | undefined)?.name === "Premium";
  const policies = (inputs["policies"] ?? {}) as Record<string, unknown>;
  const rules = (inputs["networkRuleSet"] ?? {}) as { defaultAction?: unknown; ipRules?: unknown[] };
  const problems: string[] = [];
  const retention = policies["retentionPolicy"] as { days?: unknown } | undefined;
  if (enabled(retention) && !premium)
    problems.push(`a retention policy for untagged manifests needs the Premium SKU (${acrTiers})`);
  if (
    enabled(retention) &&
    !(Number.isInteger(retention?.days) && Number(retention?.days) >= 0 && Number(retention?.days) <= 365)
  )
    problems.push(`retentionPolicy.days must be 0-365, found ${JSON.stringify(retention?.days)}`);
  if (enabled(retention) && enabled(policies["softDeletePolicy"]))
    problems.push(
      `the soft delete policy and the retention policy cannot both be enabled (${acrSoftDelete})`,
    );
  if ((rules.defaultAction === "Deny" || (rules.ipRules?.length ?? 0) > 0) && !premium)
    problems.push(`network rules (firewall) need the Premium SKU (${acrTiers})`);
  if (inputs["publicNetworkAccess"] === "Disabled" && !premium)
    problems.push(`disabling public network access needs the Premium SKU (${acrTiers})`);
  return problems;
}

/** Why Azure would refuse a private endpoint: a registry's only sub-resource is `registry`. */
function privateEndpointProblems(inputs: Record<string, unknown>): string[] {
  const connections = (inputs["privateLinkServiceConnections"] ?? []) as {
    privateLinkServiceId?: unknown;
    groupIds?: unknown;
  }[];
  return connections
    .filter((connection) =>
      /\/Microsoft\.ContainerRegistry\/registries\//i.test(String(connection.privateLinkServiceId)),
    )
    .filter((connection) => JSON.stringify(connection.groupIds) !== JSON.stringify(["registry"]))
    .map(
      (connection) =>
        `a private endpoint to a container registry takes groupIds ["registry"], found ${JSON.stringify(connection.groupIds)}`,
    );
}

/**
 * What Azure refuses when creating a resource of `type` with `inputs`, as one message; undefined
 * when it would accept them (as far as these contracts know). Only resource types whose rules the
 * program depends on are checked.
 */
export function azureRefusal(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): string | undefined {
  const problems =
    type === "azure-native:authorization:PolicyAssignment"
      ? policyAssignmentProblems(inputs["policyDefinitionId"], inputs["parameters"])
      : type === "azure-native:containerregistry:Registry"
        ? registryProblems(inputs)
        : type === "azure-native:network:PrivateEndpoint"
          ? privateEndpointProblems(inputs)
          : [];
  return problems.length === 0 ? undefined : `${type.split(":").pop()} ${name}: ${problems.join("; ")}`;
}
