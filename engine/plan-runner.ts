// A child process that runs one Pulumi program under the mock engine and prints what it
// registered as one JSON line on stdout. `platform plan` and `platform diff` start it so that
// every run gets a fresh `@pulumi/pulumi`, its own program sources (a git ref's, for a diff) and
// a time limit. Input: one JSON argument, {@link PlanRequest}.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { isSecret, runProgram, type ProgramRun, type Registration } from "./mock-engine";
import { registerTypeScript } from "./typescript-loader";

/** What to run. */
export interface PlanRequest {
  /** The project directory: its `index.ts`, `tsconfig.json` and `node_modules`. */
  readonly dir: string;
  readonly stack: string;
  /** The stack config as Pulumi passes it: key → string. */
  readonly config: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
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
  const project = load(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    main?: string;
    runtime?: { options?: { typescript?: boolean } };
  };
  if (project.runtime?.options?.typescript !== false) await registerTypeScript(dir);
  return path.join(dir, project.main ?? "index.ts");
}

function respond(response: PlanResponse): void {
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

async function main(request: PlanRequest): Promise<void> {
  process.chdir(request.dir);
  const entry = await programEntry(request.dir);
  const pulumi = (await import(
    require.resolve("@pulumi/pulumi", { paths: [request.dir] })
  )) as typeof import("@pulumi/pulumi");

  // Every resource the program constructs, and which of them the engine has seen: the ones
  // left over when the time runs out are the ones waiting on a value that never came.
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
  const timer = setTimeout(() => {
    const seen = new Set(registered.map((r) => `${r.type}::${r.name}`));
    const waiting = [...constructed].filter(([key]) => !seen.has(key)).map(([, label]) => label);
    respond({
      ok: false,
      kind: "timeout",
      error: `the program did not finish within ${request.timeoutSeconds} s; still waiting: ${waiting.join(", ") || "(no resource: the program itself)"}`,
    });
    process.exit(3);
  }, request.timeoutSeconds * 1000);

  try {
    const run = await runProgram({
      stack: request.stack,
      config: request.config,
      pulumi,
      load: () => import(entry),
      onRegistered: (registrations) => (registered = registrations),
    });
    clearTimeout(timer);
    respond({ ok: true, run: mask(run) as ProgramRun });
  } catch (error) {
    clearTimeout(timer);
    const name = error instanceof Error ? error.name : "";
    const message = error instanceof Error ? error.message : String(error);
    respond({ ok: false, kind: name === "StackConfigError" ? "config" : "program", error: message });
    process.exitCode = name === "StackConfigError" ? 2 : 1;
  }
}

if (require.main === module) {
  void main(JSON.parse(process.argv[2] ?? "{}") as PlanRequest);
}
