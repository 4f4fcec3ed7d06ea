import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import { environmentNames } from "../../environments";
import { PlatformError } from "../errors";
import { generateWorkflows } from "../workflows/generate";
import type { RegisterCommand } from "../command";

/**
 * `platform workflows [--check]`: writes the CI files that list the environments (the deploy,
 * preview and drift workflows, the path filters, the required checks) from their templates in
 * `.github/templates/` and the pipeline's order (environments/pipeline.ts). With `--check` it
 * writes nothing and exits 1 naming each file that differs (docs/decisions/0073).
 */
export const registerWorkflows: RegisterCommand = (program, context, setExitCode) => {
  program
    .command("workflows")
    .description("Write the CI files that list the environments from .github/templates/ and the pipeline")
    .option("--check", "write nothing; exit 1 if a file differs from what would be written")
    .action(async (options: { check?: boolean }) => {
      let files: Map<string, string>;
      try {
        files = generateWorkflows(
          (file) => readFileSync(path.join(context.cwd, file), "utf8"),
          environmentNames,
        );
      } catch (error) {
        throw new PlatformError(`cannot generate the workflows: ${(error as Error).message}`, 2);
      }
      const read = (file: string): string | undefined => {
        try {
          return readFileSync(path.join(context.cwd, file), "utf8");
        } catch {
          return undefined;
        }
      };
      const stale = [...files].filter(([file, text]) => read(file) !== text).map(([file]) => file);
      if (options.check) {
        if (stale.length === 0) context.stdout("the CI files follow environments/pipeline.ts\n");
        else {
          context.stderr(
            `${stale.join(", ")}: differ from what \`npx platform workflows\` generates from .github/templates/ and environments/pipeline.ts; run it and commit the result\n`,
          );
          setExitCode(1);
        }
        return;
      }
      for (const file of stale) await writeFile(path.join(context.cwd, file), files.get(file)!);
      context.stdout(stale.length === 0 ? "nothing to write\n" : `wrote ${stale.join(", ")}\n`);
    });
};
