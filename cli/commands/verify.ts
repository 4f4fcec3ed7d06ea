import { environmentNames } from "../../environments";
import { parseEnvironment } from "../arguments";
import type { RegisterCommand } from "../command";
import { stackOutputsReader } from "../deployed-images";
import { InputError, PlatformError } from "../errors";
import { readStackConfigFile } from "../stack-file/read-config";
import type { ClusterSnapshot } from "../verify/cluster-snapshot";
import { expectationsOf } from "../verify/expectations";
import type { Finding } from "../verify/judge";
import { kubeTimeoutVariable, kubernetesReader } from "../verify/kubernetes";
import { formatFindings, formatPassed, verificationJson } from "../verify/report";
import { verifyWithin } from "../verify/verify";

/** How long verify waits for the cluster to pass when `--wait` is not given. */
export const defaultWaitSeconds = 120;

/** Checks a `--wait <seconds>` value. @throws InputError */
export function parseWaitSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new InputError(
      `--wait: '${value}' is not a number of seconds; give 0 or more, such as ${defaultWaitSeconds}`,
    );
  }
  return seconds;
}

/**
 * `platform verify <environment> [--outputs <file>] [--kubeconfig <file>] [--wait <s>] [--json]`:
 * checks that the environment runs what its stack pins, right after `pulumi up`: every Deployment
 * rolled out (as `kubectl rollout status`), every pod of it runs the digest of the stack's
 * `images` output (its status's imageID), the migration and mysql-users Jobs completed, and each
 * app answers its health and deep health (its MySQL and Redis sign-ins) through its Service, by
 * the API server's service proxy. Exit 0 when all passed, 1 with a table of what failed, 2 for
 * bad input.
 */
export const registerVerify: RegisterCommand = (program, context) => {
  program
    .command("verify")
    .description(
      "Check that an environment runs what its stack pins: rollouts, pod digests, Jobs, smoke checks",
    )
    .argument("<environment>", environmentNames.join(" | "))
    .option(
      "--outputs <file>",
      "a file holding `pulumi stack output --json --stack <environment>` (default: run it)",
    )
    .option("--kubeconfig <file>", "the cluster's kubeconfig (default: KUBECONFIG, else ~/.kube/config)")
    .option(
      "--wait <seconds>",
      `how long to wait for rollouts and Jobs to finish before failing (default: ${defaultWaitSeconds})`,
    )
    .option("--json", "print JSON instead of a table")
    .addHelpText(
      "after",
      `
Environment read:
  KUBECONFIG                        the kubeconfig, when --kubeconfig is not given
  ${kubeTimeoutVariable}     how long one request to the API server may take (default: 30)
  PLATFORM_PULUMI_TIMEOUT_SECONDS   how long \`pulumi stack output\` may take (default: 120)`,
    )
    .action(
      async (
        environmentArgument: string,
        options: { outputs?: string; kubeconfig?: string; wait?: string; json?: boolean },
      ) => {
        const environment = parseEnvironment(environmentArgument);
        const waitSeconds = options.wait === undefined ? defaultWaitSeconds : parseWaitSeconds(options.wait);
        const config = await readStackConfigFile(context.cwd, environment);
        const outputs = await stackOutputsReader(context.cwd, context.env, options.outputs)(environment);
        const { expectations, findings: given } = expectationsOf(config, outputs);
        // Outputs of another stack file: the cluster runs what that file said, not this one.
        if (given.length > 0) {
          report(given, undefined);
          return;
        }
        const reader = await kubernetesReader({ kubeconfig: options.kubeconfig, env: context.env });
        const requests = expectations.smoke.flatMap((smoke) =>
          smoke.deep === undefined ? [smoke.health] : [smoke.health, smoke.deep],
        );
        const { findings, snapshot } = await verifyWithin({
          expectations,
          read: () => reader.snapshot(expectations.namespaces, requests),
          waitSeconds,
        });
        report(findings, snapshot);

        function report(findings: readonly Finding[], snapshot: ClusterSnapshot | undefined): void {
          if (options.json) {
            context.stdout(verificationJson(environment, expectations, findings, snapshot));
          } else if (findings.length > 0) {
            context.stdout(formatFindings(findings));
          } else {
            context.stdout(formatPassed(environment, expectations));
          }
          if (findings.length > 0) {
            const apps = [...new Set(findings.map((finding) => finding.app))].join(", ");
            throw new PlatformError(
              `verify ${environment}: ${findings.length} check${findings.length === 1 ? "" : "s"} failed (${apps})`,
            );
          }
        }
      },
    );
};
