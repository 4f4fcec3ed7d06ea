import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Days the workspace keeps logs. */
  readonly retentionDays: number;
}

/** The environment's Log Analytics workspace, where the cluster and the data services log. */
export class Monitoring extends pulumi.ComponentResource {
  readonly workspaceId: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Monitoring", name, {}, opts);
    const workspace = new operationalinsights.Workspace(
      `${name}-logs`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: "PerGB2018" },
        retentionInDays: args.retentionDays,
      },
      { parent: this },
    );
    this.workspaceId = workspace.id;
    this.registerOutputs({ workspaceId: this.workspaceId });
  }
}

/** What {@link sendDiagnostics} sends. */
export interface DiagnosticsToSend {
  /** Every log category (the `allLogs` group). */
  readonly logs?: boolean;
  /** Only these log categories, into their own tables; for resources whose `allLogs` is costly. */
  readonly logCategories?: readonly string[];
  /** All metrics. */
  readonly metrics?: boolean;
}

/**
 * Sends the logs and/or all metrics of `resourceId` to the workspace. A function, not a
 * component: the diagnostic setting belongs to the component that owns the resource.
 */
export function sendDiagnostics(
  name: string,
  resourceId: pulumi.Input<string>,
  workspaceId: pulumi.Input<string>,
  send: DiagnosticsToSend,
  opts: pulumi.CustomResourceOptions,
): monitor.DiagnosticSetting {
  const logs = [
    ...(send.logs ? [{ categoryGroup: "allLogs", enabled: true }] : []),
    ...(send.logCategories ?? []).map((category) => ({ category, enabled: true })),
  ];
  return new monitor.DiagnosticSetting(
    name,
    {
      resourceUri: resourceId,
      workspaceId,
      // Resource-specific tables (AKSAudit, AKSAuditAdmin, AKSControlPlane) for chosen categories.
      logAnalyticsDestinationType: send.logCategories ? "Dedicated" : undefined,
      logs: logs.length > 0 ? logs : undefined,
      metrics: send.metrics ? [{ category: "AllMetrics", enabled: true }] : undefined,
    },
    opts,
  );
}
