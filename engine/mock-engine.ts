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
  /** The stack outputs (the program's exports), resolved; secrets wrapped as on the wire. */
  readonly outputs: Record<string, unknown>;
}

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
  /** Called with the registrations so far, after each one (to report progress or a hang). */
  readonly onRegistered?: (registrations: readonly Registration[]) => void;
}

const fakeHash = (text: string): string => createHash("sha256").update(text).digest("hex");

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

/** The answers of the data sources (invokes) the program calls. */
export function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "azure-native:authorization:getClientConfig":
      return {
        subscriptionId: "00000000-0000-0000-0000-000000000001",
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
    case "azure-native:containerregistry:getRegistry":
      return {
        id: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/${String(inputs["resourceGroupName"])}/providers/Microsoft.ContainerRegistry/registries/${String(inputs["registryName"])}`,
        name: inputs["registryName"],
        loginServer: `${String(inputs["registryName"])}.azurecr.io`,
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

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>;
        inputsOf.set(`${args.type}::${args.name}`, { inputs, custom: args.custom ?? false });
        const state = mockState(args.type, args.name, inputs);
        const id = args.custom ? `${args.type}/${args.name}` : undefined;
        return { id: id ?? "", state };
      },
      call: (args) => {
        invocations.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
        return mockCall(args.token, args.inputs as Record<string, unknown>);
      },
    },
    "platform",
    options.stack,
    options.preview ?? false,
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

  return { registrations, invocations, outputs };
}

function resolve<T>(output: pulumiModule.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((value) => done(value)));
}
