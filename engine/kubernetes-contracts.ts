import { valueAt } from "../lib/values";

/**
 * What the Kubernetes side refuses of a resource the program creates, as it says it; undefined
 * when it takes it. `namespaces`: the names of the Namespaces registered so far.
 */
export function kubernetesRefusal(
  type: string,
  inputs: Record<string, unknown>,
  namespaces: ReadonlySet<string>,
): string | undefined {
  const at = (path: string): unknown => valueAt(inputs, path);
  if (type === "kubernetes:helm.sh/v3:Release") {
    const namespace = inputs["namespace"];
    // Helm installs into an existing namespace unless told to create it.
    if (typeof namespace === "string" && inputs["createNamespace"] !== true && !namespaces.has(namespace))
      return `create: failed to create: namespaces "${namespace}" not found`;
  }
  if (type === "kubernetes:cert-manager.io/v1:ClusterIssuer" && at("spec.acme") !== undefined) {
    // cert-manager's webhook (internal/apis/certmanager/validation/issuer.go, ValidateACMEIssuerConfig).
    const denied = (field: string, detail: string) =>
      `admission webhook "webhook.cert-manager.io" denied the request: spec.acme.${field}: Required value: ${detail}`;
    if (!at("spec.acme.privateKeySecretRef.name"))
      return denied("privateKeySecretRef.name", "private key secret name is a required field");
    if (!at("spec.acme.server")) return denied("server", "acme server URL is a required field");
  }
  return undefined;
}

/** The annotation that asks pulumi-kubernetes to replace a Job that is not ready (metadata/annotations.go). */
export const replaceUnreadyAnnotation = "pulumi.com/replaceUnready";

/** A Job's status as the cluster reports it: the batch/v1 JobStatus fields the provider reads. */
export interface JobStatus {
  readonly startTime?: string;
  readonly conditions?: readonly {
    readonly type: string;
    readonly status: string;
    readonly reason?: string;
    readonly message?: string;
  }[];
}

/**
 * Why pulumi-kubernetes' Job checker is not satisfied with a Job, or undefined when it is ready
 * (provider/pkg/await/checker/job/check.go): it must have started, must not have failed for good
 * (a `Failed` condition for `BackoffLimitExceeded` or `DeadlineExceeded`, reported as
 * `[<reason>] <message>`), and must be `Complete`.
 */
export function jobNotReady(status: JobStatus): string | undefined {
  if (status.startTime === undefined) return "not started";
  const condition = (type: string) => status.conditions?.find((c) => c.type === type && c.status === "True");
  const failed = condition("Failed");
  if (failed !== undefined && ["BackoffLimitExceeded", "DeadlineExceeded"].includes(failed.reason ?? ""))
    return `[${failed.reason}] ${failed.message ?? ""}`;
  return condition("Complete") === undefined ? "not complete" : undefined;
}

/**
 * What the next `pulumi up` does with a Job that exists in the cluster with `live` status and
 * whose inputs did not change, as pulumi-kubernetes' `Diff` (provider/pkg/provider/provider.go,
 * the `metadata.ReplaceUnready(newInputs)` branch, `case newInputs.GetKind() == "Job"`) and the
 * engine decide it:
 * - annotated `pulumi.com/replaceUnready: "true"` (exactly; `IsAnnotationTrue`) and not ready by
 *   the Job checker: `Diff` adds `.metadata.annotations["pulumi.com/replaceUnready"]` to its
 *   replaces, and as the name stays the same it deletes the old Job before creating the new one;
 * - otherwise no change: the engine updates a resource left with initialisation errors only to
 *   await it again, and a failed Job fails that await at once with its condition.
 */
export function nextUpOfUnchangedJob(
  inputs: Record<string, unknown>,
  live: JobStatus,
):
  | { readonly action: "replace"; readonly replaces: readonly string[]; readonly deleteBeforeReplace: true }
  | { readonly action: "await existing"; readonly outcome: string } {
  const annotation = valueAt(inputs, `metadata.annotations`) as Record<string, unknown> | undefined;
  const notReady = jobNotReady(live);
  if (
    inputs["kind"] === "Job" &&
    annotation?.[replaceUnreadyAnnotation] === "true" &&
    notReady !== undefined
  ) {
    return {
      action: "replace",
      replaces: [`.metadata.annotations["${replaceUnreadyAnnotation}"]`],
      deleteBeforeReplace: true,
    };
  }
  const outcome =
    notReady === undefined
      ? "ready"
      : notReady.startsWith("[")
        ? `fails at once: ${notReady}`
        : `waits: ${notReady}`;
  return { action: "await existing", outcome };
}
