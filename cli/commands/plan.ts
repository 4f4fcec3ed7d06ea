import { baselinePolicies } from "../../policy/baseline";
import { evaluatePolicies } from "../../policy/evaluate";
import { environmentArgumentHelp, parseEnvironment } from "../arguments";
import { InputError, PlatformError } from "../errors";
import { formatGraph } from "../plan-view/graph";
import { formatPlan, planJson } from "../plan-view/tree";
import { planTimeoutSeconds, runPlan } from "../program-runs";
import { parseStackFile, pulumiConfig } from "../../stack-config/from-file";
import { readStackFile, stackFileName } from "../stack-file/files";
import type { RegisterCommand } from "../command";

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
    .action(async (name: string, options: { json?: boolean; graph?: boolean; policy?: boolean }) => {
      const environment = parseEnvironment(name);
      if (options.json && options.graph) {
        throw new InputError(
          "--json and --graph cannot be combined: --graph prints Mermaid text, not JSON; run plan --json for the plan as JSON, or plan --graph for the graph",
        );
      }
      const text = await readStackFile(context.cwd, environment);
      parseStackFile(text, environment, stackFileName(environment));
      const run = await runPlan({
        dir: context.cwd,
        stack: environment,
        config: pulumiConfig(text),
        timeoutSeconds: planTimeoutSeconds(context.env),
      });
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
