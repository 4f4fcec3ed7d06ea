import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings } from "../environments/settings";
import type { NetworkLayout } from "../environments/network-layout";
import { collectContainerInsights } from "./container-insights";
import { sendDiagnostics } from "./monitoring";
import { roleDefinitionId, roles } from "./roles";

/** Arguments of {@link AksCluster}. */
export interface AksClusterArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Name of the cluster in Azure, also its DNS prefix. */
  readonly clusterName: string;
  readonly settings: ClusterSettings;
  /** Pod, service and DNS ranges of the overlay network. */
  readonly layout: NetworkLayout;
  /** Subnet of the nodes of every pool. */
  readonly nodesSubnetId: pulumi.Input<string>;
  /**
   * Log Analytics workspace of the monitoring add-on (Container Insights), of Microsoft Defender
   * and of the control plane's logs.
   */
  readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
}

/**
 * Control-plane log categories sent to the workspace: the audit log without reads
 * (`kube-audit-admin`, far smaller than `kube-audit`), Entra ID authentication (`guard`) and the
 * API server's own log.
 */
export const controlPlaneLogCategories = ["kube-audit-admin", "guard", "kube-apiserver"] as const;

/**
 * An AKS cluster: a small system pool inline (inline pools cannot change in place) and the apps'
 * autoscaled pool as a separate `AgentPool`; Azure CNI overlay with Cilium; OIDC issuer and
 * workload identity; Entra ID with Azure RBAC and no local accounts; an API server that only the
 * settings' IP ranges reach; the application routing add-on for ingress; the Azure Policy add-on,
 * Microsoft Defender and the image cleaner; control-plane logs in the workspace; and a Kubernetes
 * provider for the resources deployed into it (docs/decisions/0012, 0013).
 *
 * AKS upgrades the Kubernetes version and the node image by itself, along the settings' channels,
 * and starts those upgrades only in the settings' weekly maintenance window (both
 * `aksManagedAutoUpgradeSchedule` and `aksManagedNodeOSUpgradeSchedule`). Acceptance's window
 * opens before production's, so acceptance normally gets an upgrade first; not always: a version
 * that AKS offers in the region between the two windows reaches production first, and AKS may
 * break a window for urgent fixes. Only pinning `kubernetesVersion` and promoting it (or AKS Fleet
 * Manager's staged update runs) would order upgrades strictly.
 */
export class AksCluster extends pulumi.ComponentResource {
  readonly clusterId: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  /** Object id of the kubelet identity: what pulls images from the registry. */
  readonly kubeletObjectId: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string>;
  /** Kubeconfig for Entra ID users (kubelogin exec plugin), marked secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** The pool the apps run on: their pods cannot start before it exists. */
  readonly workloadPool: pulumi.Resource;
  /** The provider every Kubernetes resource of the environment uses. */
  readonly provider: KubernetesProvider;

  constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:AksCluster", name, {}, opts);
    const { settings, layout, location, resourceGroupName } = args;
    // Without ranges AKS opens the API server to every address; refuse rather than do that.
    if (settings.authorizedIpRanges.length === 0) {
      throw new Error(
        `${name}: settings.authorizedIpRanges is empty, which would open the API server of ${args.clusterName} to every address`,
      );
    }
    const zones = settings.zones.length > 0 ? [...settings.zones] : undefined;

