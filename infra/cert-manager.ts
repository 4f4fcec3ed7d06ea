import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helmv3 from "@pulumi/kubernetes/helm/v3";
import * as pulumi from "@pulumi/pulumi";
import { restrictedNamespace } from "../apps/manifests/labels";

/** The cert-manager release the clusters run; its chart is published with each release. */
export const certManagerVersion = "v1.21.1";

/** Where the chart comes from: the OCI registry cert-manager publishes it to (helm pulls it at deploy). */
export const certManagerChart = "oci://quay.io/jetstack/charts/cert-manager";

/** The namespace cert-manager runs in. */
export const certManagerNamespace = "cert-manager";

/** Arguments of {@link CertManager}. */
export interface CertManagerArgs {
  /** The environment's name, a label of the namespace. */
  readonly environment: string;
  /** What the install waits for: the node pool its pods run on. */
  readonly waitFor?: readonly pulumi.Resource[];
}

/**
 * cert-manager, installed by Helm into a namespace of its own held to the `restricted` pod
 * security level (the chart's pods and cert-manager's HTTP-01 solver pods meet it). It gets and
 * renews the certificates of the public hosts from the environment's ACME ClusterIssuer, which
 * the apps' objects hold (docs/decisions/0015).
 */
export class CertManager extends pulumi.ComponentResource {
  /** The Helm release: its CRDs and webhook exist once it is ready, so custom resources wait for it. */
  readonly release: helmv3.Release;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kubernetes:CertManager", name, {}, opts);
    const {
      apiVersion: _apiVersion,
      kind: _kind,
      ...namespaceFields
    } = restrictedNamespace(certManagerNamespace, args.environment);
    const namespace = new corev1.Namespace(`${name}-namespace`, namespaceFields, {
      parent: this,
      dependsOn: [...(args.waitFor ?? [])],
    });
    // A Release, not a v4 Chart: Helm runs the chart's hooks (the start-up API check) and owns
    // the upgrade of the CRDs; Pulumi waits until every object of the release is ready.
    this.release = new helmv3.Release(
      name,
      {
        name: "cert-manager",
        chart: certManagerChart,
        version: certManagerVersion,
        namespace: namespace.metadata.name,
        values: {
          // CRDs kept when the release goes, so that no certificate or issuer is deleted with it.
          crds: { enabled: true, keep: true },
          config: {
            // cert-manager 1.18 made HTTP-01 solver paths `Exact`, which ingress-nginx's path
            // validation (the add-on's NGINX) rejects: keep `ImplementationSpecific`
            // (cert-manager/cert-manager#7791).
            featureGates: { ACMEHTTP01IngressPathTypeExact: false },
          },
        },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
