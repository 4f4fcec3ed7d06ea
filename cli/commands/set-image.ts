import { appNames } from "../../apps/catalog";
import { environmentNames, environments } from "../../environments";
import { onlyTagAtDigest } from "../../stack-config/schema";
import { parseApp, parseEnvironment, parseImageVersion } from "../arguments";
import { InputError } from "../errors";
import { parseStackFile } from "../../stack-config/from-file";
import { formatVersion, inspectImages, readImages } from "../stack-file/read-images";
import { setImage } from "../stack-file/edit-images";
import { editStackFile, stackFileName } from "../stack-file/files";
import type { RegisterCommand } from "../command";

/**
 * `platform set-image <environment> <app> <tag>[@<digest>]`: sets one entry of an environment's
 * stack file in place, atomically and under the file's lock, keeping every other byte. Exit 0
 * when set (or already so), 2 for bad arguments or a stack file that is not valid (or would not
 * be after the edit), 1 when another command holds the lock or the file cannot be written.
 */
export const registerSetImage: RegisterCommand = (program, context) => {
  program
    .command("set-image")
    .description("Set an app's image tag (and digest) in an environment's stack file")
    .argument("<environment>", environmentNames.join(" | "))
    .argument("<app>", appNames.join(" | "))
    .argument("<version>", "<tag>[@<digest>]; a tag alone clears the digest")
    .action(async (environmentArgument: string, appArgument: string, versionArgument: string) => {
      const environment = parseEnvironment(environmentArgument);
      const app = parseApp(appArgument);
      const version = parseImageVersion(versionArgument);
      const digestRule = onlyTagAtDigest(environments[environment], app);
      if (digestRule !== undefined && version.digest === undefined) {
        throw new InputError(`${version.tag} has no digest; ${digestRule}`);
      }
      const name = stackFileName(environment);
      const { before, after } = await editStackFile(
        context.cwd,
        environment,
        (text) => {
          const result = setImage(text, app, version, name);
          // Never write a file the program would reject: read it back as the program would.
          if (result !== text) {
            readImages(result, name);
            parseStackFile(result, environment, `${name} as it would be written`);
          }
          return result;
        },
        undefined,
        (line) => context.stderr(`note: ${line}\n`),
      );
      if (after === before) {
        context.stdout(`${name}: ${app} is already ${formatVersion(version)}; nothing to change\n`);
        return;
      }
      const previous = inspectImages(before, name).versions[app];
      context.stdout(`${name}: ${app} ${formatVersion(previous)} → ${formatVersion(version)}\n`);
    });
};