    // The control plane manages load balancers in the nodes' subnet: its identity needs Network
    // Contributor there before the cluster exists, hence a user-assigned identity.
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName, location },
      { parent: this },
    );
    const subnetAccess = new authorization.RoleAssignment(
      `${name}-subnet-access`,
      {
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleDefinitionId(roles.networkContributor),
        scope: args.nodesSubnetId,
      },
      { parent: this },
    );

    const cluster = new containerservice.ManagedCluster(
      `${name}-cluster`,
      {
        resourceGroupName,
        location,
        resourceName: args.clusterName,
        dnsPrefix: args.clusterName,
        sku: { name: "Base", tier: settings.tier },
        identity: {
          type: "UserAssigned",
          userAssignedIdentities: [identity.id],
        },
        agentPoolProfiles: [
          {
            name: "system",
            mode: "System",
            count: settings.systemPool.count,
            vmSize: settings.systemPool.vmSize,
            availabilityZones: zones,
            vnetSubnetID: args.nodesSubnetId,
            osType: "Linux",
            osSKU: "AzureLinux",
            // Only cluster add-ons run here; the apps get the workload pool.
            nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
          },
        ],
        networkProfile: {
          networkPlugin: "azure",
          networkPluginMode: "overlay",
          networkDataplane: "cilium",
          networkPolicy: "cilium",
          podCidr: layout.podCidr,
          serviceCidr: layout.serviceCidr,
          dnsServiceIP: layout.dnsServiceIp,
          loadBalancerSku: "standard",
          // Egress through the load balancer, whose outbound address AKS adds to the authorized
          // ranges itself; a zonal NAT gateway would tie production's egress to one zone (0012).
          outboundType: "loadBalancer",
        },
        oidcIssuerProfile: { enabled: true },
        securityProfile: {
          workloadIdentity: { enabled: true },
          defender: {
            logAnalyticsWorkspaceResourceId: args.logAnalyticsWorkspaceId,
            securityMonitoring: { enabled: true },
          },
          // Removes unused, vulnerable images from the nodes; weekly is AKS's default interval.
          imageCleaner: { enabled: true, intervalHours: 168 },
        },
        autoUpgradeProfile: {
          upgradeChannel: settings.upgradeChannel,
          nodeOSUpgradeChannel: settings.nodeOsUpgradeChannel,
        },
        apiServerAccessProfile: { authorizedIPRanges: [...settings.authorizedIpRanges] },
        enableRBAC: true,
        aadProfile: {
          managed: true,
          enableAzureRBAC: true,
          adminGroupObjectIDs: [...settings.adminGroupObjectIds],
        },
        // No static admin kubeconfig (`listClusterAdminCredential`): only Entra ID identities,
        // through Azure RBAC, in every environment.
        disableLocalAccounts: true,
        ingressProfile: { webAppRouting: { enabled: true } },
        addonProfiles: {
          omsagent: {
            enabled: true,
            config: { logAnalyticsWorkspaceResourceID: args.logAnalyticsWorkspaceId, useAADAuth: "true" },
          },
          // Gatekeeper, reporting on the policies assigned to the cluster's scope (0013).
          azurepolicy: { enabled: true },
        },
      },
      {
        parent: this,
        dependsOn: [subnetAccess],
        // What AKS changes by itself: the version (auto-upgrade channel) and the pool list (the
        // separate workload pool shows up there, with the autoscaler's count). `refresh: true`
        // copies both into the state's inputs (azure-native's Read), and the program would then
        // PUT the cluster on every deploy to take them back (pulumi/pulumi-azure-native#579,
        // #4264). The inline pool is create-only anyway (docs/decisions/0036).
        ignoreChanges: ["kubernetesVersion", "agentPoolProfiles"],
      },
    );

    this.workloadPool = new containerservice.AgentPool(
      `${name}-workload-pool`,
      {
        resourceGroupName,
        resourceName: cluster.name,
        agentPoolName: "workload",
        mode: "User",
        vmSize: settings.workloadPool.vmSize,
        enableAutoScaling: true,
        count: settings.workloadPool.minCount,
        minCount: settings.workloadPool.minCount,
        maxCount: settings.workloadPool.maxCount,
        availabilityZones: zones,
        vnetSubnetID: args.nodesSubnetId,
        osType: "Linux",
        osSKU: "AzureLinux",
        upgradeSettings: { maxSurge: "33%" },
      },
      // The autoscaler owns the node count once the pool exists.
      { parent: this, ignoreChanges: ["count"] },
    );

    // Weekly, in UTC; the same window for both kinds of upgrade (AKS orders them if both are due).
    const { maintenanceWindow } = settings;
    const schedules = {
      "kubernetes-upgrades": "aksManagedAutoUpgradeSchedule",
      "node-os-upgrades": "aksManagedNodeOSUpgradeSchedule",
    };
    for (const [suffix, configName] of Object.entries(schedules)) {
      new containerservice.MaintenanceConfiguration(
        `${name}-${suffix}`,
        {
          resourceGroupName,
          resourceName: cluster.name,
          configName,
          maintenanceWindow: {
            schedule: { weekly: { dayOfWeek: maintenanceWindow.dayOfWeek, intervalWeeks: 1 } },
            startTime: maintenanceWindow.startTime,
            durationHours: maintenanceWindow.durationHours,
            utcOffset: "+00:00",
          },
        },
        // After the workload pool: one change to the cluster at a time.
        { parent: this, dependsOn: [this.workloadPool] },
      );
    }

    collectContainerInsights(
      `${name}-container-insights`,
      { clusterId: cluster.id, workspaceId: args.logAnalyticsWorkspaceId, resourceGroupName, location },
      { parent: this },
    );

    sendDiagnostics(
      `${name}-control-plane-logs`,
      cluster.id,
      args.logAnalyticsWorkspaceId,
      { logCategories: controlPlaneLogCategories },
      { parent: this },
    );

    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName, resourceName: cluster.name, format: "exec" },
      { parent: this },
    );
    this.kubeconfig = pulumi.secret(
      credentials.kubeconfigs.apply((kubeconfigs) => decodeKubeconfig(kubeconfigs[0]?.value)),
    );
    this.clusterId = cluster.id;
    this.clusterName = cluster.name;
    this.kubeletObjectId = cluster.identityProfile.apply((profile) => {
      const objectId = profile?.["kubeletidentity"]?.objectId;
      if (!objectId) throw new Error(`cluster ${args.clusterName} reports no kubelet identity`);
      return objectId;
    });
    this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((profile) => profile?.issuerURL ?? "");
    this.provider = new KubernetesProvider(
      `${name}-kubernetes`,
      {
        kubeconfig: this.kubeconfig,
        // Without it an unknown kubeconfig during preview plans replacing every workload.
        clusterIdentifier: cluster.id,
        deleteUnreachable: false,
      },
      { parent: this },
    );
    this.registerOutputs({
      clusterId: this.clusterId,
      clusterName: this.clusterName,
      kubeletObjectId: this.kubeletObjectId,
      kubeconfig: this.kubeconfig,
    });
  }
}

/** AKS returns kubeconfigs base64-encoded. */
export function decodeKubeconfig(encoded: string | undefined): string {
  if (!encoded) throw new Error("AKS returned no kubeconfig");
  return Buffer.from(encoded, "base64").toString("utf8");
}
