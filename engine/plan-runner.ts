// A child process that runs Pulumi programs under the mock engine for `platform plan` and
// `platform diff` (cli/program-runs.ts starts it with an IPC channel). It takes one request at
// a time ({@link RunnerRequest}) and answers each with what the program registered, or why it
// failed ({@link RunnerReply}). Every run loads the program's own modules afresh, from its own
// directory (a git ref's checkout, for a diff), under a time limit. node_modules, the SDKs,
// stay loaded between runs, as in Pulumi's automation API, and Pulumi's state is reset by each
// run's `setMocks` and `setAllConfig` (docs/decisions/0028). A run after which that may not
// hold (it ran out of time, or failed before its program ended; left a timer, handle, listener,
// global or environment change behind; loaded TypeScript or an ES module of the project) is the
// process's last.
import { createHash } from "node:crypto";
import { flushCompileCache } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { platformFakes } from "../infra/fakes";
import { isSecret, runProgram, type ProgramRun, type Registration, type World } from "./mock-engine";
import { registerTypeScript } from "./typescript-loader";
import { projectWorld } from "./world";

/** What to run. */
export interface PlanRequest {
  /** The project directory: its `index.ts`, `tsconfig.json` and `node_modules`. */
  readonly dir: string;
  readonly stack: string;
  /** The stack config as Pulumi passes it: key → string. */
  readonly config: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  /**
   * What exists before the run (tests change it to model a missing login or image).
   * @default the project's world after the first-deploy steps ({@link projectWorld})
   */
  readonly world?: World;
  /** Runs as `pulumi preview` would: unknown outputs stay unknown, nothing is built. */
  readonly preview?: boolean;
}

/** The run with secrets masked, or why it failed. */
export type PlanResponse =
  | { readonly ok: true; readonly run: ProgramRun }
  | { readonly ok: false; readonly error: string; readonly kind: "config" | "program" | "timeout" };

/** A message to the runner: one request; the next only after its reply. */
export interface RunnerRequest {
  /** Chosen by the parent; the reply carries it, so that nothing else passes for the reply. */
  readonly id: string;
  readonly request: PlanRequest;
}

/**
 * The runner's word that it has a request, before it runs the program: a process that ends
 * after it ended in the program's run, not before the request reached it.
 */
export interface RunnerReceipt {
  readonly id: string;
  readonly received: true;
}

/** The runner's answer; `reusable` false when the process ends after it. */
export interface RunnerReply {
  readonly id: string;
  readonly response: PlanResponse;
  readonly reusable: boolean;
}

/** A secret as the runner prints it: never the value, a hash to tell changes apart. */
export const maskedSecret = (value: unknown): string =>
  `[secret ${createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 8)}]`;

function mask(value: unknown): unknown {
  if (isSecret(value)) return maskedSecret((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(mask);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mask(item)]));
  }
  return value;
}

/** The message of anything thrown: an error's message, else the value as text. */
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A turn of the event loop: promise rejections nobody handled are reported before it ends. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How many runs one process serves at most: a bound on what runs may leave in its memory. */
const runsPerProcess = 50;

/** The globals @pulumi/pulumi makes on its first run (runtime/state.js). */
const pulumiGlobals = new Set(["globalStore"]);

/** What keeps this process alive (its IPC channel; timers, sockets): a sorted list. */
const activeResources = (): string => [...process.getActiveResourcesInfo()].sort().join(",");

/**
 * The listeners on `process`, counted by event; not those of 'exit', which run only when the
 * process ends (@pulumi/pulumi adds one, its promise-leak report, on its first run).
 */
const processListeners = (): string =>
  process
    .eventNames()
    .filter((event) => event !== "exit")
    .map((event) => `${String(event)}:${process.listenerCount(event)}`)
    .sort()
    .join(",");

/** The timer functions a program may leave work behind with, on the global and in `timers`. */
const timerFunctions = ["setTimeout", "setInterval", "setImmediate"] as const;
const clearFunctions = ["clearTimeout", "clearInterval", "clearImmediate"] as const;
type TimerHost = Record<(typeof timerFunctions)[number] | (typeof clearFunctions)[number], unknown>;

