// The fakes of every component, for the mock engine (`runProgram({ fakes })`): what Azure,
// GitHub and the registry would answer. Each lives beside its component; a component that
// creates a resource type of a provider listed here needs a fake for it, or the plan fails
// naming it.
import type { Fakes } from "./fake-kit";
import { aksClusterFakes } from "./aks-cluster.mock";
import { appIdentitiesFakes } from "./app-identities.mock";
import { appImagesFakes } from "./app-images.mock";
import { containerRegistryFakes } from "./container-registry.mock";
import { deliverySettingsFakes } from "./delivery-settings.mock";
import { deployIdentityFakes } from "./deploy-identity.mock";
import { gitHubEnvironmentFakes } from "./github-environment.mock";
import { gitHubRepositorySettingsFakes } from "./github-repository-settings.mock";
import { monitoringFakes } from "./monitoring.mock";
import { mysqlServerFakes } from "./mysql-server.mock";
import { networkFakes } from "./network.mock";
import { podSecurityPolicyFakes } from "./pod-security-policy.mock";
import { privateDnsFakes } from "./private-dns.mock";
import { redisCacheFakes } from "./redis-cache.mock";
import { registryPullFakes } from "./registry-pull.mock";
import { rolesFakes } from "./roles.mock";

/** The fakes of the environment program (index.ts) and of the bootstrap program. */
export const platformFakes: readonly Fakes[] = [
  networkFakes,
  monitoringFakes,
  aksClusterFakes,
  registryPullFakes,
  appIdentitiesFakes,
  mysqlServerFakes,
  redisCacheFakes,
  privateDnsFakes,
  rolesFakes,
  appImagesFakes,
  containerRegistryFakes,
  podSecurityPolicyFakes,
  deployIdentityFakes,
  deliverySettingsFakes,
  gitHubEnvironmentFakes,
  gitHubRepositorySettingsFakes,
];
