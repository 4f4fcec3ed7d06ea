import type * as pulumiModule from "@pulumi/pulumi";
import {
  fakeHash,
  mockSubscriptionId,
  isSecret,
  noOutputs,
  physicalName,
  providerError,
  secretSignature,
  secretSignatureKey,
  type FakeCall,
  type FakeCallArgs,
  type FakeResource,
  type FakeResourceArgs,
  type Fakes,
  type LiveWorld,
  type RegistryCredential,
} from "../infra/fake-kit";
import { azureRefusal } from "./azure-contracts";
import { kubernetesRefusal } from "./kubernetes-contracts";

// What the fakes are written with lives beside them (infra/fake-kit.ts), so that they never import
// the engine; it is re-exported here for the engine's other users.
export {
  fakeHash,
  mockSubscriptionId,
  isSecret,
  noOutputs,
  physicalName,
  providerError,
  secretSignature,
  type FakeCall,
  type FakeCallArgs,
  type FakeResource,
  type FakeResourceArgs,
  type Fakes,
  type LiveWorld,
  type RegistryCredential,
};

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
  /**
   * The former identities the resource answers to (`aliases`), each as a URN or, for an alias by
   * parts, its type (`type:` prefix) and name (`name:` prefix) where given; absent without aliases.
   */
  readonly aliases?: readonly string[];
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
  /** What the program logged with `pulumi.log.warn`; absent when nothing. */
  readonly warnings?: readonly string[];
}

/** The organization the mock engine runs in: what a self-managed backend calls every stack's. */
export const mockOrganization = "organization";
/**
 * What exists before the run, outside the program: the stacks it may reference, the registries
 * the machine is logged in to (`az acr login`), the Docker config files it holds, and the images
 * those registries hold. The fakes of StackReference, docker-build's push and docker's registry
 * lookup answer from it, and refuse what the real services refuse.
 */
export interface World {
  /** Outputs of the stacks the program may reference, by fully qualified name. */
  readonly stacks: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * Registry hosts `az acr login` logged the machine in to: ~/.docker/config.json holds an
   * `identitytoken` for each (with an empty password), which docker-build's pushes use.
   */
  readonly registryLogins: readonly string[];
  /** Images in the registries, `host/repository:tag` → digest. Pushes during the run add to it. */
  readonly registryImages: Readonly<Record<string, string>>;
  /**
   * Scopes that carry a `CanNotDelete` or `ReadOnly` management lock: Azure refuses a delete at or
   * under them (engine/azure-operations.ts). @default none
   */
  readonly locks?: readonly string[];
  /**
   * Docker config files besides ~/.docker/config.json, by the path a provider is given
   * (`~/.docker/platform-registry-reader.json`): registry host → credential. @default none
   */
  readonly dockerConfigFiles?: Readonly<Record<string, Readonly<Record<string, RegistryCredential>>>>;
  /** The token each registry accepts as a password (`az acr login --expose-token`), by host. @default none */
  readonly registryTokens?: Readonly<Record<string, string>>;
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
  /** What the services answer: the fakes of the program's components ({@link Fakes}). @default none */
  readonly fakes?: readonly Fakes[];
  /** Called with the registrations so far, after each one (to report progress or a hang). */
  readonly onRegistered?: (registrations: readonly Registration[]) => void;
}

/** The fakes of a program, by token, and the provider packages they cover. */
export interface ComposedFakes {
  readonly resources: ReadonlyMap<string, FakeResource>;
  readonly calls: ReadonlyMap<string, FakeCall>;
  /** Packages (`azure-native`, `random`…) with a fake for any resource type: every type of theirs needs one. */
  readonly packages: ReadonlySet<string>;
}

/** The package of a type token: `azure-native:redis:Redis` → `azure-native`. */
const packageOf = (type: string): string => type.split(":", 1)[0] ?? "";

/**
 * Joins the fakes of the components. Two components may list the same fake for a type they both
 * create (a shared function); two different fakes for one token are an error.
 *
 * @throws Error naming the token and the two files.
 */
