import { environmentObjects } from "../../apps/manifests/environment-objects";
import { registryLoginServer } from "../../bootstrap/config";
import { renderYaml } from "../../apps/manifests/render-yaml";
import { environmentArgumentHelp, parseEnvironment } from "../arguments";
import { readBootstrapConfig, readStackConfigFile } from "../stack-file/read-config";
import type { RegisterCommand } from "../command";

/**
 * `platform render <environment>`: every Kubernetes object of the environment as YAML, exactly
 * what the program deploys, without Pulumi, a cloud or credentials (like `kustomize build`).
 */
export const registerRender: RegisterCommand = (program, context) => {
  program
    .command("render")
    .description(
      "Print the environment's Kubernetes objects as YAML (values known only after deployment appear as references)",
    )
    .argument("<environment>", environmentArgumentHelp)
    .action(async (name: string) => {
      const config = await readStackConfigFile(context.cwd, parseEnvironment(name));
      // The registry is the bootstrap stack's: its name is in that stack's file.
      const { registry } = await readBootstrapConfig(context.cwd);
      const objects = environmentObjects(config, registryLoginServer(registry.name));
      context.stdout(renderYaml(objects));
      if (config.notDeployed.length > 0) {
        context.stderr(
          `note: not deployed in ${config.environment.name} (no platform:images entry): ${config.notDeployed.join(", ")}\n`,
        );
      }
    });
};
