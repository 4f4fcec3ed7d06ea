import type { NetworkLayout } from "./network-layout";

/** What a client of the environment's cache must know to reach it, and nothing of how it is made. */
export interface CacheContract {
  /** The TCP port clients connect to. */
  readonly port: number;
  /** How clients speak to it: `tls` only (the plain-text protocol is not offered). */
  readonly scheme: "tls";
  /** The subnet of the network layout in which the cache is reached (its private endpoint). */
  readonly subnet: keyof Pick<NetworkLayout, "privateEndpoints">;
  /**
   * How a client signs in: with an Entra token of its own identity, as the password (no access
   * key). A pod then needs HTTPS to Entra ID's public endpoint too (docs/decisions/0014).
   */
  readonly signIn: "entra-token";
}

/**
 * The environment cache's client contract: the one place its port, scheme, sign-in and network
 * position are written. The cache component (infra/redis-cache.ts) creates a cache that keeps
 * it; the network security groups (infra/network.ts), the apps' NetworkPolicies and their
 * settings (apps/) read it. Plain data, because `platform render` builds the apps' objects
 * without Pulumi. Swapping the cache offering: the component, its fake beside it
 * (infra/redis-cache.mock.ts), its settings (`RedisSettings`) and, when the client's view
 * changes, this contract (docs/decisions/0003).
 */
export const cacheContract: CacheContract = {
  // Azure Managed Redis serves TLS on 10000 (Azure Cache for Redis used 6380).
  port: 10000,
  scheme: "tls",
  subnet: "privateEndpoints",
  signIn: "entra-token",
};
