import { policyAssignmentProblems } from "../infra/policy-definitions";

/** Sources of the rules below, so a reader can check them. */
const acrTiers = "learn.microsoft.com/azure/container-registry/container-registry-skus";
const acrSoftDelete = "learn.microsoft.com/azure/container-registry/container-registry-soft-delete-policy";
/** What the engine sends for an input that is not known yet (Pulumi's `UnknownStringValue`). */
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const assignableScopesDoc =
  "learn.microsoft.com/azure/role-based-access-control/role-definitions#assignablescopes";

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
 * The level of an Azure scope: `/subscriptions/<id>/resourceGroups/<name>` is a resource group,
 * anything below it a resource. The mock engine ids a resource by its type and name
 * (`azure-native:resources:ResourceGroup/<name>`), which is read the same way.
 */
export function scopeLevel(
  scope: string,
): "root" | "managementGroup" | "subscription" | "resourceGroup" | "resource" {
  if (scope === "/") return "root";
  const mock = /^azure-native:([^:]+):([^/]+)\//.exec(scope);
  if (mock) return mock[2] === "ResourceGroup" ? "resourceGroup" : "resource";
  const parts = scope.replace(/\/+$/, "").split("/").slice(1);
  const [first, second, third, fourth] = parts.map((part) => part.toLowerCase());
  if (
    first === "providers" &&
    second === "microsoft.management" &&
    third === "managementgroups" &&
    parts.length === 4
  )
    return "managementGroup";
  if (first === "subscriptions" && parts.length === 2) return "subscription";
  if (first === "subscriptions" && third === "resourcegroups" && fourth !== undefined && parts.length === 4)
    return "resourceGroup";
  return "resource";
}

/**
 * Why Azure would refuse a custom role: its assignable scopes must be management groups,
 * subscriptions or resource groups ("You must use at least one management group, subscription,
 * or resource group"); the root scope `/` is for built-in roles only (MicrosoftDocs/azure-docs#16389).
 * A resource was once listed as an example and is refused (MicrosoftDocs/azure-docs#50296).
 */
function roleDefinitionProblems(inputs: Record<string, unknown>): string[] {
  const scopes = inputs["assignableScopes"];
  if (!Array.isArray(scopes) || scopes.length === 0)
    return [
      `assignableScopes is empty; name at least one management group, subscription or resource group (${assignableScopesDoc})`,
    ];
  // A scope not known yet (a preview of a new group) is judged when it is.
  return scopes
    .filter((scope) => typeof scope === "string" && scope !== unknownValue)
    .flatMap((scope) => {
      const level = scopeLevel(String(scope));
      if (level === "root")
        return [
          `assignable scope '/' (the root) is for built-in roles only; a custom role names management groups, subscriptions or resource groups (${assignableScopesDoc})`,
        ];
      if (level === "resource")
        return [
          `assignable scope '${String(scope)}' is a resource; a custom role is assignable at management groups, subscriptions or resource groups only (${assignableScopesDoc})`,
        ];
      return [];
    });
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
          : type === "azure-native:authorization:RoleDefinition"
            ? roleDefinitionProblems(inputs)
            : [];
  return problems.length === 0 ? undefined : `${type.split(":").pop()} ${name}: ${problems.join("; ")}`;
}
