// The bootstrap program: what an administrator creates once, before any environment, and what
// no pipeline identity may change: the shared registry, each environment's resource group, the
// deploy identities with their role assignments, and the repository's delivery settings on
// GitHub. The environment stacks read the registry from here (docs/decisions/0009).
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { environments } from "../environments/environments";
import { environmentNames } from "../environments/settings";
import { ContainerRegistry } from "../infra/container-registry";
import { DeliverySettings } from "../infra/delivery-settings";
import { readRequiredChecks } from "../infra/github-repository-settings";
import { PodSecurityPolicy } from "../infra/pod-security-policy";
import { placeholderRanges, refusePlaceholders } from "../environments/placeholder-ranges";
import { readProjectFile, underMockEngine } from "../stack-config/from-pulumi";
import { stackFileName } from "../stack-config/stack-files";
import {
  bootstrapStack,
  bootstrapStackFile,
  identitiesResourceGroupName,
  parseBootstrapConfig,
  sharedResourceGroupName,
} from "./config";

const config = parseBootstrapConfig(
  Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig()).map(([key, value]) => [
      key,
      /^\s*[[{]/.test(value) ? (JSON.parse(value) as unknown) : value,
    ]),
  ),
);
const { location } = config;
// Documentation ranges are placeholders: a real preview or up stops here, before any resource.
refusePlaceholders(
  placeholderRanges(
    config.registry.allowedIpRanges,
    {
      file: bootstrapStackFile,
      text: readProjectFile(stackFileName(bootstrapStack)),
      key: "registryAllowedIpRanges",
    },
    "platform-bootstrap:registryAllowedIpRanges",
    "the static egress ranges of the runners that push and look images up, and the operators' (docs/deploying.md, step 2)",
  ),
  underMockEngine(),
  pulumi.log.warn,
);
// What the environments run and what grants access to it: protected, and kept on destroy.
const keep = { protect: true, retainOnDelete: true };

const shared = new ContainerRegistry("registry", {
  registryName: config.registry.name,
  sku: config.registry.sku,
  untaggedRetentionDays: config.registry.untaggedRetentionDays,
  allowedIpRanges: config.registry.allowedIpRanges,
  resourceGroupName: sharedResourceGroupName,
  location,
});
const identities = new resources.ResourceGroup(
  "identities-rg",
  { resourceGroupName: identitiesResourceGroupName, location },
  keep,
);
const groups = environmentNames.map((name) => ({
  settings: environments[name],
  group: new resources.ResourceGroup(
    `${name}-rg`,
    { resourceGroupName: environments[name].resourceGroupName, location },
    { protect: true },
  ),
}));

// Each environment's switch (audit or deny) and the add-ons' namespaces it skips, such as the
// application routing add-on's NGINX (docs/decisions/0016, 0033).
for (const { settings, group } of groups) {
  new PodSecurityPolicy(`${settings.name}-pod-security`, {
    environment: settings.name,
    resourceGroupId: group.id,
    effect: settings.podSecurity.effect,
    excludedNamespaces: settings.podSecurity.excludedNamespaces,
  });
}

const delivery = config.github
  ? new DeliverySettings("delivery", {
      github: config.github,
      environments: groups.map(({ settings, group }) => ({ settings, resourceGroupId: group.id })),
      location,
      identityResourceGroupName: identities.name,
      registryId: shared.registryId,
      registryEndpointApproverRoleId: shared.endpointApproverRoleId,
      registryLoginServer: shared.loginServer,
      // Pulumi runs the program in the project's directory (bootstrap/).
      requiredChecks: readRequiredChecks(
        readFileSync(path.join(process.cwd(), "..", ".github", "required-checks.json"), "utf8"),
      ),
    })
  : undefined;

/** The shared registry: what the environment stacks read through a StackReference. */
export const registry = { id: shared.registryId, name: shared.registryName, loginServer: shared.loginServer };
/** Each environment's resource group, created here so that its deploy identity has rights on it. */
export const resourceGroups = Object.fromEntries(
  groups.map(({ settings, group }) => [settings.name, group.name]),
);
/** Each environment's deploy identity (`AZURE_CLIENT_ID` of its GitHub environment). */
export const deployClientIds = delivery?.deployClientIds ?? {};
/** The read-only plan identity (`PLAN_CLIENT_ID` of the repository): previews, gate, drift. */
export const planClientId = delivery?.planClientId;
