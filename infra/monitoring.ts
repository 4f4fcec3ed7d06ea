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

/**
 * Sends every log category and/or all metrics of `resourceId` to the workspace. A function, not
 * a component: the diagnostic setting belongs to the component that owns the resource.
 */
export function sendDiagnostics(
  name: string,
  resourceId: pulumi.Input<string>,
  workspaceId: pulumi.Input<string>,
  send: { readonly logs?: boolean; readonly metrics?: boolean },
  opts: pulumi.CustomResourceOptions,
): monitor.DiagnosticSetting {
  return new monitor.DiagnosticSetting(
    name,
    {
      resourceUri: resourceId,
      workspaceId,
      logs: send.logs ? [{ categoryGroup: "allLogs", enabled: true }] : undefined,
      metrics: send.metrics ? [{ category: "AllMetrics", enabled: true }] : undefined,
    },
    opts,
  );
}
