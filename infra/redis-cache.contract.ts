import type { NetworkLayout } from "../environments/network-layout";

/**
 * What a client of the environment's cache must know to reach it, and nothing of how it is made.
 * Owned by the cache component (infra/redis-cache.ts), which creates a cache that keeps it; the
 * network security groups (infra/network.ts), the apps' NetworkPolicies and their settings
 * (apps/manifests/) read it and write none of it themselves (test/cache-contract.test.ts).
 */
export interface CacheContract {
  /** The TCP port clients connect to. */
  readonly port: number;
  /** How clients speak to it: `tls` only, or `plain` text. Apps get it as `REDIS_SCHEME`. */
  readonly scheme: "tls" | "plain";
  /** The subnet of the network layout in which the cache is reached (its private endpoint). */
  readonly subnet: keyof Pick<NetworkLayout, "privateEndpoints">;
  /**
   * How a client signs in: with an Entra token of its own identity as the password, or with the
   * cache's shared access key.
   */
  readonly signIn: "entra-token" | "access-key";
}

/**
 * Whether a client of the cache needs HTTPS to Entra ID's public endpoint
 * (login.microsoftonline.com): exactly when it signs in with a token (docs/decisions/0014). The
 * NetworkPolicies ask this, never the sign-in mode.
 */
export const clientsNeedEntraId = (contract: CacheContract): boolean => contract.signIn === "entra-token";

/**
 * The client contract of the cache that infra/redis-cache.ts creates: the one place its port,
 * scheme, sign-in and network position are written. Plain data in its own file beside the
 * component (as its fake is), because `platform render` builds the apps' objects without Pulumi
 * and the CLI never loads a component. Swapping the cache offering is the `redis-cache.*` files:
 * the component, this contract and the fake (docs/decisions/0003, 0057).
 */
export const cacheContract: CacheContract = {
  // Azure Managed Redis serves TLS on 10000 (Azure Cache for Redis used 6380):
  // "Azure Managed Redis instances use port 10000 for TLS and non-TLS connections"
  // (https://learn.microsoft.com/azure/redis/tls-configuration).
  port: 10000,
  scheme: "tls",
  subnet: "privateEndpoints",
  signIn: "entra-token",
};
