import { createHash } from "node:crypto";
import type * as pulumiModule from "@pulumi/pulumi";

/** One resource the program registered, as the engine would have received it. */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource; absent for the stack's direct children. */
  readonly parent?: string;
  /** Inputs as sent to the engine; secrets carry Pulumi's secret signature. */
  readonly inputs: Record<string, unknown>;
  /** URNs of the resources this one waits on (dependsOn and the inputs' sources). */
  readonly dependencies: readonly string[];
  readonly custom: boolean;
  /** Resource options that decide what `pulumi destroy` and replacements may do. */
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** The provider reference (`urn::id`) for resources with an explicit provider. */
  readonly provider?: string;
}

/** One data-source call (invoke) the program made. */
export interface Invocation {
  readonly token: string;
  readonly inputs: Record<string, unknown>;
}

/** What a run of the program under the mock engine produced. */
export interface ProgramRun {
  readonly registrations: readonly Registration[];
  readonly invocations: readonly Invocation[];
  /** The existing resources the program read (`StackReference`, `.get(...)`), by type and name. */
  readonly reads: readonly { readonly type: string; readonly name: string; readonly id: string }[];
  /** The stack outputs (the program's exports), resolved; secrets wrapped as on the wire. */
  readonly outputs: Record<string, unknown>;
}

/** The organization the mock engine runs in: what a self-managed backend calls every stack's. */
export const mockOrganization = "organization";
/** The subscription the fake Azure answers for. */
export const mockSubscriptionId = "00000000-0000-0000-0000-000000000001";

/** Pulumi's marker of a secret value on the wire. */
export const secretSignature = "1b47061264138c4ac30d75fd1eb44270";
const signatureKey = "4dabf18193072939515e22adb298388d";

/** True when `value` is a secret as the engine sees it. */
export function isSecret(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[signatureKey] === secretSignature
  );
}

/**
 * What exists before the run, outside the program: the stacks it may reference, the registries
 * the machine is logged in to (`az acr login`), and the images those registries hold. The fakes
 * of StackReference, docker-build's push and docker's registry lookup answer from it, and refuse
 * what the real services refuse.
 */
export interface World {
  /** Outputs of the stacks the program may reference, by fully qualified name. */
  readonly stacks: Readonly<Record<string, Record<string, unknown>>>;
  /** Registry hosts the machine's Docker credentials cover. */
  readonly registryLogins: readonly string[];
  /** Images in the registries, `host/repository:tag` → digest. Pushes during the run add to it. */
  readonly registryImages: Readonly<Record<string, string>>;
}

/** A world with nothing in it: no other stack, no registry login, no image. */
export const emptyWorld: World = { stacks: {}, registryLogins: [], registryImages: {} };

/** Options of {@link runProgram}. */
export interface RunOptions {
  /** The stack (environment) to run. */
  readonly stack: string;
  /** The stack config as Pulumi passes it to the program: key → string (objects as JSON). */
  readonly config: Readonly<Record<string, string>>;
  /** Loads the program: for example `() => import("../index")`. */
  readonly load: () => Promise<unknown>;
  /** The `@pulumi/pulumi` module instance the program uses (there must be exactly one). */
  readonly pulumi: typeof pulumiModule;
  readonly preview?: boolean;
  /** What exists before the run. @default {@link emptyWorld} */
  readonly world?: World;
  /** Called with the registrations so far, after each one (to report progress or a hang). */
  readonly onRegistered?: (registrations: readonly Registration[]) => void;
}

const fakeHash = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The host of an image reference: `host/repository:tag` → `host`. */
const registryHost = (reference: string): string => reference.split("/", 1)[0] ?? "";

/**
 * The registry hosts for which an input's `registries` (docker-build) or `registryAuth` (docker)
 * carries credentials. An entry with only an address reads the machine's Docker config instead.
 */
