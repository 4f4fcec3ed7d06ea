import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { isRecord } from "../lib/values";
import {
  composeFakes,
  fakeHash,
  fakeState,
  runProgram,
  type ProgramRun,
  type Fakes,
  type Registration,
  type World,
} from "../engine/mock-engine";
import { projectWorld } from "../engine/world";
import { platformFakes } from "../infra/fakes";
import { pulumiConfig } from "../stack-config/from-file";
import { stackFileName } from "../stack-config/stack-files";

/** The repository root. */
export const root = path.join(__dirname, "..");

/**
 * The `config:` map of a stack file as Pulumi hands it to the program: every value a string,
 * objects as JSON.
 */
export function stackConfig(
  stack: string,
  text = readFileSync(path.join(root, stackFileName(stack)), "utf8"),
): Record<string, string> {
  return pulumiConfig(text, stackFileName(stack));
}

/** A module that `load`s on its first use: a property read or an `in` test. */
function loadedOnFirstUse(load: () => object): object {
  let loaded: object | undefined;
  const target = () => (loaded ??= load());
  return new Proxy(
    {},
    { get: (_empty, key): unknown => Reflect.get(target(), key), has: (_empty, key) => key in target() },
  );
}

/**
 * Runs `build` under the mock engine in a module registry of its own, so that every run starts
 * from a fresh `@pulumi/pulumi`. What `build` returns becomes the run's outputs, like a
 * program's exports. For one component in isolation, `build` constructs just that component.
 */
export async function runIsolated(
  build: (pulumi: typeof import("@pulumi/pulumi")) => Promise<unknown>,
  options: {
    readonly stack?: string;
    readonly config?: Record<string, string>;
    readonly preview?: boolean;
    readonly world?: World;
    /** What the services answer. @default every component's ({@link platformFakes}) */
    readonly fakes?: readonly Fakes[];
  } = {},
): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, never called here
  const { prepareStackTrace, stackTraceLimit } = Error;
  // Pulumi reads `new Error().stack` for every promise it makes (runtime/debuggable.js, for its
  // leak report) and every resource (its source position, all frames). jest source-maps each
  // frame of up to 100: about 40% of a run's CPU. During the run, V8's own format, and no frames
  // at all, as in the plan runner (engine/plan-runner.ts): about 8% of a run's CPU more
  // (docs/decisions/0026).
  // Pulumi lifts the limit itself for source positions. An error from a run shows its message
  // only; raise the limit here to see where one comes from.
  Error.prepareStackTrace = (error: Error, frames: { toString(): string }[]) =>
    `${String(error)}${frames.map((frame) => `\n    at ${frame.toString()}`).join("")}`;
  Error.stackTraceLimit = 0;
  // Each fresh @pulumi/pulumi adds an 'exit' listener (its promise-leak report, which never
  // reports under jest): left there, it keeps the whole run alive, about 9 MB a run.
  const exitListeners = new Set(process.listeners("exit"));
  try {
    await jest.isolateModulesAsync(async () => {
      // @pulumi/pulumi requires TypeScript as it loads (runtime/closure/parseFunction.js), to
      // serialize function closures, which nothing here does: in each fresh registry, TypeScript
      // loads on its first use instead (about 20 ms of a run's CPU).
      jest.doMock("typescript", () => loadedOnFirstUse(() => jest.requireActual<object>("typescript")));
      const pulumi = (await import("@pulumi/pulumi")) as typeof import("@pulumi/pulumi");
      run = await runProgram({
        stack: options.stack ?? "test",
        config: options.config ?? {},
        preview: options.preview ?? false,
        ...(options.world ? { world: options.world } : {}),
        fakes: options.fakes ?? platformFakes,
        pulumi,
        load: () => build(pulumi),
      });
    });
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
    for (const listener of process.listeners("exit")) {
      if (!exitListeners.has(listener)) process.removeListener("exit", listener);
    }
  }
  if (!run) throw new Error("the program did not run");
  return run;
}

/** The variable that names the directory of shared runs (set by test/global-setup.js). */
export const sharedRunsVariable = "PLATFORM_TEST_SHARED_RUNS";

/** What stands for `undefined` in a shared run's JSON, which would otherwise drop the key. */
const undefinedMark = "\u0000undefined";

/** A run as text: JSON, `undefined` kept (a registration's `provider`, for one). */
export const encodeRun = (run: ProgramRun): string =>
  JSON.stringify(run, (_key, value: unknown) => (value === undefined ? undefinedMark : value));

/** The run {@link encodeRun} wrote: equal to it, `toStrictEqual` included. */
export function decodeRun(text: string): ProgramRun {
  const restore = (value: unknown): unknown => {
    if (value === undefinedMark) return undefined;
    if (Array.isArray(value)) return value.map(restore);
    if (isRecord(value)) for (const key of Object.keys(value)) value[key] = restore(value[key]);
    return value;
  };
  return restore(JSON.parse(text)) as ProgramRun;
}

/**
 * Runs `index.ts` for `stack` under the mock engine, with the stack file's config by default, in
 * the world of this repository after the first-deploy steps ({@link projectWorld}).
 *
 * A run depends on nothing but these four arguments, and several suites make the same ones (the
 * shipped stacks): within one jest invocation the first run of each is shared, through the
 * directory test/global-setup.js makes ({@link sharedRunsVariable}). Each caller gets its own copy.
 */
export async function runStack(
  stack: string,
  config: Record<string, string> = stackConfig(stack),
  preview = false,
  world: World = projectWorld(root, config),
): Promise<ProgramRun> {
  const run = () => runIsolated(() => import("../index"), { stack, config, preview, world });
  const shared = process.env[sharedRunsVariable];
  if (!shared) return run();
  const file = path.join(shared, `${fakeHash(JSON.stringify({ stack, config, preview, world }))}.json`);
  if (existsSync(file)) return decodeRun(readFileSync(file, "utf8"));
  const result = await run();
  // Another worker may write the same run at the same time: each writes whole, then renames.
  writeFileSync(`${file}.${process.pid}`, encodeRun(result));
  renameSync(`${file}.${process.pid}`, file);
  return result;
}

/** The registrations of one resource type. */
export function ofType(run: ProgramRun, type: string): Registration[] {
  return run.registrations.filter((registration) => registration.type === type);
}

/** The single registration of a type (and name suffix); fails when there are none or several. */
export function only(run: ProgramRun, type: string, name?: string): Registration {
  const found = ofType(run, type).filter((registration) => name === undefined || registration.name === name);
  if (found.length !== 1)
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}

const fakes = composeFakes(platformFakes);

/**
 * What the fake service returned for a registration (or for a resource of `type` and `name`
 * with `inputs`): its state, as the program saw it. For values derived from names, such as an
 * identity's principal id or a generated password.
 */
export function fakeOutputs(
  registration: Pick<Registration, "type" | "name" | "inputs">,
): Record<string, unknown> {
  return fakeState(fakes, { ...registration, preview: false });
}
