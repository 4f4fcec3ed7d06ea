/** ServiceAccount annotation: the client id of the managed identity the account's pods act as. */
export const clientIdAnnotation = "azure.workload.identity/client-id";

/** Pod label that asks AKS's workload identity webhook to project the identity token into the pod. */
export const useWorkloadIdentityLabel = "azure.workload.identity/use";

/** The audience of the Kubernetes token that Entra ID exchanges for the identity's token. */
export const tokenExchangeAudience = "api://AzureADTokenExchange";

/**
 * The subject of a ServiceAccount's tokens, as a federated identity credential names it:
 * `system:serviceaccount:apps:main-api`.
 */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}