const credentialHosts = (entries: unknown): string[] =>
  (Array.isArray(entries) ? (entries as Record<string, unknown>[]) : []).flatMap((entry) =>
    typeof entry["address"] === "string" &&
    (entry["password"] !== undefined || entry["configFileContent"] !== undefined)
      ? [entry["address"]]
      : [],
  );

/**
 * A provider's failure as the engine reports it: the message travels in `details` (what
 * Pulumi's runtime shows for a failed invoke).
 */
const providerError = (message: string): Error => Object.assign(new Error(message), { details: message });

/** A registry's answer to a request without credentials, as Docker prints it. */
const unauthorized = (host: string): Error =>
  providerError(
    `${host}: 401 Unauthorized: authentication required (no Docker credentials for ${host}; log in first: az acr login --name ${host.split(".")[0]})`,
  );

/** The state a world-aware fake returns; everything else falls through to {@link mockState}. */
function worldState(
  world: { stacks: World["stacks"]; registryLogins: Set<string>; registryImages: Map<string, string> },
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  preview: boolean,
): Record<string, unknown> | undefined {
  switch (type) {
    case "pulumi:pulumi:StackReference": {
      const stack = String(inputs["name"]);
      const outputs = world.stacks[stack];
      if (!outputs) throw providerError(`unknown stack "${stack}": it was never deployed (pulumi stack ls)`);
      return { name: stack, outputs, secretOutputNames: [] };
    }
    case "docker-build:index:Image": {
      const state = mockState(type, name, inputs);
      // Like the provider: a preview without buildOnPreview neither builds nor pushes.
      if (preview || inputs["push"] !== true) return state;
      const allowed = new Set([...world.registryLogins, ...credentialHosts(inputs["registries"])]);
      const tags = Array.isArray(inputs["tags"]) ? inputs["tags"].map(String) : [];
      for (const tag of tags) if (!allowed.has(registryHost(tag))) throw unauthorized(registryHost(tag));
      for (const tag of tags) world.registryImages.set(tag, String(state["digest"]));
      return state;
    }
    default:
      return undefined;
  }
}

/** The answer of a world-aware data source; `undefined` for the others. */
function worldCall(
  world: {
    registryLogins: Set<string>;
    registryImages: Map<string, string>;
    providers: Map<string, string[]>;
  },
  token: string,
  inputs: Record<string, unknown>,
  provider: string | undefined,
): Record<string, unknown> | undefined {
  if (token !== "docker:index/getRegistryImage:getRegistryImage") return undefined;
  const reference = String(inputs["name"]);
  const host = registryHost(reference);
  // A provider reference is `urn::id`.
  const covered = provider === undefined ? [] : (world.providers.get(provider.split("::").pop() ?? "") ?? []);
  if (!world.registryLogins.has(host) && !covered.includes(host)) throw unauthorized(host);
  const digest = world.registryImages.get(reference);
  if (digest === undefined) {
    throw providerError(
      `Got error when attempting to fetch image version ${reference} from registry: 404 Not Found: MANIFEST_UNKNOWN: manifest unknown`,
    );
  }
  return { id: digest, name: reference, sha256Digest: digest };
}

/**
 * The values Azure and Docker would return after creating a resource: ids, names and the
 * output-only properties the program reads. Everything is derived from the resource's name, so
 * runs are deterministic.
 */
