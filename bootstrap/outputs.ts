import { bootstrapProject, bootstrapStack, registryLoginServer, sharedResourceGroupName } from "./config";

/** The shared registry as the bootstrap stack exports it (`pulumi stack output registry`). */
export interface RegistryOutput {
  readonly id: string;
  readonly name: string;
  readonly loginServer: string;
}

/**
 * The fully qualified name of the bootstrap stack in the environment stacks' organization: what
 * they read the shared registry from (`pulumi.StackReference`).
 */
export function bootstrapStackReference(organization: string): string {
  return `${organization}/${bootstrapProject}/${bootstrapStack}`;
}

/**
 * Checks the `registry` output read from the bootstrap stack.
 *
 * @throws Error saying to run the bootstrap stack when the output is missing or not a registry.
 */
export function checkRegistryOutput(value: unknown, stack: string): RegistryOutput {
  const registry = value as Partial<Record<keyof RegistryOutput, unknown>> | undefined;
  if (
    typeof registry !== "object" ||
    registry === null ||
    typeof registry.id !== "string" ||
    typeof registry.name !== "string" ||
    typeof registry.loginServer !== "string"
  ) {
    throw new Error(
      `the bootstrap stack ${stack} exports no registry { id, name, loginServer }; an administrator runs it first: cd bootstrap && pulumi up -s ${bootstrapStack}`,
    );
  }
  return { id: registry.id, name: registry.name, loginServer: registry.loginServer };
}

/**
 * What a deployed bootstrap stack exports for `registryName` in `subscriptionId`: Azure derives
 * a registry's id and login server from its name. The mock engine answers the environment
 * stacks' StackReference with this (a test holds it to the bootstrap program's real exports).
 */
export function bootstrapOutputs(registryName: string, subscriptionId: string): { registry: RegistryOutput } {
  return {
    registry: {
      id: `/subscriptions/${subscriptionId}/resourceGroups/${sharedResourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${registryName}`,
      name: registryName,
      loginServer: registryLoginServer(registryName),
    },
  };
}

/**
 * The scopes the bootstrap stack puts a management lock on: none. A lock on the registry (or its
 * group) would also lock every role assignment and private endpoint connection under it, so replacing a cluster or destroying an
 * environment would fail with `ScopeLocked` (docs/decisions/0034). The mock engine's world reads
 * this (a test holds it to the bootstrap program's real locks).
 */
export function bootstrapLocks(): string[] {
  return [];
}

/**
 * The user name ACR takes with a token from `az acr login --expose-token` as the password
 * (learn.microsoft.com, container-registry-authentication, "az acr login with --expose-token").
 */
export const acrTokenUsername = "00000000-0000-0000-0000-000000000000";

/**
 * The Docker config file the environment stacks' registry lookups read their credential from:
 * `{"auths":{"<login server>":{"auth":"<base64 of acrTokenUsername:token>"}}}`, written before
 * `pulumi` runs (the azure-pulumi action; docs/deploying.md, step 5). `az acr login` leaves
 * only an `identitytoken` in ~/.docker/config.json, which the docker provider drops
 * (docs/decisions/0029). The docker provider expands the leading `~/`.
 */
export const registryReaderConfigFile = "~/.docker/platform-registry-reader.json";
