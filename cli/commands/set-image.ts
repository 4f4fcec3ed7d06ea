import * as path from "node:path";
import { appNames } from "../../apps/catalog";
import { environmentNames, environments } from "../../environments";
import { parseApp, parseEnvironment, parseImageVersion } from "../arguments";
import { InputError } from "../errors";
import { formatVersion, inspectImages, readImages, setImage } from "../stack-file";
import { readStackFile, stackFileName, writeFileAtomic } from "../workspace";
import type { RegisterCommand } from "./index";

/**
 * `platform set-image <environment> <app> <tag>[@<digest>]`: sets one entry of an environment's
 * stack file in place, atomically, keeping every other byte. Exit 0 when set (or already so),
 * 2 for bad arguments or a stack file that is not valid.
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
      const settings = environments[environment];
      if (!settings.buildsImages && version.digest === undefined) {
        throw new InputError(
          `${environment} does not build images and deploys only tag@digest; pass ${version.tag}@sha256:<digest>, or copy what ${settings.upstream} deployed with: platform promote ${settings.upstream} ${environment} --app ${app}`,
        );
      }
      const name = stackFileName(environment);
      const text = await readStackFile(context.cwd, environment);
      const before = inspectImages(text, name).versions[app];
      const result = setImage(text, app, version, name);
      // Never write a file the program would reject: every entry of the result must be valid.
      readImages(result, name);
      if (result === text) {
        context.stdout(`${name}: ${app} is already ${formatVersion(version)}; nothing to change\n`);
        return;
      }
      await writeFileAtomic(path.join(context.cwd, name), result);
      context.stdout(`${name}: ${app} ${formatVersion(before)} → ${formatVersion(version)}\n`);
    });
};