export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const explicitName =
    type === "azure-native:resources:ResourceGroup"
      ? inputs["resourceGroupName"]
      : (inputs["resourceName"] ?? inputs["registryName"] ?? inputs["privateZoneName"]);
  const physical = typeof explicitName === "string" ? explicitName : `${name}${fakeHash(name).slice(0, 8)}`;
  const state: Record<string, unknown> = { ...inputs, name: physical };
  switch (type) {
    case "azure-native:containerservice:ManagedCluster":
      return {
        ...state,
        fqdn: `${physical}.hcp.westeurope.azmk8s.io`,
        identityProfile: { kubeletidentity: { objectId: `kubelet-${fakeHash(name).slice(0, 12)}` } },
        oidcIssuerProfile: {
          enabled: true,
          issuerURL: `https://oidc.example/${fakeHash(name).slice(0, 12)}/`,
        },
      };
    case "azure-native:containerregistry:Registry":
      return { ...state, loginServer: `${physical}.azurecr.io` };
    case "azure-native:dbformysql:Server":
      return { ...state, fullyQualifiedDomainName: `${physical}.mysql.database.azure.com` };
    case "azure-native:redisenterprise:RedisEnterprise":
      return { ...state, hostName: `${physical}.westeurope.redis.azure.net` };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return {
        ...state,
        principalId: `principal-${fakeHash(name).slice(0, 12)}`,
        clientId: `client-${fakeHash(name).slice(0, 12)}`,
      };
    case "docker-build:index:Image":
      return { ...state, digest: `sha256:${fakeHash(`${name}:${JSON.stringify(inputs["tags"])}`)}` };
    case "random:index/randomPassword:RandomPassword":
      return { ...state, result: `mock-password-${fakeHash(name).slice(0, 16)}` };
    default:
      return state;
  }
}

/**
 * What the Kubernetes side refuses of a resource the program creates, as it says it; undefined
 * when it takes it. `namespaces`: the names of the Namespaces registered so far.
 */
export function kubernetesRefusal(
  type: string,
  inputs: Record<string, unknown>,
  namespaces: ReadonlySet<string>,
): string | undefined {
  const at = (path: string): unknown =>
    path
      .split(".")
      .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], inputs);
  if (type === "kubernetes:helm.sh/v3:Release") {
    const namespace = inputs["namespace"];
    // Helm installs into an existing namespace unless told to create it.
    if (typeof namespace === "string" && inputs["createNamespace"] !== true && !namespaces.has(namespace))
      return `create: failed to create: namespaces "${namespace}" not found`;
  }
  if (type === "kubernetes:cert-manager.io/v1:ClusterIssuer" && at("spec.acme") !== undefined) {
    // cert-manager's webhook (internal/apis/certmanager/validation/issuer.go, ValidateACMEIssuerConfig).
    const denied = (field: string, detail: string) =>
      `admission webhook "webhook.cert-manager.io" denied the request: spec.acme.${field}: Required value: ${detail}`;
    if (!at("spec.acme.privateKeySecretRef.name"))
      return denied("privateKeySecretRef.name", "private key secret name is a required field");
    if (!at("spec.acme.server")) return denied("server", "acme server URL is a required field");
  }
  return undefined;
}

/** The answers of the data sources (invokes) the program calls. */
export function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "azure-native:authorization:getClientConfig":
      return {
        subscriptionId: mockSubscriptionId,
        tenantId: "00000000-0000-0000-0000-000000000002",
        clientId: "ci",
        objectId: "ci-object",
      };
    case "azure-native:containerservice:listManagedClusterUserCredentials":
      return {
        kubeconfigs: [
          {
            name: "clusterUser",
            value: Buffer.from(
              `apiVersion: v1\nkind: Config\n# ${String(inputs["resourceName"])}\n`,
            ).toString("base64"),
          },
        ],
      };
    case "azure-native:redisenterprise:listDatabaseKeys":
      return {
        primaryKey: `mock-redis-key-${fakeHash(String(inputs["clusterName"])).slice(0, 16)}`,
        secondaryKey: "mock-redis-secondary",
      };
    case "github:index/getTeam:getTeam": {
      const slug = String(inputs["slug"]);
      // GitHub team ids are numbers; the provider returns them as decimal strings.
      return {
        id: String(parseInt(fakeHash(slug).slice(0, 6), 16)),
        slug,
        name: slug,
        members: [],
        repositories: [],
      };
    }
    default:
      return {};
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }) => void): void };
}