/**
 * Watches what a run could leave behind to act in the next one: timers (referenced or not) not
 * yet fired or cleared, handles that keep the process alive, listeners on `process`, globals
 * and environment variables. `stop` puts the timer functions back and says what was left, if
 * anything. The `@pulumi/pulumi` globals (its store) do not count.
 */
function watchLeftovers(): { stop(): string | undefined } {
  const globals = new Set(Object.getOwnPropertyNames(globalThis));
  const env = JSON.stringify(process.env);
  const resources = activeResources();
  const listeners = processListeners();
  const pending = new Set<unknown>();
  // The `timers` module itself (an import would give a copy of its exports).
  const hosts = [globalThis, process.getBuiltinModule("node:timers")] as unknown as TimerHost[];
  const names = [...timerFunctions, ...clearFunctions];
  const originals = hosts.map((host) => Object.fromEntries(names.map((name) => [name, host[name]])));
  for (const host of hosts) {
    for (const name of timerFunctions) {
      const start = host[name] as (callback: unknown, ...rest: unknown[]) => unknown;
      const watched = (callback: unknown, ...rest: unknown[]) => {
        if (typeof callback !== "function") return start(callback, ...rest);
        const timer = start(
          function (this: unknown, ...args: unknown[]) {
            if (name !== "setInterval") pending.delete(timer);
            return (callback as (...a: unknown[]) => unknown).apply(this, args);
          },
          ...rest,
        );
        pending.add(timer);
        return timer;
      };
      // `util.promisify(setTimeout)` keeps working (its promise form is not watched).
      const custom = (start as { [promisify.custom]?: unknown })[promisify.custom];
      host[name] = Object.assign(watched, { [promisify.custom]: custom });
    }
    for (const name of clearFunctions) {
      const clear = host[name] as (timer: unknown) => void;
      host[name] = (timer: unknown) => {
        pending.delete(timer);
        clear(timer);
      };
    }
  }
  return {
    stop() {
      hosts.forEach((host, index) => Object.assign(host, originals[index]));
      const newGlobals = Object.getOwnPropertyNames(globalThis).filter(
        (name) => !globals.has(name) && !pulumiGlobals.has(name),
      );
      if (pending.size > 0) return "a timer";
      if (activeResources() !== resources) return "a handle";
      if (processListeners() !== listeners) return "a listener on process";
      if (newGlobals.length > 0) return `a global (${newGlobals.join(", ")})`;
      if (JSON.stringify(process.env) !== env) return "an environment variable";
      return undefined;
    },
  };
}

/** True for a module of a dependency (under node_modules), which stays loaded between runs. */
const isDependency = (file: string): boolean => file.includes(`${path.sep}node_modules${path.sep}`);

/**
 * Forgets the modules of earlier runs, so that the program's own modules load afresh: every
 * module outside node_modules, this runner's own included (it keeps the copies it has). A
 * module that stays loaded drops the ones removed from its `children`, so they can be freed.
 */
function forgetProjectModules(): void {
  for (const file of Object.keys(require.cache)) {
    if (!isDependency(file)) delete require.cache[file];
  }
  for (const loaded of Object.values(require.cache)) {
    if (loaded) loaded.children = loaded.children.filter((child) => require.cache[child.id] === child);
  }
}

/**
 * True when the run's entry, and every project module `require` loaded, is CommonJS. ES modules
 * stay in a cache of their own, which forgetting `require.cache` does not reach: a run that
 * loaded one is its process's last. (One the program imports with `import()` only is not seen.)
 */
function loadedAsCommonJs(entry: string): boolean {
  const isNamespace = (exports: unknown) =>
    (exports as { [Symbol.toStringTag]?: unknown } | null)?.[Symbol.toStringTag] === "Module";
  try {
    if (require.cache[require.resolve(entry)] === undefined) return false;
  } catch {
    return false;
  }
  return Object.entries(require.cache).every(
    ([file, loaded]) => isDependency(file) || !isNamespace(loaded?.exports),
  );
}

