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
