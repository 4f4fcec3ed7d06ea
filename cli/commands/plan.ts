import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { baselinePolicies } from "../../policy/baseline";
import { evaluatePolicies } from "../../policy/evaluate";
import { environmentArgumentHelp, parseEnvironment } from "../arguments";
import { InputError, PlatformError } from "../errors";
import { formatGraph } from "../plan-view/graph";
import { formatPlan, planJson } from "../plan-view/tree";
import { planTimeoutSeconds, runPlan } from "../program-runs";
import { checkOutProgram } from "../program-checkout";
import { commitOfRef, createGit } from "../git";
import { fingerprintDocument, formatFingerprint, operationsOf } from "../fingerprint/operations";
import { previewOfRuns } from "../fingerprint/runs";
import type { EnvironmentName } from "../../environments";
import type { Context } from "../context";
import type { ProgramRun } from "../../engine/mock-engine";
import { parseStackFile, pulumiConfig } from "../../stack-config/from-file";
import { readStackFile, stackFileName } from "../stack-file/files";
import type { RegisterCommand } from "../command";

/**
 * The environment as it is at `ref` (program and stack file), planned under the mock engine:
 * what is deployed, for a fingerprint. Undefined when its stack file does not exist there.
 */
async function planAt(
  context: Context,
  environment: EnvironmentName,
  ref: string,
): Promise<ProgramRun | undefined> {
  const git = createGit(context.cwd, context.env);
  const commit = await commitOfRef(git, ref);
  const dir = await mkdtemp(path.join(tmpdir(), "platform-plan-deployed-"));
  try {
    await checkOutProgram(git, commit, dir, context.cwd);
    const text = await readFile(path.join(dir, stackFileName(environment)), "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    return await runPlan({
      dir,
      stack: environment,
      config: pulumiConfig(text),
      timeoutSeconds: planTimeoutSeconds(context.env),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The options of `platform plan`. */
interface PlanOptions {
  json?: boolean;
  graph?: boolean;
  policy?: boolean;
  fingerprint?: boolean;
  deployed?: string;
  out?: string;
}

/**
 * `platform plan <environment>`: what `pulumi up` would create, without Azure or credentials:
 * the real program under Pulumi's mock engine, as a tree of resources with the inputs that
 * matter to a reviewer.
 */
export const registerPlan: RegisterCommand = (program, context) => {
  program
    .command("plan")
    .description("Show the resources pulumi up would create for an environment, without a cloud")
    .argument("<environment>", environmentArgumentHelp)
    .option("--json", "print the plan as JSON")
    .option("--graph", "print the dependency graph (Mermaid) and the critical path of a first deployment")
    .option(
      "--policy",
      "check the plan against the security baseline policy pack (policy/); fail on a violation",
    )
    .option(
      "--fingerprint",
      "print the operations pulumi up would apply and their fingerprint (what a deploy compares)",
    )
    .option(
      "--deployed <ref>",
      "with --fingerprint: what is deployed is the environment at this git ref (default: nothing)",
    )
    .option("--out <file>", "with --fingerprint: also write the fingerprint document (JSON) to this file")
    .action(async (name: string, options: PlanOptions) => {
      const environment = parseEnvironment(name);
      if (options.json && options.graph) {
        throw new InputError(
          "--json and --graph cannot be combined: --graph prints Mermaid text, not JSON; run plan --json for the plan as JSON, or plan --graph for the graph",
        );
      }
      const text = await readStackFile(context.cwd, environment);
      parseStackFile(text, environment, stackFileName(environment));
      if (!options.fingerprint && (options.deployed !== undefined || options.out !== undefined)) {
        throw new InputError("--deployed and --out go with --fingerprint");
      }
      const [run, deployed] = await Promise.all([
        runPlan({
          dir: context.cwd,
          stack: environment,
          config: pulumiConfig(text),
          timeoutSeconds: planTimeoutSeconds(context.env),
        }),
        options.fingerprint && options.deployed !== undefined
          ? planAt(context, environment, options.deployed)
          : undefined,
      ]);
      if (options.fingerprint) {
        // The same reader as a real preview's: the mock engine's plan as pulumi preview --json.
        const operations = operationsOf(previewOfRuns(deployed, run), environment, "the plan");
        const document = fingerprintDocument(environment, operations);
        context.stdout(formatFingerprint(document));
        if (options.out !== undefined) await writeFile(options.out, `${JSON.stringify(document, null, 2)}\n`);
        return;
      }
      if (options.graph) context.stdout(formatGraph(run));
      else context.stdout(options.json ? planJson(environment, run) : formatPlan(environment, run));
      // What the program warned about under the mock engine (placeholder ranges, which pulumi refuses).
      for (const warning of run.warnings ?? []) context.stderr(`WARNING: ${warning}\n`);
      if (!options.policy) return;
      // The same policies `pulumi preview --policy-pack policy` runs, over the plan's inputs.
      const violations = await evaluatePolicies(baselinePolicies, run.registrations);
      if (violations.length > 0) {
        throw new PlatformError(
          [
            `${environment}: ${violations.length} violation(s) of the security baseline:`,
            ...violations.map((violation) => `  [${violation.policy}] ${violation.message}`),
          ].join("\n"),
        );
      }
      if (!options.json)
        context.stdout(`security baseline: ${baselinePolicies.length} policies, no violation\n`);
    });
};
