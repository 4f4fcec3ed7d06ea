import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helmv3 from "@pulumi/kubernetes/helm/v3";
import * as pulumi from "@pulumi/pulumi";
import { distrolessNonRootId, restrictedPodSecurityContext } from "../apps/manifests/kube-object";
import { restrictedNamespace } from "../apps/manifests/labels";

/** The cert-manager release the clusters run; its chart is published with each release. */
export const certManagerVersion = "v1.21.1";

/** Where the chart comes from: the OCI registry cert-manager publishes it to (helm pulls it at deploy). */
export const certManagerChart = "oci://quay.io/jetstack/charts/cert-manager";

/** The namespace cert-manager runs in. */
export const certManagerNamespace = "cert-manager";

/**
 * The chart's components that run pods, with the `image.name` each has by default, and where
 * their image values sit in the chart's values (deploy/charts/cert-manager/values.yaml, v1.21.1).
 */
export const certManagerComponents = [
  { component: "controller", path: [], name: "cert-manager-controller" },
  { component: "webhook", path: ["webhook"], name: "cert-manager-webhook" },
  { component: "cainjector", path: ["cainjector"], name: "cert-manager-cainjector" },
  { component: "acmesolver", path: ["acmesolver"], name: "cert-manager-acmesolver" },
  { component: "startupapicheck", path: ["startupapicheck"], name: "cert-manager-startupapicheck" },
] as const;

/** The Helm values the platform installs cert-manager with. */
export const certManagerValues = {
  // CRDs kept when the release goes, so that no certificate or issuer is deleted with it.
  crds: { enabled: true, keep: true },
  // The chart's pods set no groups, which the restricted pod security initiative requires
  // (docs/decisions/0033): run them as the images' own user, with its groups.
  securityContext: restrictedPodSecurityContext(distrolessNonRootId),
  webhook: { securityContext: restrictedPodSecurityContext(distrolessNonRootId) },
  cainjector: { securityContext: restrictedPodSecurityContext(distrolessNonRootId) },
  startupapicheck: { securityContext: restrictedPodSecurityContext(distrolessNonRootId) },
  config: {
    // cert-manager 1.18 made HTTP-01 solver paths `Exact`, which ingress-nginx's path
    // validation (the add-on's NGINX) rejects: keep `ImplementationSpecific`
    // (cert-manager/cert-manager#7791).
    featureGates: { ACMEHTTP01IngressPathTypeExact: false },
  },
};

/**
 * The image each component of the chart runs with `values`, as the chart's `cert-manager.image`
 * helper renders it (templates/_helpers.tpl, v1.21.1): `image.repository` (prefixed by
 * `image.registry`), else `imageRegistry/imageNamespace/image.name` (defaults `quay.io`,
 * `jetstack`); then `:tag@digest`, `:tag`, `@digest`, or `:<appVersion>`.
 */
export function certManagerImages(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const record = (value: unknown): Record<string, unknown> =>
    typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const text = (value: unknown): string => (typeof value === "string" ? value : "");
  const imageRegistry = "imageRegistry" in values ? text(values["imageRegistry"]) : "quay.io";
  const imageNamespace = "imageNamespace" in values ? text(values["imageNamespace"]) : "jetstack";
  return Object.fromEntries(
    certManagerComponents.map(({ component, path, name }) => {
      const scope = path.length === 0 ? values : record(values[path[0]]);
      const own = record(scope["image"]);
      const registry = text(own["registry"]);
      let repository = text(own["repository"]);
      if (repository === "") {
        repository = [imageRegistry, imageNamespace, text(own["name"]) || name]
          .filter((part) => part !== "")
          .join("/");
      }
      if (registry !== "") repository = `${registry}/${repository}`;
      const tag = text(own["tag"]);
      const digest = text(own["digest"]);
      const reference =
        tag !== "" && digest !== ""
          ? `:${tag}@${digest}`
          : tag !== ""
            ? `:${tag}`
            : digest !== ""
              ? `@${digest}`
              : `:${certManagerVersion}`;
      return [component, `${repository}${reference}`];
    }),
  );
}

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
        values: certManagerValues,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}

/** The chart's pod and container security contexts by default (values.yaml, v1.21.1). */
const chartSecurityDefaults = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  containerSecurityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
  },
};

/** Helm's merge of user values over a chart's defaults: maps merge key by key, anything else replaces. */
function mergeValues(defaults: unknown, given: unknown): unknown {
  const isMap = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isMap(defaults) || !isMap(given)) return given === undefined ? defaults : given;
  const keys = new Set([...Object.keys(defaults), ...Object.keys(given)]);
  return Object.fromEntries([...keys].map((key) => [key, mergeValues(defaults[key], given[key])]));
}

/**
 * The pods the chart runs with `values` (controller, webhook, cainjector Deployments and the
 * startupapicheck Job), as admission sees them: the pod `securityContext` from
 * `<component>.securityContext`, each container's from `<component>.containerSecurityContext`,
 * over the chart's defaults (templates/deployment.yaml, webhook-deployment.yaml,
 * cainjector-deployment.yaml, startupapicheck-job.yaml). The chart sets no host namespaces,
 * host ports or volumes other than configMaps.
 */
export function certManagerPods(
  values: Readonly<Record<string, unknown>>,
): { name: string; spec: Record<string, unknown> }[] {
  const images = certManagerImages(values);
  const scopeOf = (component: string): Record<string, unknown> =>
    ((component === "controller" ? values : values[component]) ?? {}) as Record<string, unknown>;
  return (["controller", "webhook", "cainjector", "startupapicheck"] as const).map((component) => {
    const scope = scopeOf(component);
    return {
      name: `cert-manager ${component}`,
      spec: {
        securityContext: mergeValues(chartSecurityDefaults.securityContext, scope["securityContext"]),
        containers: [
          {
            name: `cert-manager-${component}`,
            image: images[component],
            securityContext: mergeValues(
              chartSecurityDefaults.containerSecurityContext,
              scope["containerSecurityContext"],
            ),
          },
        ],
      },
    };
  });
}

/**
 * The HTTP-01 solver pod cert-manager creates for a challenge of `issuer` (a ClusterIssuer with one
 * HTTP-01 ingress solver), as pkg/issuer/acme/http/pod.go (v1.21.1) builds it: its own pod
 * security context (`runAsNonRoot`, seccomp `RuntimeDefault`) unless the solver's `podTemplate`
 * gives one, which then replaces it field by field; the container drops every capability and may
 * not escalate.
 */
export function acmeSolverPod(
  issuer: { readonly [key: string]: unknown },
  solverImage: string,
): { name: string; spec: Record<string, unknown> } {
  type Ingress = { podTemplate?: { spec?: { securityContext?: Record<string, unknown> } } };
  const solver = (issuer["spec"] as { acme?: { solvers?: { http01?: { ingress?: Ingress } }[] } } | undefined)
    ?.acme?.solvers?.[0]?.http01?.ingress;
  const template = solver?.podTemplate?.spec?.securityContext;
  const fields = [
    "seLinuxOptions",
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "supplementalGroups",
    "fsGroup",
    "sysctls",
    "fsGroupChangePolicy",
    "seccompProfile",
  ];
  const securityContext =
    template === undefined
      ? { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }
      : Object.fromEntries(
          fields.filter((field) => template[field] !== undefined).map((f) => [f, template[f]]),
        );
  return {
    name: "cert-manager acme http01 solver",
    spec: {
      securityContext,
      containers: [
        {
          name: "acmesolver",
          image: solverImage,
          securityContext: {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          },
        },
      ],
    },
  };
}