/**
 * The program's entry as Pulumi finds it (`main` in Pulumi.yaml, else index.ts), and whether it
 * is TypeScript, for which ts-node is registered the way Pulumi's runtime registers it.
 */
async function programEntry(dir: string): Promise<{ readonly entry: string; readonly typescript: boolean }> {
  const project = parse(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    main?: string;
    runtime?: { options?: { typescript?: boolean } };
  };
  const typescript = project.runtime?.options?.typescript !== false;
  if (typescript) await registerTypeScript(dir);
  return { entry: path.join(dir, project.main ?? "index.ts"), typescript };
}

/**
 * Loads modules of the project in `dir` by their path without extension (`infra/fakes`): its
 * TypeScript sources, or what the project's own build compiled (`bin/ensure-built.js`, run once
 * per run). A module the project lacks loads as undefined.
 */
function projectModules(dir: string, typescript: boolean): <T>(name: string) => Promise<T | undefined> {
  let built: Promise<string | undefined> | undefined;
  const builtDir = async (): Promise<string | undefined> => {
    const builder = path.join(dir, "bin", "ensure-built.js");
    if (!existsSync(builder)) return undefined;
    return ((await import(builder)) as { ensureBuilt: () => string }).ensureBuilt();
  };
  return async <T>(name: string) => {
    const base = typescript ? dir : await (built ??= builtDir());
    const file = base === undefined ? undefined : path.join(base, `${name}.${typescript ? "ts" : "js"}`);
    return file !== undefined && existsSync(file) ? ((await import(file)) as T) : undefined;
  };
}

/**
 * The fakes of the project (its `infra/fakes`, beside its components), or this platform's own
 * when it has none: a project whose component was swapped (a copy, a branch) is planned with the
 * fake beside its new component (docs/decisions/0021, 0057). A compiled program
 * (`bin/pulumi-program.js`) has its fakes compiled by the same build.
 */
async function projectFakes(load: ReturnType<typeof projectModules>): Promise<typeof platformFakes> {
  return (await load<{ platformFakes: typeof platformFakes }>("infra/fakes"))?.platformFakes ?? platformFakes;
}

/**
 * The image repository of the app a stack file key names, as the project's catalog has it (its
 * persistent name: a renamed app keeps its old repository, decision 0068); the key itself for a
 * key the catalog lacks, or a project without a catalog.
 */
async function projectRepositories(
  load: ReturnType<typeof projectModules>,
): Promise<(app: string) => string> {
  const catalog = await load<{
    apps?: Readonly<Record<string, unknown>>;
    persistentNames?: (app: never) => { readonly imageRepository: string };
  }>("apps/catalog");
  const { apps, persistentNames } = catalog ?? {};
  if (!apps || !persistentNames) return (app) => app;
  return (app) => (Object.hasOwn(apps, app) ? persistentNames(apps[app] as never).imageRepository : app);
}

/**
 * The errors Pulumi's Node.js language host fails a deployment for (`cmd/run/run.js`): an
 * exception nobody caught and a promise rejection nobody handled, during one run. An `apply`
 * callback that throws surfaces only this way: the resources waiting on its value are never
 * registered, and the program itself still "finishes".
 */
function trackUncaughtErrors(): {
  readonly errors: readonly unknown[];
  readonly first: Promise<void>;
  stop(): void;
} {
  const errors: unknown[] = [];
  let reported = (): void => undefined;
  const first = new Promise<void>((resolve) => (reported = resolve));
  const record = (error: unknown): void => {
    // One rejection reaches every promise chained on it: report each error once.
    if (!errors.includes(error)) errors.push(error);
    reported();
  };
  process.on("uncaughtException", record);
  process.on("unhandledRejection", record);
  return {
    errors,
    first,
    stop: () => {
      process.off("uncaughtException", record);
      process.off("unhandledRejection", record);
    },
  };
}

/** The resources one run constructed, by `type::name`, as `type name`. */
let constructed = new Map<string, string>();

