import * as monitor from "@pulumi/azure-native/monitor";
import type * as pulumi from "@pulumi/pulumi";

/** The stream the monitoring add-on sends: inventory, performance and container logs. */
const containerInsightsStream = "Microsoft-ContainerInsights-Group-Default";

/**
 * What the monitoring add-on collects from `clusterId`, into the workspace. With Entra ID
 * authentication (`useAADAuth`) the add-on sends only what a data collection rule associated with
 * the cluster asks for; `az aks enable-addons` creates these two, ARM does not. A function, not a
 * component, like `sendDiagnostics`: the rule belongs to the cluster's component.
 */
export function collectContainerInsights(
  name: string,
  target: {
    readonly clusterId: pulumi.Input<string>;
    readonly workspaceId: pulumi.Input<string>;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
  },
  opts: pulumi.CustomResourceOptions,
): monitor.DataCollectionRuleAssociation {
  const collection = new monitor.DataCollectionRule(
    name,
    {
      resourceGroupName: target.resourceGroupName,
      location: target.location,
      kind: "Linux",
      dataSources: {
        extensions: [
          {
            name: "ContainerInsightsExtension",
            extensionName: "ContainerInsights",
            streams: [containerInsightsStream],
          },
        ],
      },
      destinations: {
        logAnalytics: [{ name: "workspace", workspaceResourceId: target.workspaceId }],
      },
      dataFlows: [{ streams: [containerInsightsStream], destinations: ["workspace"] }],
    },
    opts,
  );
  return new monitor.DataCollectionRuleAssociation(
    name,
    {
      associationName: "ContainerInsightsExtension",
      resourceUri: target.clusterId,
      dataCollectionRuleId: collection.id,
    },
    opts,
  );
}