/**
 * Runs the real program under Pulumi's mock engine and returns every registration, with its
 * parent and the resources it waits on. Call it with a fresh `@pulumi/pulumi` module (a new
 * process, or an isolated module registry in tests).
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const { pulumi } = options;
  const inputsOf = new Map<string, { inputs: Record<string, unknown>; custom: boolean }>();
  const registrations: Registration[] = [];
  const invocations: Invocation[] = [];
  const reads: { type: string; name: string; id: string }[] = [];
  const given = options.world ?? emptyWorld;
  const world = {
    stacks: given.stacks,
    registryLogins: new Set(given.registryLogins),
    registryImages: new Map(Object.entries(given.registryImages)),
    // Docker providers by id, with the registries their `registryAuth` covers.
    providers: new Map<string, string[]>(),
  };
  const preview = options.preview ?? false;
  const namespaces = new Set<string>();

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.id !== undefined && args.id !== "")
          reads.push({ type: args.type, name: args.name, id: args.id });
        inputsOf.set(`${args.type}::${args.name}`, { inputs, custom: args.custom ?? false });
        const refusal = kubernetesRefusal(args.type, inputs, namespaces);
        if (refusal !== undefined) throw providerError(refusal);
        const metadata = inputs["metadata"] as { name?: unknown } | undefined;
        if (args.type === "kubernetes:core/v1:Namespace") namespaces.add(String(metadata?.name));
        const state =
          worldState(world, args.type, args.name, inputs, preview) ?? mockState(args.type, args.name, inputs);
        const id = args.custom ? `${args.type}/${args.name}` : undefined;
        if (args.type === "pulumi:providers:docker" && id !== undefined) {
          world.providers.set(id, credentialHosts(inputs["registryAuth"]));
        }
        return { id: id ?? "", state };
      },
      call: (args) => {
        invocations.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
        const inputs = args.inputs as Record<string, unknown>;
        return worldCall(world, args.token, inputs, args.provider) ?? mockCall(args.token, inputs);
      },
    },
    "platform",
    options.stack,
    preview,
    mockOrganization,
  );

  // The mock monitor does not tell `newResource` about parents and dependencies; the request
  // does. Wrap it to keep them, and the URN the engine assigns.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      request: RegisterRequest,
      callback: (error: unknown, response: { getUrn(): string } | undefined) => void,
    ): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    register(request, (error, response) => {
      if (response) {
        const dependencies = new Set(request.getDependenciesList());
        request
          .getPropertydependenciesMap()
          .forEach((urns) => urns.getUrnsList().forEach((urn) => dependencies.add(urn)));
        const parent = request.getParent();
        const seen = inputsOf.get(`${request.getType()}::${request.getName()}`);
        registrations.push({
          urn: response.getUrn(),
          type: request.getType(),
          name: request.getName(),
          parent: parent === "" || parent.includes("::pulumi:pulumi:Stack::") ? undefined : parent,
          inputs: seen?.inputs ?? {},
          dependencies: [...dependencies].filter((urn) => urn !== parent),
          custom: seen?.custom ?? request.getCustom(),
          protect: request.getProtect() ?? false,
          retainOnDelete: request.getRetainondelete() ?? false,
          provider: request.getProvider() || undefined,
        });
        options.onRegistered?.(registrations);
      }
      callback(error, response);
    });
  };

  pulumi.runtime.setAllConfig({ ...options.config });
  const program = (await options.load()) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    // Like the engine, resolve outputs nested anywhere in an export.
    const output = pulumi.output(value);
    const resolved = await resolve(output);
    outputs[key] = (await pulumi.isSecret(output))
      ? { [signatureKey]: secretSignature, value: resolved }
      : resolved;
  }
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

  return { registrations, invocations, reads, outputs };
}

/** The value of an output; rejects when the output failed (an `apply` threw, an invoke failed). */
function resolve<T>(output: pulumiModule.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}
