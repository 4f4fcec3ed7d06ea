import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { podSecurityInitiatives, restrictedDefaultExcludedNamespaces } from "./policy-definitions";

/** What the Azure Policy add-on does with a pod that breaks the initiative. */
export type PodSecurityEffect = "audit" | "deny";

/** Arguments of {@link PodSecurityPolicy}. */
export interface PodSecurityPolicyArgs {
  /** The environment, for the assignment's display name. */
  readonly environment: string;
  /**
   * Id of the environment's resource group: the assignment covers every cluster created in it,
   * including a replaced one.
   */
  readonly resourceGroupId: pulumi.Input<string>;
  /**
   * `audit` reports non-compliant pods in Azure Policy's compliance view; `deny` makes the
   * add-on's Gatekeeper refuse them at admission.
   */
  readonly effect: PodSecurityEffect;
  /**
   * Namespaces to skip besides the initiative's defaults, which stay: the parameter replaces the
   * default list, so the assignment passes both.
   * @default none
   */
  readonly excludedNamespaces?: readonly string[];
}

/**
 * Assigns the built-in initiative "Kubernetes cluster pod security restricted standards for
 * Linux-based workloads" to an environment's resource group, as the AKS baseline reference
 * architecture does: the clusters' Azure Policy add-on then checks every pod against the Pod
 * Security Standards' restricted level (no privileged or host-namespace pods, no privilege
 * escalation, non-root with user and groups in range, allowed volume types, seccomp). The
 * initiative's own default exclusions (`kube-system`, `gatekeeper-system`, `azure-arc`,
 * `azure-extensions-usage-system`) stay; the environment may add the add-ons' namespaces.
 *
 * Assigning needs `Microsoft.Authorization/policyAssignments/write`, which the deploy identities'
 * Contributor excludes: the bootstrap stack, run by an administrator, creates it.
 */
export class PodSecurityPolicy extends pulumi.ComponentResource {
  readonly assignmentId: pulumi.Output<string>;

  constructor(name: string, args: PodSecurityPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:PodSecurityPolicy", name, {}, opts);
    const initiative = podSecurityInitiatives.restricted;
    const assignment = new authorization.PolicyAssignment(
      `${name}-restricted`,
      {
        // Azure limits an assignment's name to 64 characters at resource group scope.
        policyAssignmentName: "pod-security-restricted",
        displayName: `[${args.environment}] ${initiative.displayName}`,
        policyDefinitionId: initiative.id,
        scope: args.resourceGroupId,
        parameters: {
          effect: { value: args.effect },
          ...(args.excludedNamespaces !== undefined && args.excludedNamespaces.length > 0
            ? {
                excludedNamespaces: {
                  value: [...restrictedDefaultExcludedNamespaces, ...args.excludedNamespaces],
                },
              }
            : {}),
        },
        // `Default` applies the effect; `DoNotEnforce` would only evaluate.
        enforcementMode: "Default",
      },
      { parent: this },
    );
    this.assignmentId = assignment.id;
    this.registerOutputs({ assignmentId: this.assignmentId });
  }
}
