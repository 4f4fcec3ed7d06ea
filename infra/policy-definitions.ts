/**
 * The built-in Azure Policy initiatives this project assigns, with the parameters each declares:
 * what Azure checks a policy assignment's `parameters` against (a name the definition does not
 * declare, or a value outside `allowedValues`, fails the assignment). The mock engine refuses the
 * same (engine/azure-contracts.ts).
 *
 * Source: Azure/azure-policy, built-in-policies/policySetDefinitions/Kubernetes/
 * Kubernetes_PSPRestrictedStandard.json (version 2.5.0) and Kubernetes_PSPBaselineStandard.json
 * (version 1.2.0).
 */
export interface PolicyParameter {
  readonly type: "String" | "Array" | "Object" | "Boolean" | "Integer";
  /** When present, the only values Azure accepts. */
  readonly allowedValues?: readonly string[];
}

/** A built-in policy set definition (initiative) as Azure declares it. */
export interface PolicySetDefinition {
  readonly id: string;
  readonly displayName: string;
  readonly parameters: Readonly<Record<string, PolicyParameter>>;
}

const effect: PolicyParameter = {
  type: "String",
  allowedValues: ["audit", "Audit", "deny", "Deny", "disabled", "Disabled"],
};
const namespaces: PolicyParameter = { type: "Array" };

/** The pod security initiatives for Linux workloads, by the Pod Security Standards level they check. */
export const podSecurityInitiatives = {
  restricted: {
    id: "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00",
    displayName: "Kubernetes cluster pod security restricted standards for Linux-based workloads",
    parameters: {
      effect,
      excludedNamespaces: namespaces,
      namespaces,
      allowedCapabilities: { type: "Array" },
      requiredDropCapabilities: { type: "Array" },
    },
  },
  baseline: {
    id: "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
    displayName: "Kubernetes cluster pod security baseline standards for Linux-based workloads",
    parameters: { effect, excludedNamespaces: namespaces, namespaces },
  },
} as const satisfies Record<string, PolicySetDefinition>;

const known: readonly PolicySetDefinition[] = Object.values(podSecurityInitiatives);

const typeOf = (value: unknown): PolicyParameter["type"] | undefined => {
  if (typeof value === "string") return "String";
  if (Array.isArray(value)) return "Array";
  if (typeof value === "boolean") return "Boolean";
  if (typeof value === "number" && Number.isInteger(value)) return "Integer";
  if (typeof value === "object" && value !== null) return "Object";
  return undefined;
};

/**
 * What Azure would refuse in a policy assignment of `policyDefinitionId` with `parameters`
 * (`{ name: { value } }`); empty when it would accept it. A definition not listed above is
 * refused too: add its parameters here, from its JSON in Azure/azure-policy, before assigning it.
 */
export function policyAssignmentProblems(policyDefinitionId: unknown, parameters: unknown): string[] {
  const definition = known.find((candidate) => candidate.id === policyDefinitionId);
  if (!definition)
    return [
      `policyDefinitionId ${JSON.stringify(policyDefinitionId)} is not a built-in definition known to infra/policy-definitions.ts`,
    ];
  const problems: string[] = [];
  for (const [name, entry] of Object.entries((parameters ?? {}) as Record<string, unknown>)) {
    const declared = definition.parameters[name];
    if (!declared) {
      problems.push(
        `parameter '${name}' is not defined in '${definition.displayName}'; it declares ${Object.keys(definition.parameters).join(", ")}`,
      );
      continue;
    }
    const value = (entry as { value?: unknown } | undefined)?.value;
    if (typeOf(value) !== declared.type)
      problems.push(`parameter '${name}' must be of type ${declared.type}, found ${JSON.stringify(value)}`);
    else if (declared.allowedValues && !declared.allowedValues.includes(value as string))
      problems.push(
        `parameter '${name}': ${JSON.stringify(value)} is not allowed; allowed: ${declared.allowedValues.join(", ")}`,
      );
  }
  return problems;
}
