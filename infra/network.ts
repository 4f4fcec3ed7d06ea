import * as network from "@pulumi/azure-native/network";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import { cacheContract } from "./redis-cache.contract";
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

/** Ports the data services listen on in the virtual network. */
const mysqlPort = "3306";
/** The container registry's login and data endpoints (HTTPS), through its private endpoint. */
const registryPort = "443";

/** An inbound rule of a network security group (the outbound defaults are kept). */
type InboundRule = inputs.network.SecurityRuleArgs & { name: string; priority: number };

const allowInbound = (
  name: string,
  priority: number,
  from: string,
  to: string,
  ports: readonly string[] | "*",
  protocol: "Tcp" | "*" = "Tcp",
): InboundRule => ({
  name,
  priority,
  direction: "Inbound",
  access: "Allow",
  protocol,
  sourceAddressPrefix: from,
  sourcePortRange: "*",
  destinationAddressPrefix: to,
  ...(ports === "*" ? { destinationPortRange: "*" } : { destinationPortRanges: [...ports] }),
});

/**
 * Overrides Azure's default `AllowVnetInBound` for a data subnet: only what the rules above it
 * allow reaches it from the virtual network. `AllowAzureLoadBalancerInBound` and the default deny
 * of the internet stay as Azure sets them.
 */
const denyOtherVirtualNetworkInbound: InboundRule = {
  name: "deny-other-vnet-inbound",
  priority: 4000,
  direction: "Inbound",
  access: "Deny",
  protocol: "*",
  sourceAddressPrefix: "VirtualNetwork",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "*",
};

/**
 * The inbound rules of each subnet's network security group. Pods reach the virtual network from
 * their node's address (Azure CNI overlay translates pod addresses), so "the cluster" is the
 * nodes' subnet. Azure's default rules stay underneath: traffic within the virtual network and
 * from Azure's load balancer is allowed, anything else from the internet denied.
 */
export function securityRules(
  layout: NetworkLayout,
): Record<"nodes" | "mysql" | "privateEndpoints", InboundRule[]> {
  return {
    // The application routing add-on's NGINX sits behind the cluster's public load balancer; AKS
    // opens its own node NSG for it, not a subnet's. Everything AKS needs inside the network
    // (node to node, load balancer probes) is in the default rules, which stay.
    nodes: [allowInbound("allow-ingress-http-https", 100, "Internet", "*", ["80", "443"])],
    mysql: [
      allowInbound("allow-mysql-from-nodes", 100, layout.nodes, layout.mysql, [mysqlPort]),
      // The zone-redundant standby replicates from the primary within the subnet.
      allowInbound("allow-within-subnet", 110, layout.mysql, layout.mysql, "*", "*"),
      denyOtherVirtualNetworkInbound,
    ],
    privateEndpoints: [
      allowInbound("allow-redis-from-nodes", 100, layout.nodes, layout[cacheContract.subnet], [
        String(cacheContract.port),
      ]),
      allowInbound("allow-registry-from-nodes", 110, layout.nodes, layout.privateEndpoints, [registryPort]),
      denyOtherVirtualNetworkInbound,
    ],
  };
}

/**
 * An environment's virtual network, in its resource group: a subnet for the cluster's nodes, one
 * delegated to MySQL Flexible Server, and one for the private endpoints (Redis, the registry),
 * each behind a network security group of its own ({@link securityRules}).
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
    const rules = securityRules(layout);
    const securityGroup = (subnet: keyof typeof rules) =>
      new network.NetworkSecurityGroup(
        `${name}-${kebab(subnet)}-nsg`,
        { resourceGroupName: args.resourceGroupName, location, securityRules: rules[subnet] },
        { parent: this },
      );
    const groups = {
      nodes: securityGroup("nodes"),
      mysql: securityGroup("mysql"),
      privateEndpoints: securityGroup("privateEndpoints"),
    };

    // Azure rejects concurrent subnet changes in one VNet, so each waits for the previous one.
    // azure-native associates a security group through the subnet's `networkSecurityGroup`.
    const nodes = new network.Subnet(
      `${name}-nodes`,
      {
        resourceGroupName: args.resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefix: layout.nodes,
        networkSecurityGroup: { id: groups.nodes.id },
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
        networkSecurityGroup: { id: groups.mysql.id },
      },
      { parent: this, dependsOn: [nodes] },
    );
    const privateEndpoints = new network.Subnet(
      `${name}-private-endpoints`,
      {
        resourceGroupName: args.resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefix: layout.privateEndpoints,
        // Makes the security group apply to the private endpoints, not only to the subnet.
        privateEndpointNetworkPolicies: "Enabled",
        networkSecurityGroup: { id: groups.privateEndpoints.id },
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

/** `privateEndpoints` → `private-endpoints`, as the subnets are named. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