/**
 * The `@pulumi/pulumi` of this process: the first request's. Its `registerResource` is wrapped
 * once to see every resource the program constructs, including those the engine never hears
 * of (their inputs wait on a value that never comes).
 */
let loadedPulumi: { readonly file: string; readonly module: typeof import("@pulumi/pulumi") } | undefined;

async function pulumiFor(dir: string): Promise<typeof import("@pulumi/pulumi")> {
  const file = require.resolve("@pulumi/pulumi", { paths: [dir] });
  if (loadedPulumi) {
    if (loadedPulumi.file !== file) {
      // cli/program-runs.ts keeps one process per @pulumi/pulumi; a second copy would not see
      // the first's mocks.
      throw new Error(`this runner has ${loadedPulumi.file} loaded, not ${file}`);
    }
    return loadedPulumi.module;
  }
  const sdk = (await import(file)) as typeof import("@pulumi/pulumi");
  const runtime = (await import(require.resolve("@pulumi/pulumi/runtime/resource", { paths: [dir] }))) as {
    registerResource: (...args: unknown[]) => unknown;
  };
  const register = runtime.registerResource;
  runtime.registerResource = (...args: unknown[]) => {
    constructed.set(`${String(args[2])}::${String(args[3])}`, `${String(args[2])} ${String(args[3])}`);
    return register(...args);
  };
  loadedPulumi = { file, module: sdk };
  return sdk;
}

let runs = 0;

/** Runs one request. Resolves when the run ended, or its time limit did. */
async function plan(request: PlanRequest): Promise<Omit<RunnerReply, "id">> {
  runs += 1;
  forgetProjectModules();
  let pulumi: typeof import("@pulumi/pulumi");
  try {
    process.chdir(request.dir);
    pulumi = await pulumiFor(request.dir);
  } catch (error) {
    return { response: { ok: false, kind: "program", error: messageOf(error) }, reusable: false };
  }
  // What the run must leave as it found it, from once @pulumi/pulumi (which makes globals of its
  // own when it loads) is loaded.
  const leftovers = watchLeftovers();
  constructed = new Map();
  const uncaught = trackUncaughtErrors();
  let entry: { readonly entry: string; readonly typescript: boolean } | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Whether the program's run ended (resolved or rejected): one that still waits may yet act.
  let programEnded = false;
  let registered: readonly Registration[] = [];
  const unregistered = (): string[] => {
    const seen = new Set(registered.map((r) => `${r.type}::${r.name}`));
    return [...constructed].filter(([key]) => !seen.has(key)).map(([, label]) => label);
  };
  const programErrors = (): string => [...new Set(uncaught.errors.map(messageOf))].join("; ");

  // The time limit: the resources left over when it runs out are the ones waiting on a value
  // that never came. A program that failed and then hung fails for its error, not for the time.
  const timedOut = new Promise<PlanResponse>((resolve) => {
    timer = setTimeout(() => {
      const waiting = unregistered().join(", ") || "(no resource: the program itself)";
      resolve(
        uncaught.errors.length > 0
          ? { ok: false, kind: "program", error: `${programErrors()}; still waiting: ${waiting}` }
          : {
              ok: false,
              kind: "timeout",
              error: `the program did not finish within ${request.timeoutSeconds} s; still waiting: ${waiting}`,
            },
      );
    }, request.timeoutSeconds * 1000);
  });

  const run = async (): Promise<PlanResponse> => {
    try {
      const program = await programEntry(request.dir);
      entry = program;
      const load = projectModules(request.dir, program.typescript);
      const fakes = await projectFakes(load);
      const world =
        request.world ?? projectWorld(request.dir, request.config, await projectRepositories(load));
      // An uncaught error ends the run at once: the outputs that depend on it never resolve.
      const result = await Promise.race([
        runProgram({
          stack: request.stack,
          config: request.config,
          world,
          preview: request.preview ?? false,
          fakes,
          pulumi,
          load: () => import(program.entry),
          onRegistered: (registrations) => (registered = registrations),
        }).finally(() => (programEnded = true)),
        uncaught.first,
      ]);
      // Let the registrations under way end (those of resources that wait on a failed value
      // fail too), then let the rejections nobody handled be reported.
      await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
      await nextTurn();
      const missing = unregistered();
      const notRegistered = missing.length > 0 ? `never registered: ${missing.join(", ")}` : "";
      if (uncaught.errors.length > 0 || !result) {
        return {
          ok: false,
          kind: "program",
          error: [programErrors(), notRegistered].filter(Boolean).join("; "),
        };
      }
      if (missing.length > 0) {
        return {
          ok: false,
          kind: "program",
          error: `the program ended, but some resources were ${notRegistered}`,
        };
      }
      return { ok: true, run: mask(result) as ProgramRun };
    } catch (error) {
      const config = error instanceof Error && error.name === "StackConfigError";
      return { ok: false, kind: config ? "config" : "program", error: messageOf(error) };
    }
  };

  const response = await Promise.race([run(), timedOut]);
  // A failure can come before the program's registrations end: let them end, and the rejections
  // they cause be reported, before judging what the run left; within the run's time limit.
  const settled =
    response.ok ||
    (response.kind !== "timeout" &&
      (await Promise.race([
        (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> })
          .waitForRPCs()
          .then(nextTurn)
          .then(() => true),
        timedOut.then(() => false),
      ])));
  clearTimeout(timer);
  uncaught.stop();
  const left = leftovers.stop();
  // TypeScript's loader stays registered.
  const reloadable = entry !== undefined && !entry.typescript && loadedAsCommonJs(entry.entry);
  // A failed run serves another as a clean one does, once it is over: its program ended, no
  // registration is under way, and it left no timer, handle or listener that could wake what
  // still waits on its failed values, so nothing of it can act again. One that ran out of time,
  // or whose program still waits, is the process's last; so is one whose entry threw while it
  // loaded (Node drops it from `require.cache`: whether it was CommonJS is not known).
  const over = response.ok ? uncaught.errors.length === 0 : settled && programEnded;
  const clean = over && reloadable && left === undefined && runs < runsPerProcess;
  return { response, reusable: clean };
}

