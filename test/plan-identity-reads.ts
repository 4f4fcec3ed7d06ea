// What a refresh reads in the clusters, and whether the read-only plan identity may read it: the
// drift check (.github/workflows/drift.yml) runs as that identity and must leave out of its refresh
// every resource it may not read, and nothing else (docs/decisions/0040, 0042). Test code only.
import { roles } from "../lib/role-ids";
import { builtInRoles } from "./azure-built-in-roles";
import type { Registration } from "../engine/mock-engine";

/**
 * What pulumi-kubernetes' `Read` (the refresh of one resource) asks each cluster's API server for,
 * by Pulumi type, as the Kubernetes resource (`group/plural`, the core group bare) whose `get` or
 * `list` it needs. For a Kubernetes object it is a GET of the object itself (provider/pkg/provider/
 * provider.go `Read` → `await.Read`); for a Helm release it is Helm's `get` (helm_release.go `Read`
 * → `resourceReleaseLookup` → `action.NewGet`), which lists the release's records in its
 * namespace, kept as Secrets (driver "secret" unless PULUMI_K8S_HELM_DRIVER says otherwise,
 * provider.go). pulumi/pulumi-kubernetes at 94977969. Plurals: the Kubernetes API reference
 * (built-in kinds) and the CustomResourceDefinition (test/crds/cert-manager-clusterissuer.yaml).
 * A type the program renders that is not here fails the workflow test: add what its refresh reads.
 */
export const refreshReads: Readonly<Record<string, string>> = {
  "kubernetes:core/v1:ConfigMap": "configmaps",
  "kubernetes:core/v1:Namespace": "namespaces",
  "kubernetes:core/v1:Secret": "secrets",
  "kubernetes:core/v1:Service": "services",
  "kubernetes:core/v1:ServiceAccount": "serviceaccounts",
  "kubernetes:apps/v1:Deployment": "apps/deployments",
  "kubernetes:batch/v1:CronJob": "batch/cronjobs",
  "kubernetes:batch/v1:Job": "batch/jobs",
  "kubernetes:networking.k8s.io/v1:Ingress": "networking.k8s.io/ingresses",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": "networking.k8s.io/networkpolicies",
  "kubernetes:policy/v1:PodDisruptionBudget": "policy/poddisruptionbudgets",
  "kubernetes:cert-manager.io/v1:ClusterIssuer": "cert-manager.io/clusterissuers",
  "kubernetes:helm.sh/v3:Release": "secrets",
};

/**
 * The Azure data action that authorises reading a Kubernetes resource through Azure RBAC for
 * Kubernetes: `Microsoft.ContainerService/managedClusters/<group>/<plural>/read`, the core group
 * without a group (AKS RBAC Reader's own list: `.../configmaps/read`, `.../apps/deployments/read`).
 */
export const readDataAction = (resource: string): string =>
  `Microsoft.ContainerService/managedClusters/${resource}/read`;

/**
 * The data actions the plan identity holds in the clusters: those of the roles infra/plan-identity.ts
 * assigns on each environment's group (bootstrap/index.test.ts checks it holds exactly these), from
 * Azure's own definitions (test/azure-built-in-roles.ts). Reader's `*\/read` is a control-plane
 * action: it reads no Kubernetes object.
 */
export const planIdentityDataActions: readonly string[] = [
  roles.reader,
  roles.aksClusterUser,
  roles.aksRbacReader,
]
  .map((id) => {
    const definition = builtInRoles[id];
    if (definition === undefined) throw new Error(`role ${id} is not in test/azure-built-in-roles.ts`);
    return definition;
  })
  .flatMap((definition) =>
    definition.dataActions.filter((action) => !definition.notDataActions.includes(action)),
  );

/** True when one of `granted` (Azure's `*` wildcards included) covers `action`. */
const covers = (granted: readonly string[], action: string): boolean =>
  granted.some((pattern) =>
    new RegExp(
      `^${pattern
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
        .join(".*")}$`,
      "i",
    ).test(action),
  );

/** One Kubernetes resource of a run and whether the plan identity may refresh it. */
export interface RefreshedResource {
  readonly urn: string;
  readonly type: string;
  /** The data action its refresh needs. */
  readonly needs: string;
  readonly readable: boolean;
}

/**
 * Every Kubernetes resource the program manages in `registrations` (components, which a refresh
 * skips, and providers, which it refreshes without a call, left out), with whether the plan
 * identity's data actions allow its refresh.
 * @throws Error naming a Kubernetes type missing from {@link refreshReads}
 */
export function kubernetesRefreshes(
  registrations: readonly Registration[],
  dataActions: readonly string[] = planIdentityDataActions,
): RefreshedResource[] {
  return registrations
    .filter((registration) => registration.custom && registration.type.startsWith("kubernetes:"))
    .map(({ urn, type }) => {
      const resource = refreshReads[type];
      if (resource === undefined) {
        throw new Error(
          `${type} (${urn}): test/plan-identity-reads.ts refreshReads does not say what its refresh reads; add the Kubernetes resource pulumi-kubernetes' Read gets for it`,
        );
      }
      const needs = readDataAction(resource);
      return { urn, type, needs, readable: covers(dataActions, needs) };
    });
}

/**
 * Whether Pulumi's `--target`/`--exclude` value `glob` names `urn`: a value without `*` is a
 * literal URN; in a glob `**` matches anything and `*` anything but `:` (pulumi/pulumi
 * pkg/resource/deploy/deployment.go, `UrnTargets.getMatcher` and `Contains`).
 */
export function urnGlobMatches(glob: string, urn: string): boolean {
  if (!glob.includes("*")) return glob === urn;
  const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = glob
    .split("**")
    .map((segment) => segment.split("*").map(quote).join("[^:]*"))
    .join(".*");
  return new RegExp(`^${pattern}$`).test(urn);
}
