// The ids of the built-in Azure roles the platform assigns, as plain data. Kept apart from
// infra/roles.ts, which re-exports them beside code that imports @pulumi/azure-native: the CLI
// (`platform plan` names the role of each assignment) reads them here without loading that large
// SDK, which would slow every CLI start.

/** Built-in Azure role definitions the platform assigns, by their fixed ids. */
export const roles = {
  /** Pull images from a container registry. */
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  /** Push (and pull) images to a container registry. */
  acrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
  /** Manage network resources: AKS needs it on its subnet. */
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  /** Manage everything in a scope, but not access to it. */
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  /** Manage role assignments in a scope (and nothing else). */
  roleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  /** Read and write every Kubernetes object of a cluster through Entra ID (Azure RBAC for AKS). */
  aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
  /** View everything in a scope (every read action), change nothing. */
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  /** Read most Kubernetes objects of a namespace or cluster, not Secrets, Roles or RoleBindings. */
  aksRbacReader: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
  /** List a cluster's user credential: with Entra ID and local accounts off, a kubeconfig holding no secret. */
  aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
} as const;
