import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Registers ts-node for the Pulumi project in `dir` exactly as Pulumi's Node.js runtime does
 * (`@pulumi/pulumi/cmd/run/run.js`): the project's tsconfig, ts-node's type-check unless the
 * tsconfig sets `noCheck` (then transpile only), and the runtime's default compiler options
 * under the project's own. `typeCheck: true` forces Pulumi's default path, for comparison.
 */
export async function registerTypeScript(
  dir: string,
  options: { readonly typeCheck?: boolean } = {},
): Promise<void> {
  // Resolved from the project, as Pulumi resolves them.
  const fromProject = (request: string): string => require.resolve(request, { paths: [dir] });
  const ts = (await import(fromProject("typescript"))) as typeof import("typescript");
  const project = path.join(dir, "tsconfig.json");
  const parsed = ts.parseConfigFileTextToJson(project, readFileSync(project, "utf8")) as {
    config?: { compilerOptions?: Record<string, unknown> };
  };
  const compilerOptions = { ...(parsed.config?.compilerOptions ?? {}) };
  if (options.typeCheck) delete compilerOptions["noCheck"];
  const tsNode = (await import(fromProject("ts-node"))) as typeof import("ts-node");
  tsNode.register({
    compiler: fromProject("typescript"),
    transpileOnly: options.typeCheck ? false : (compilerOptions["noCheck"] as boolean | undefined),
    project,
    ...(options.typeCheck ? { swc: false } : {}),
    compilerOptions: {
      target: "ES2020",
      module: "nodenext",
      moduleResolution: "nodenext",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
}
