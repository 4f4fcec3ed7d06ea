import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkLayout } from "../environments/network-layout";

/** Arguments of {@link Network}. */
export interface NetworkArgs {
  /**
   * Name of the environment's resource group (everything of the environment lives in it). The
   * bootstrap stack creates it, with the deploy identity's rights on it.
   */
  readonly resourceGroupName: string;
  readonly location: string;
  /** The address space and subnets to create. */
  readonly layout: NetworkLayout;
}

/**
 * An environment's virtual network, in its resource group: a subnet for the cluster's nodes, one
 * delegated to MySQL Flexible Server, and one for the private endpoints of the data services.
 */
export class Network extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly virtualNetworkId: pulumi.Output<string>;
  readonly nodesSubnetId: pulumi.Output<string>;
  readonly mysqlSubnetId: pulumi.Output<string>;
  readonly privateEndpointsSubnetId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Network", name, {}, opts);
    const { layout, location } = args;

    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        resourceGroupName: args.resourceGroupName,
        location,
        addressSpace: { addressPrefixes: [layout.addressSpace] },
      },
      // Subnets are separate resources below; without this the VNet would remove them on update.
      { parent: this, ignoreChanges: ["subnets"] },
    );
    // Azure rejects concurrent subnet changes in one VNet, so each waits for the previous one.
    const nodes = new network.Subnet(
      `${name}-nodes`,
      {
        resourceGroupName: args.resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefix: layout.nodes,
      },
      { parent: this },
    );
    const mysql = new network.Subnet(
      `${name}-mysql`,
      {
        resourceGroupName: args.resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefix: layout.mysql,
        delegations: [{ name: "mysql-flexible", serviceName: "Microsoft.DBforMySQL/flexibleServers" }],
      },
      { parent: this, dependsOn: [nodes] },
    );
    const privateEndpoints = new network.Subnet(
      `${name}-private-endpoints`,
      {
        resourceGroupName: args.resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefix: layout.privateEndpoints,
        privateEndpointNetworkPolicies: "Enabled",
      },
      { parent: this, dependsOn: [mysql] },
    );

    this.resourceGroupName = pulumi.output(args.resourceGroupName);
    this.virtualNetworkId = vnet.id;
    this.nodesSubnetId = nodes.id;
    this.mysqlSubnetId = mysql.id;
    this.privateEndpointsSubnetId = privateEndpoints.id;
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      virtualNetworkId: this.virtualNetworkId,
    });
  }
}