function serve(send: NonNullable<typeof process.send>): void {
  // Pulumi captures `new Error().stack` for every promise it makes (runtime/debuggable.js, for a
  // leak report this process never prints): about a tenth of a run's CPU. The runner reports
  // errors by message only, so it keeps no frames. Resources' source positions are unaffected:
  // Pulumi lifts the limit itself to read them (Resource.callsites).
  Error.stackTraceLimit = 0;
  // The parent went away: nobody waits for another run.
  process.on("disconnect", () => process.exit(0));
  let queue = Promise.resolve();
  process.on("message", (message: RunnerRequest) => {
    queue = queue.then(async () => {
      // Written before the program runs (the callback comes once it is), so that the parent
      // does not run again, in a fresh runner, a program that ended this process.
      const receipt: RunnerReceipt = { id: message.id, received: true };
      await new Promise<void>((resolve) => send(receipt, undefined, undefined, () => resolve()));
      const reply: RunnerReply = { id: message.id, ...(await plan(message.request)) };
      // A run that may have left something behind is this process's last: the program's
      // pending work (values that never came, timers it started) must not reach another.
      send(reply, undefined, undefined, () => {
        if (!reply.reusable) process.exit(0);
        // Node writes its compile cache when a process exits; a runner that stays writes what
        // its run compiled now, for the processes that start meanwhile (other runners, the
        // CLI's own) to find.
        flushCompileCache?.();
      });
    });
  });
}

if (require.main === module) {
  const send = process.send?.bind(process);
  if (send) {
    // The channel is the runner's: a program that writes to it fails, and cannot pass for it.
    process.send = () => {
      throw new Error("a program under platform plan may not use the plan runner's IPC channel");
    };
    serve(send);
  } else {
    process.stderr.write("engine/plan-runner.js: start it with an IPC channel (cli/program-runs.ts does)\n");
    process.exit(2);
  }
}
