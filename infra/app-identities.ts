import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountSubject, tokenExchangeAudience } from "../apps/manifests/workload-identity";

/** Arguments of {@link AppIdentities}. */
export interface AppIdentitiesArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /**
   * The apps' identities, each by its persistent name (apps/persistent-names.ts), with the
   * ServiceAccount that may use it. Resource names derive from the identity's name, not the app's
   * key, so that a renamed app that keeps it keeps its identity and client id.
   */
  readonly apps: readonly { readonly identity: string; readonly serviceAccount: string }[];
  /** The namespace of the apps' ServiceAccounts. */
  readonly namespace: string;
  /** The cluster's OIDC issuer URL: the only issuer whose tokens the identities accept. */
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** Azure names of the identities: `<prefix>-<identity>` (`id-platform-acceptance-main-api`). */
  readonly namePrefix: string;
}

/**
 * One user-assigned managed identity per app, federated to the app's Kubernetes ServiceAccount:
 * Entra ID gives a token of the identity to a pod that shows a token of that ServiceAccount issued
 * by this cluster (AKS workload identity), and to nothing else. No secret exists for it.
 */
export class AppIdentities extends pulumi.ComponentResource {
  /** The identities' client ids, by identity name: what each ServiceAccount's annotation names. */
  readonly clientIds: Readonly<Record<string, pulumi.Output<string>>>;
  /** The identities' object (principal) ids, by identity name: what access policies and roles are granted to. */
  readonly principalIds: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: AppIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:AppIdentities", name, {}, opts);
    const clientIds: Record<string, pulumi.Output<string>> = {};
    const principalIds: Record<string, pulumi.Output<string>> = {};
    for (const { identity: app, serviceAccount } of args.apps) {
      const identity = new managedidentity.UserAssignedIdentity(
        `${name}-${app}`,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          resourceName: `${args.namePrefix}-${app}`,
        },
        { parent: this },
      );
      const credential = new managedidentity.FederatedIdentityCredential(
        `${name}-${app}-federation`,
        {
          resourceGroupName: args.resourceGroupName,
          resourceName: identity.name,
          federatedIdentityCredentialResourceName: "kubernetes",
          issuer: args.oidcIssuerUrl,
          subject: serviceAccountSubject(args.namespace, serviceAccount),
          audiences: [tokenExchangeAudience],
        },
        { parent: this },
      );
      // A pod can use the client id only once the federation exists; the id carries that wait.
      clientIds[app] = pulumi.all([identity.clientId, credential.id]).apply(([clientId]) => clientId);
      principalIds[app] = identity.principalId;
    }
    this.clientIds = clientIds;
    this.principalIds = principalIds;
    this.registerOutputs({ clientIds, principalIds });
  }
}
