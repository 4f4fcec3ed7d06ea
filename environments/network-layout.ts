/** The subnets of an environment's virtual network, carved from its /16 address space. */
export interface NetworkLayout {
  readonly addressSpace: string;
  /** AKS nodes (pods use the overlay range, not the VNet). */
  readonly nodes: string;
  /** Delegated to MySQL Flexible Server. */
  readonly mysql: string;
  /** Private endpoints: Redis (one address) and the shared registry (two: login and data endpoints). */
  readonly privateEndpoints: string;
  /** Pod and service ranges of the cluster's overlay network; never routed in the VNet. */
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly dnsServiceIp: string;
}

/**
 * Lays out the subnets of a `a.b.0.0/16` address space: nodes in `a.b.0.0/22`, MySQL in
 * `a.b.4.0/27`, private endpoints in `a.b.5.0/27`.
 */
export function networkLayout(addressSpace: string): NetworkLayout {
  const match = /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/.exec(addressSpace);
  if (!match) throw new Error(`address space '${addressSpace}' must be a /16 such as 10.10.0.0/16`);
  const prefix = `${match[1]}.${match[2]}`;
  return {
    addressSpace,
    nodes: `${prefix}.0.0/22`,
    mysql: `${prefix}.4.0/27`,
    privateEndpoints: `${prefix}.5.0/27`,
    podCidr: "192.168.0.0/16",
    serviceCidr: "172.16.0.0/16",
    dnsServiceIp: "172.16.0.10",
  };
}