export function composeFakes(list: readonly Fakes[]): ComposedFakes {
  const join = <T>(pick: (fakes: Fakes) => Readonly<Record<string, T>> | undefined): Map<string, T> => {
    const joined = new Map<string, T>();
    const from = new Map<string, string>();
    for (const fakes of list) {
      for (const [token, fake] of Object.entries(pick(fakes) ?? {})) {
        const known = joined.get(token);
        if (known !== undefined && known !== fake) {
          throw new Error(
            `two different fakes for ${token}: in ${from.get(token)} and ${fakes.source}; share one`,
          );
        }
        joined.set(token, fake);
        from.set(token, fakes.source);
      }
    }
    return joined;
  };
  const resources = join((fakes) => fakes.resources);
  return {
    resources,
    calls: join((fakes) => fakes.calls),
    packages: new Set([...resources.keys()].map(packageOf)),
  };
}

/**
 * The state the fake service returns after creating a resource: its inputs, a physical name
 * derived from the logical one, and what its type's fake adds. A resource of a covered package
 * without a fake is refused, so that a new or swapped component cannot plan without the values
 * the program reads from it (they would be missing, and what is built from them dropped).
 *
 * @throws Error (as a provider's failure) for a resource type of a covered package without a fake.
 */
export function fakeState(
  fakes: ComposedFakes,
  args: Omit<FakeResourceArgs, "world"> & { readonly world?: LiveWorld },
): Record<string, unknown> {
  const { type, name, inputs } = args;
  const state: Record<string, unknown> = { ...inputs, name: physicalName(name, {}, "") };
  const fake = fakes.resources.get(type);
  if (fake !== undefined) {
    const world = args.world ?? liveWorld(emptyWorld);
    return { ...state, ...fake({ ...args, world }) };
  }
  if (type.startsWith("pulumi:providers:") || !fakes.packages.has(packageOf(type))) return state;
  throw providerError(
    `the mock engine has no fake for ${type} (${name}): say what the service returns for it (or noOutputs) in the *.mock.ts beside the component that creates it, and list that file with the program's fakes`,
  );
}

/**
 * The answer of a data source.
 *
 * @throws Error (as a provider's failure) for a token of a covered package without a fake.
 */
export function fakeCall(fakes: ComposedFakes, args: FakeCallArgs): Record<string, unknown> {
  const fake = fakes.calls.get(args.token);
  if (fake !== undefined) return fake(args);
  if (!fakes.packages.has(packageOf(args.token))) return {};
  throw providerError(
    `the mock engine has no fake for the data source ${args.token}: add its answer in the *.mock.ts beside the component that calls it`,
  );
}

const liveWorld = (world: World): LiveWorld => ({
  stacks: world.stacks,
  registryLogins: new Set(world.registryLogins),
  registryImages: new Map(Object.entries(world.registryImages)),
  dockerConfigFiles: world.dockerConfigFiles ?? {},
  registryTokens: world.registryTokens ?? {},
});

/** A StackReference reads the outputs of a stack that exists, as the engine does. */
function stackReferenceState(world: LiveWorld, inputs: Record<string, unknown>): Record<string, unknown> {
  const stack = String(inputs["name"]);
  const outputs = world.stacks[stack];
  if (!outputs) throw providerError(`unknown stack "${stack}": it was never deployed (pulumi stack ls)`);
  return { name: stack, outputs, secretOutputNames: [] };
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
  getAliasesList(): {
    getUrn(): string;
    getSpec(): { getType(): string; getName(): string } | undefined;
  }[];
  getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }) => void): void };
}

