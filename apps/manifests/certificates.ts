import type { EnvironmentSettings } from "../../environments/settings";
import { distrolessNonRootId, restrictedPodSecurityContext, type KubeObject } from "./kube-object";
import { platformLabels } from "./labels";

/** The ClusterIssuer every public Ingress names: cert-manager's ACME account of the environment. */
export const clusterIssuerName = "acme";

/** The annotation by which cert-manager's ingress-shim issues a certificate for an Ingress's `tls` hosts. */
export const clusterIssuerAnnotation = "cert-manager.io/cluster-issuer";

/** The ingress class of the AKS application routing add-on (managed NGINX). */
export const ingressClassName = "webapprouting.kubernetes.azure.com";

/** The label cert-manager puts on its HTTP-01 solver pods (pkg/issuer/acme/http/pod.go). */
export const acmeSolverLabel = "acme.cert-manager.io/http01-solver";

/** The port cert-manager's HTTP-01 solver pods listen on (`acmeSolverListenPort`). */
export const acmeSolverPort = 8089;

/**
 * The cluster's ACME issuer: an account at the environment's certificate authority, its key in the
 * Secret `acme-account-key` of cert-manager's namespace, proving control of each host over
 * HTTP-01 through the application routing add-on's NGINX. The solver pods run in the Ingress's
 * namespace (`apps`), with cert-manager's own `restricted`-level security context.
 */
export function clusterIssuer(environment: EnvironmentSettings): KubeObject {
  const { acmeServer, acmeEmail } = environment.tls;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: clusterIssuerName, labels: platformLabels() },
    spec: {
      acme: {
        server: acmeServer,
        ...(acmeEmail !== undefined ? { email: acmeEmail } : {}),
        privateKeySecretRef: { name: `${clusterIssuerName}-account-key` },
        solvers: [
          {
            http01: {
              ingress: {
                ingressClassName,
                // The solver pod's own security context has no groups, which the restricted
                // initiative requires; a template's replaces it whole (pkg/issuer/acme/http/pod.go).
                podTemplate: { spec: { securityContext: restrictedPodSecurityContext(distrolessNonRootId) } },
              },
            },
          },
        ],
      },
    },
  };
}
