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

/** The namespaces the restricted initiative skips by default (`excludedNamespaces.defaultValue`). */
export const restrictedDefaultExcludedNamespaces = [
  "kube-system",
  "gatekeeper-system",
  "azure-arc",
  "azure-extensions-usage-system",
] as const;

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

/** A pod as the Azure Policy add-on's Gatekeeper reviews it at admission: its name and `spec`. */
export interface ReviewedPod {
  readonly name: string;
  readonly spec: Record<string, unknown>;
}

type Container = {
  name: string;
  image?: string;
  ports?: { hostPort?: number }[];
  securityContext?: Record<string, unknown>;
};
type Range = { readonly min: number; readonly max: number };

/**
 * The values the restricted initiative (Kubernetes_PSPRestrictedStandard.json 2.5.0) gives its
 * policies that this project does not set: AllowedUsersGroups (f06ddb64), AllowedVolumeTypes
 * (16697877), AllowedSeccompProfiles (975ce327), BlockUsingHostNetwork (82985f06, ports 0-0), and
 * the initiative's default `allowedCapabilities`.
 */
export const restrictedStandardValues = {
  runAsUser: { rule: "MustRunAsNonRoot", ranges: [] as Range[] },
  runAsGroup: { rule: "MustRunAs", ranges: [{ min: 1, max: 65535 }] },
  supplementalGroups: { rule: "MustRunAs", ranges: [{ min: 1, max: 65535 }] },
  fsGroup: { rule: "MustRunAs", ranges: [{ min: 1, max: 65535 }] },
  allowedVolumeTypes: [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
  ],
  allowedSeccompProfiles: ["runtime/default", "docker/default"],
  allowedCapabilities: [
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
  ],
  hostPorts: { min: 0, max: 0 },
} as const;

/**
 * What the restricted initiative reports of a pod (in `deny` mode: refuses), one line per problem,
 * each naming the pod and the field, worded as the policies' Gatekeeper templates word them
 * (open-policy-agent/gatekeeper-library `library/pod-security-policy/*`/template.yaml, Rego):
 * a container's own `securityContext` field wins, else the pod's (`get_field_value`). Empty when
 * the pod complies.
 */
export function restrictedStandardViolations(pod: ReviewedPod): string[] {
  const spec = pod.spec;
  const podContext = (spec["securityContext"] ?? {}) as Record<string, unknown>;
  const containers = ["initContainers", "containers", "ephemeralContainers"].flatMap(
    (key) => (spec[key] ?? []) as Container[],
  );
  const values = restrictedStandardValues;
  const problems: string[] = [];
  const add = (message: string) => problems.push(`${pod.name}: ${message}`);
  const fieldOf = (container: Container, field: string): unknown =>
    container.securityContext?.[field] !== undefined ? container.securityContext[field] : podContext[field];
  const inRange = (value: unknown, ranges: readonly Range[]) =>
    typeof value === "number" && ranges.some((range) => value >= range.min && value <= range.max);
  const allowed = (field: string, params: { rule: string; ranges: readonly Range[] }) =>
    `Allowed ${field}: ${JSON.stringify({ ranges: params.ranges, rule: params.rule })}`;

  if (spec["hostNetwork"] === true)
    add("The specified hostNetwork and hostPort are not allowed, pod: hostNetwork");
  if (spec["hostPID"] === true || spec["hostIPC"] === true)
    add("Sharing the host namespace is not allowed: hostPID/hostIPC");
  for (const volume of (spec["volumes"] ?? []) as Record<string, unknown>[]) {
    for (const type of Object.keys(volume).filter((key) => key !== "name")) {
      if (!(values.allowedVolumeTypes as readonly string[]).includes(type))
        add(
          `The volume type ${type} of volume ${String(volume["name"])} is not allowed; allowed: ${values.allowedVolumeTypes.join(", ")}`,
        );
    }
  }
  for (const container of containers) {
    const context = container.securityContext ?? {};
    const name = container.name;
    if (context["privileged"] === true)
      add(`Privileged container is not allowed: ${name}, securityContext: privileged`);
    if (context["allowPrivilegeEscalation"] !== false)
      add(
        `Privilege escalation container is not allowed: ${name}, securityContext/allowPrivilegeEscalation must be false`,
      );
    for (const port of container.ports ?? []) {
      if (
        port.hostPort !== undefined &&
        (port.hostPort < values.hostPorts.min || port.hostPort > values.hostPorts.max)
      )
        add(
          `The specified hostNetwork and hostPort are not allowed, container: ${name}, hostPort ${port.hostPort}`,
        );
    }
    const added = (context["capabilities"] as { add?: string[] } | undefined)?.add ?? [];
    for (const capability of added.filter(
      (c) => !(values.allowedCapabilities as readonly string[]).includes(c),
    ))
      add(
        `container <${name}> has a disallowed capability ${capability}. Allowed capabilities are ${values.allowedCapabilities.join(", ")}`,
      );
    // Seccomp: the container's profile, else the pod's; RuntimeDefault is `runtime/default`.
    const profile = (
      (context["seccompProfile"] ?? podContext["seccompProfile"]) as { type?: string } | undefined
    )?.type;
    const named =
      profile === "RuntimeDefault"
        ? "runtime/default"
        : profile === "Localhost"
          ? "localhost/*"
          : profile === "Unconfined"
            ? "unconfined"
            : "not configured";
    if (!(values.allowedSeccompProfiles as readonly string[]).includes(named))
      add(
        `Seccomp profile '${named}' is not allowed for container '${name}'. Allowed profiles: ${values.allowedSeccompProfiles.join(", ")}`,
      );
    // AllowedUsersGroups (k8spspallowedusers).
    const user = fieldOf(container, "runAsUser");
    if (user === 0)
      add(
        `Container ${name} is attempting to run as disallowed user 0. ${allowed("runAsUser", values.runAsUser)}`,
      );
    if (user === undefined && fieldOf(container, "runAsNonRoot") !== true)
      add(
        `Container ${name} is attempting to run without a required securityContext/runAsNonRoot or securityContext/runAsUser != 0`,
      );
    for (const field of ["runAsGroup", "supplementalGroups", "fsGroup"] as const) {
      const params = values[field];
      const value = fieldOf(container, field);
      if (value === undefined) {
        add(
          `Container ${name} is attempting to run without a required securityContext/${field}. ${allowed(field, params)}`,
        );
      } else if (Array.isArray(value)) {
        if (value.some((group) => !inRange(group, params.ranges)))
          add(
            `Container ${name} is attempting to run with disallowed supplementalGroups ${JSON.stringify(value)}. ${allowed(field, params)}`,
          );
      } else if (!inRange(value, params.ranges)) {
        add(
          `Container ${name} is attempting to run as disallowed group ${JSON.stringify(value)}. ${allowed(field, params)}`,
        );
      }
    }
  }
  return problems;
}