/**
 * Runs the real program under Pulumi's mock engine and returns every registration, with its
 * parent and the resources it waits on. Pulumi's state is reset here (`setMocks`, then
 * `setAllConfig`); the program's own modules must load afresh for each run (the plan runner
 * forgets them, tests run in an isolated module registry).
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const { pulumi } = options;
  const inputsOf = new Map<string, { inputs: Record<string, unknown>; custom: boolean }>();
  const registrations: Registration[] = [];
  const invocations: Invocation[] = [];
  const reads: { type: string; name: string; id: string }[] = [];
  const world = liveWorld(options.world ?? emptyWorld);
  const fakes = composeFakes(options.fakes ?? []);
  // The inputs of every provider the program creates, by id: a data source's fake sees its provider's.
  const providers = new Map<string, Record<string, unknown>>();
  const preview = options.preview ?? false;
  const namespaces = new Set<string>();

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.id !== undefined && args.id !== "")
          reads.push({ type: args.type, name: args.name, id: args.id });
        inputsOf.set(`${args.type}::${args.name}`, { inputs, custom: args.custom ?? false });
        const refusal = azureRefusal(args.type, args.name, inputs);
        if (refusal !== undefined) throw providerError(refusal);
        const kubernetesProblem = kubernetesRefusal(args.type, inputs, namespaces);
        if (kubernetesProblem !== undefined) throw providerError(kubernetesProblem);
        const metadata = inputs["metadata"] as { name?: unknown } | undefined;
        if (args.type === "kubernetes:core/v1:Namespace") namespaces.add(String(metadata?.name));
        const state =
          args.type === "pulumi:pulumi:StackReference"
            ? stackReferenceState(world, inputs)
            : fakeState(fakes, { type: args.type, name: args.name, inputs, preview, world });
        const id = args.custom ? `${args.type}/${args.name}` : undefined;
        if (args.type.startsWith("pulumi:providers:") && id !== undefined) providers.set(id, inputs);
        return { id: id ?? "", state };
      },
      call: (args) => {
        invocations.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
        const inputs = args.inputs as Record<string, unknown>;
        // A provider reference is `urn::id`.
        const provider =
          args.provider === undefined ? undefined : providers.get(args.provider.split("::").pop() ?? "");
        return fakeCall(fakes, { token: args.token, inputs, world, ...(provider ? { provider } : {}) });
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
        const aliases = request.getAliasesList().flatMap((alias) => {
          const spec = alias.getSpec();
          if (!spec) return [alias.getUrn()];
          return [
            spec.getType() && `type:${spec.getType()}`,
            spec.getName() && `name:${spec.getName()}`,
          ].filter((part) => part !== "");
        });
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
          ...(aliases.length > 0 ? { aliases } : {}),
        });
        options.onRegistered?.(registrations);
      }
      callback(error, response);
    });
  };

  pulumi.runtime.setAllConfig({ ...options.config });
  // Without an engine Pulumi prints warnings to the console; the run keeps them (`platform plan` shows them).
  const warnings: string[] = [];
  const log = pulumi.log as { warn: (message: string) => Promise<void> };
  const warn = log.warn;
  log.warn = (message) => {
    warnings.push(message);
    return Promise.resolve();
  };
  let program: Record<string, unknown>;
  try {
    program = (await options.load()) as Record<string, unknown>;
  } finally {
    log.warn = warn;
  }
  const outputs: Record<string, unknown> = {};
  // Sorted by name: the engine keeps a stack's outputs as a map (`pulumi stack output` prints them
  // sorted), and the order of a module's exports depends on the compiler (tsc: source order, swc:
  // sorted), so the plan must not.
  for (const key of Object.keys(program).sort()) {
    const value = program[key];
    // Like the engine, resolve outputs nested anywhere in an export.
    const output = pulumi.output(value);
    const resolved = await resolve(output);
    outputs[key] = (await pulumi.isSecret(output))
      ? { [secretSignatureKey]: secretSignature, value: resolved }
      : resolved;
  }
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

  return { registrations, invocations, reads, outputs, ...(warnings.length > 0 ? { warnings } : {}) };
}

/** The value of an output; rejects when the output failed (an `apply` threw, an invoke failed). */
function resolve<T>(output: pulumiModule.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}
