// What every component's fakes (infra/<component>.mock.ts) are written with: the shapes the mock
// engine calls a fake with, and the helpers and facts fakes share. The mock engine imports this
// module and runs the fakes; nothing here or in a fake imports engine/, so the dependency runs one
// way, engine/ -> infra/ (docs/decisions/0054; test/layers.test.ts names an import back).
import { createHash } from "node:crypto";

/** The subscription the fake Azure answers for. */
export const mockSubscriptionId = "00000000-0000-0000-0000-000000000001";

/** Pulumi's marker of a secret value on the wire. */
export const secretSignature = "1b47061264138c4ac30d75fd1eb44270";
/** The key under which a secret value carries {@link secretSignature}. */
export const secretSignatureKey = "4dabf18193072939515e22adb298388d";

/** True when `value` is a secret as the engine sees it. */
export function isSecret(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[secretSignatureKey] === secretSignature
  );
}

/** A user name and password for a registry, as a Docker config file's `auth` holds them. */
export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
}

/** A hash of `text` in hex: what fakes derive ids and values from, so that runs are deterministic. */
export const fakeHash = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * A provider's failure as the engine reports it: the message travels in `details` (what
 * Pulumi's runtime shows for a failed invoke).
 */
export const providerError = (message: string): Error =>
  Object.assign(new Error(message), { details: message });

/** The world during a run: what the fakes read, and change (a push adds an image). */
export interface LiveWorld {
  /** Outputs of the stacks the program may reference, by fully qualified name. */
  readonly stacks: Readonly<Record<string, Record<string, unknown>>>;
  /** Registry hosts the machine is logged in to (`az acr login`). */
  readonly registryLogins: ReadonlySet<string>;
  /** Images in the registries, `host/repository:tag` → digest; a push adds to it. */
  readonly registryImages: Map<string, string>;
  /** Docker config files besides ~/.docker/config.json, by path: registry host → credential. */
  readonly dockerConfigFiles: Readonly<Record<string, Readonly<Record<string, RegistryCredential>>>>;
  /** The token each registry accepts as a password, by host. */
  readonly registryTokens: Readonly<Record<string, string>>;
}

/** What a fake sees of one resource the program creates. */
export interface FakeResourceArgs {
  readonly type: string;
  /** The logical name (the program's). */
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** Like `pulumi preview`: nothing is created, built or pushed. */
  readonly preview: boolean;
  readonly world: LiveWorld;
}

/**
 * The output-only properties the service adds when it creates a resource of one type, such as a
 * cluster's `fqdn` (`name` when the service takes the physical name from an input). It may throw
 * {@link providerError} to refuse what the service refuses.
 */
export type FakeResource = (args: FakeResourceArgs) => Record<string, unknown>;

/** What a fake sees of one data-source call (invoke). */
export interface FakeCallArgs {
  readonly token: string;
  readonly inputs: Record<string, unknown>;
  /** The inputs of the call's explicit provider (`{ provider }`), if it has one. */
  readonly provider?: Record<string, unknown>;
  readonly world: LiveWorld;
}

/** The answer of one data source (invoke); it may throw {@link providerError}. */
export type FakeCall = (args: FakeCallArgs) => Record<string, unknown>;

/**
 * The fakes of one component: what the services answer for the resources it creates and the
 * data sources it calls. They live beside the component (`infra/<component>.mock.ts`); the
 * program's list of them is given to {@link runProgram}.
 */
export interface Fakes {
  /** Where these fakes are written, named in errors: `infra/redis-cache.mock.ts`. */
  readonly source: string;
  /** By resource type token. A type whose created resource has nothing the program reads maps to {@link noOutputs}. */
  readonly resources?: Readonly<Record<string, FakeResource>>;
  /** By data-source token. */
  readonly calls?: Readonly<Record<string, FakeCall>>;
}

/**
 * The physical name of a resource whose service takes it from the input `key` (a registry's
 * `registryName`), else one derived from the logical name, as the engine's default is.
 */
export function physicalName(name: string, inputs: Record<string, unknown>, key: string): string {
  const given = inputs[key];
  return typeof given === "string" ? given : `${name}${fakeHash(name).slice(0, 8)}`;
}

/** The fake of a resource type the service adds nothing to that the program reads. */
export const noOutputs: FakeResource = () => ({});

/**
 * The inputs of a type whose change Azure cannot apply in place, so azure-native replaces the
 * resource (creates the new one, then deletes the old one); the AKS fake gives a replaced cluster
 * a new kubelet identity, engine/azure-operations.ts plans the replacement: the parameters of the resource's path
 * and what azure-native lists as forcing a new resource (pulumi/pulumi-azure-native
 * `provider/pkg/gen/replacement.go`, `forceNewMap`). A path names an input or a property in it.
 *
 * Not listed, because azure-native updates them in place: a ManagedCluster's inline
 * `agentPoolProfiles` (removed from the list by pulumi/pulumi-azure-native#2774; Azure then
 * refuses most changes of an existing pool, see docs/decisions/0036), a private endpoint's
 * `privateLinkServiceConnections`, a role assignment's `roleDefinitionId`.
 */
export const createOnlyInputs: Readonly<Record<string, readonly string[]>> = {
  "azure-native:authorization:RoleAssignment": ["scope", "roleAssignmentName", "principalId"],
  "azure-native:network:PrivateEndpoint": ["resourceGroupName", "privateEndpointName", "location", "subnet"],
  // The names in their ARM paths: another name is another resource. What a renamed app must keep
  // (apps/persistent-names.ts, decision 0068).
  "azure-native:dbformysql:Database": ["resourceGroupName", "serverName", "databaseName"],
  "azure-native:managedidentity:UserAssignedIdentity": ["resourceGroupName", "resourceName", "location"],
  "azure-native:managedidentity:FederatedIdentityCredential": [
    "resourceGroupName",
    "resourceName",
    "federatedIdentityCredentialResourceName",
  ],
  "azure-native:containerservice:ManagedCluster": [
    "resourceGroupName",
    "resourceName",
    "location",
    "dnsPrefix",
    "fqdnSubdomain",
    "nodeResourceGroup",
    "diskEncryptionSetID",
    "linuxProfile",
    "windowsProfile",
    "networkProfile.serviceCidr",
    "networkProfile.serviceCidrs",
    "networkProfile.dnsServiceIP",
    "networkProfile.networkMode",
    "networkProfile.networkPlugin",
    "networkProfile.networkPluginMode",
    "networkProfile.podCidr",
    "networkProfile.networkDataplane",
    "networkProfile.networkPolicy",
    "networkProfile.outboundType",
  ],
};
