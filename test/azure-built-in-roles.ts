/**
 * Azure's built-in role definitions the bootstrap assigns to the plan identity, as Azure defines
 * them: actions and data actions copied from the JSON of each role in Microsoft's built-in roles
 * reference (MicrosoftDocs/azure-docs, articles/role-based-access-control/built-in-roles/
 * containers.md for the AKS and ACR roles; built-in-roles/general.md for Reader), by role id.
 * bootstrap/index.test.ts resolves every role the plan identity holds through this table and
 * refuses any that can write. A role missing here fails that test: add its definition from the
 * reference, never a guess.
 */
export interface RoleDefinition {
  readonly roleName: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

export const builtInRoles: Readonly<Record<string, RoleDefinition>> = {
  // general.md, "Reader": "View all resources, but does not allow you to make any changes."
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": {
    roleName: "Reader",
    actions: ["*/read"],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  // containers.md, "AcrPull": "Pull artifacts from a container registry."
  "7f951dda-4ed3-4680-a7ca-43fe172d538d": {
    roleName: "AcrPull",
    actions: ["Microsoft.ContainerRegistry/registries/pull/read"],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  // containers.md, "Azure Kubernetes Service Cluster User Role": "List cluster user credential action."
  "4abbcc35-e782-43d8-92c5-2d3f1bd2253f": {
    roleName: "Azure Kubernetes Service Cluster User Role",
    actions: [
      "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      "Microsoft.ContainerService/managedClusters/read",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  // containers.md, "Azure Kubernetes Service RBAC Reader": no Secrets, Roles or RoleBindings.
  "7f6c6a51-bcf8-42ba-9220-52d62157d7db": {
    roleName: "Azure Kubernetes Service RBAC Reader",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Resources/subscriptions/operationresults/read",
      "Microsoft.Resources/subscriptions/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
    ],
    notActions: [],
    dataActions: [
      "Microsoft.ContainerService/managedClusters/apps/controllerrevisions/read",
      "Microsoft.ContainerService/managedClusters/apps/daemonsets/read",
      "Microsoft.ContainerService/managedClusters/apps/deployments/read",
      "Microsoft.ContainerService/managedClusters/apps/replicasets/read",
      "Microsoft.ContainerService/managedClusters/apps/statefulsets/read",
      "Microsoft.ContainerService/managedClusters/autoscaling/horizontalpodautoscalers/read",
      "Microsoft.ContainerService/managedClusters/batch/cronjobs/read",
      "Microsoft.ContainerService/managedClusters/batch/jobs/read",
      "Microsoft.ContainerService/managedClusters/configmaps/read",
      "Microsoft.ContainerService/managedClusters/discovery.k8s.io/endpointslices/read",
      "Microsoft.ContainerService/managedClusters/endpoints/read",
      "Microsoft.ContainerService/managedClusters/events.k8s.io/events/read",
      "Microsoft.ContainerService/managedClusters/events/read",
      "Microsoft.ContainerService/managedClusters/extensions/daemonsets/read",
      "Microsoft.ContainerService/managedClusters/extensions/deployments/read",
      "Microsoft.ContainerService/managedClusters/extensions/ingresses/read",
      "Microsoft.ContainerService/managedClusters/extensions/networkpolicies/read",
      "Microsoft.ContainerService/managedClusters/extensions/replicasets/read",
      "Microsoft.ContainerService/managedClusters/limitranges/read",
      "Microsoft.ContainerService/managedClusters/metrics.k8s.io/pods/read",
      "Microsoft.ContainerService/managedClusters/metrics.k8s.io/nodes/read",
      "Microsoft.ContainerService/managedClusters/namespaces/read",
      "Microsoft.ContainerService/managedClusters/networking.k8s.io/ingresses/read",
      "Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/read",
      "Microsoft.ContainerService/managedClusters/persistentvolumeclaims/read",
      "Microsoft.ContainerService/managedClusters/pods/read",
      "Microsoft.ContainerService/managedClusters/policy/poddisruptionbudgets/read",
      "Microsoft.ContainerService/managedClusters/replicationcontrollers/read",
      "Microsoft.ContainerService/managedClusters/resourcequotas/read",
      "Microsoft.ContainerService/managedClusters/serviceaccounts/read",
      "Microsoft.ContainerService/managedClusters/services/read",
    ],
    notDataActions: [],
  },
};

/**
 * The actions that do not end in `/read` and that the plan identity may still hold, each with
 * why it writes nothing. listClusterUserCredential is a POST ("action"), not a read: it returns
 * the cluster's user kubeconfig. With Entra ID integration and local accounts disabled
 * (infra/aks-cluster.ts) that kubeconfig names the API server and the kubelogin exec plugin and
 * carries no token or certificate: what the caller may then do in the cluster is decided by its
 * own Entra ID token and its Kubernetes roles (AKS RBAC Reader here). Azure's own docs call it
 * the role that lets a user "download kubeconfig" (learn.microsoft.com, aks/control-kubeconfig-access).
 */
export const readOnlyActions: Readonly<Record<string, string>> = {
  "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action":
    "returns a kubeconfig without credentials (Entra ID, local accounts disabled); changes nothing",
};
