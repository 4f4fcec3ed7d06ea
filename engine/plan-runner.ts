// A child process that runs one Pulumi program under the mock engine and prints what it
// registered as one JSON line on stdout. `platform plan` and `platform diff` start it so that
// every run gets a fresh `@pulumi/pulumi`, its own program sources (a git ref's, for a diff) and
// a time limit. Input: one JSON argument, {@link PlanRequest}.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
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

/** What the runner prints: the run with secrets masked, or why it failed. */
export type PlanResponse =
  | { readonly ok: true; readonly run: ProgramRun }
  | { readonly ok: false; readonly error: string; readonly kind: "config" | "program" | "timeout" };

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

/**
 * The program's entry as Pulumi finds it (`main` in Pulumi.yaml, else index.ts). A TypeScript
 * entry gets ts-node registered the way Pulumi's runtime registers it.
 */
async function programEntry(dir: string): Promise<string> {
  const project = parse(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    main?: string;
    runtime?: { options?: { typescript?: boolean } };
  };
  if (project.runtime?.options?.typescript !== false) await registerTypeScript(dir);
  return path.join(dir, project.main ?? "index.ts");
}

/** The message of anything thrown: an error's message, else the value as text. */
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let finished = false;

/**
 * Prints the response and ends the process with `exitCode`. The program's pending work (values
 * that never came, timers it started) must not keep the process alive, nor add output after
 * the response. The line break before it keeps the response on a line of its own when the
 * program printed text without one.
 */
function finish(response: PlanResponse, exitCode: number): void {
  // The time limit and the run may both end: the first response counts.
  if (finished) return;
  finished = true;
  process.stdout.write(`\n${JSON.stringify(response)}\n`, () => process.exit(exitCode));
}

/**
 * The errors Pulumi's Node.js language host fails a deployment for (`cmd/run/run.js`): an
 * exception nobody caught and a promise rejection nobody handled. An `apply` callback that
 * throws surfaces only this way: the resources waiting on its value are never registered, and
 * the program itself still "finishes".
 */
function trackUncaughtErrors(): { readonly errors: readonly unknown[]; readonly first: Promise<void> } {
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
  return { errors, first };
}

/** A turn of the event loop: promise rejections nobody handled are reported before it ends. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function main(request: PlanRequest): Promise<void> {
  // Pulumi captures `new Error().stack` for every promise it makes (runtime/debuggable.js, for a
  // leak report this process never prints): about a tenth of a run's CPU. The runner reports
  // errors by message only, so it keeps no frames. Resources' source positions are unaffected:
  // Pulumi lifts the limit itself to read them (Resource.callsites).
  Error.stackTraceLimit = 0;
  const uncaught = trackUncaughtErrors();
  process.chdir(request.dir);
  const entry = await programEntry(request.dir);
  const pulumi = (await import(
    require.resolve("@pulumi/pulumi", { paths: [request.dir] })
  )) as typeof import("@pulumi/pulumi");

  // Every resource the program constructs, and which of them the engine has seen: the ones
  // left over when the time runs out are the ones waiting on a value that never came, and the
  // ones left over at the end are missing from the plan.
  const constructed = new Map<string, string>();
  const runtime = (await import(
    require.resolve("@pulumi/pulumi/runtime/resource", { paths: [request.dir] })
  )) as {
    registerResource: (...args: unknown[]) => unknown;
  };
  const register = runtime.registerResource;
  runtime.registerResource = (...args: unknown[]) => {
    constructed.set(`${String(args[2])}::${String(args[3])}`, `${String(args[2])} ${String(args[3])}`);
    return register(...args);
  };
  let registered: readonly Registration[] = [];
  const unregistered = (): string[] => {
    const seen = new Set(registered.map((r) => `${r.type}::${r.name}`));
    return [...constructed].filter(([key]) => !seen.has(key)).map(([, label]) => label);
  };
  const programErrors = (): string => [...new Set(uncaught.errors.map(messageOf))].join("; ");

  const timer = setTimeout(() => {
    const waiting = unregistered().join(", ") || "(no resource: the program itself)";
    // A program that failed and then hung fails for its error, not for the time.
    if (uncaught.errors.length > 0) {
      finish({ ok: false, kind: "program", error: `${programErrors()}; still waiting: ${waiting}` }, 1);
    } else {
      finish(
        {
          ok: false,
          kind: "timeout",
          error: `the program did not finish within ${request.timeoutSeconds} s; still waiting: ${waiting}`,
        },
        3,
      );
    }
  }, request.timeoutSeconds * 1000);

  try {
    // An uncaught error ends the run at once: the outputs that depend on it never resolve.
    const run = await Promise.race([
      runProgram({
        stack: request.stack,
        config: request.config,
        world: request.world ?? projectWorld(request.dir, request.config),
        preview: request.preview ?? false,
        fakes: platformFakes,
        pulumi,
        load: () => import(entry),
        onRegistered: (registrations) => (registered = registrations),
      }),
      uncaught.first,
    ]);
    // Let the registrations under way end (those of resources that wait on a failed value fail
    // too), then let the rejections nobody handled be reported.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    await nextTurn();
    clearTimeout(timer);
    const missing = unregistered();
    const notRegistered = missing.length > 0 ? `never registered: ${missing.join(", ")}` : "";
    if (uncaught.errors.length > 0 || !run) {
      const error = [programErrors(), notRegistered].filter(Boolean).join("; ");
      finish({ ok: false, kind: "program", error }, 1);
    } else if (missing.length > 0) {
      finish(
        { ok: false, kind: "program", error: `the program ended, but some resources were ${notRegistered}` },
        1,
      );
    } else {
      finish({ ok: true, run: mask(run) as ProgramRun }, 0);
    }
  } catch (error) {
    clearTimeout(timer);
    const config = error instanceof Error && error.name === "StackConfigError";
    finish({ ok: false, kind: config ? "config" : "program", error: messageOf(error) }, config ? 2 : 1);
  }
}

if (require.main === module) {
  main(JSON.parse(process.argv[2] ?? "{}") as PlanRequest).catch((error: unknown) =>
    finish({ ok: false, kind: "program", error: messageOf(error) }, 1),
  );
}
