import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { bootstrapStackFile, parseBootstrapConfig, registryLoginServer } from "../bootstrap/config";
import { readStackData } from "../stack-config/from-file";
import { processInterruption } from "./context";
import { InterruptedError } from "./errors";
import { processOutput, type ProcessFailure, type RunProgram } from "./process";

/** What the registry says of `repository:tag`. */
export type RegistryAnswer =
  | { readonly kind: "found"; readonly digest: string }
  | { readonly kind: "missing"; readonly detail: string }
  /** The registry could not be asked (no `az`, not logged in, no registry configured). */
  | { readonly kind: "unavailable"; readonly detail: string };

/** Looks an image up in the shared registry. */
export interface RegistryLookup {
  /** The registry's login server, for messages. */
  readonly server: string;
  /** Looks `repository:tag` up (an app's repository: apps/persistent-names.ts). */
  lookup(repository: string, tag: string): Promise<RegistryAnswer>;
}

/**
 * What `az acr repository show --image` prints when the registry answered that the image is not
 * there: ACR's 404 message after az's "Error: " (azure-cli, acr/_docker_utils.py,
 * `parse_error_message`). Seen for real: "Error: the specified tag does not exist. Correlation
 * ID: …" (Azure/azure-cli#31569), "Error: repository name not known to registry. Correlation
 * ID: …" (learn.microsoft.com, container registry troubleshooting: NAME_UNKNOWN), and
 * MANIFEST_UNKNOWN's "manifest tagged by "<tag>" is not found" (MicrosoftDocs/azure-docs#90060).
 * Anything else, such as "Subscription '…' not found" or a missing registry, means the image
 * could not be checked, not that it is gone.
 */
const imageIsGone =
  /\bError: (?:the specified tag does not exist|repository name not known to registry|manifest tagged by "[^"]*" is not found)\./;

/** How long one `az acr` lookup may take. */
const lookupTimeoutSeconds = 60;

/**
 * The shared registry of the project in `cwd` (named in `bootstrap/Pulumi.shared.yaml`), read
 * with `az acr repository show`: what the person rolling back is logged in with (`az login`), the
 * same registry the deploy's `getRegistryImage` check reads. Undefined without that file.
 */
export async function azureRegistry(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  run: RunProgram = processOutput,
  interrupt: AbortSignal = processInterruption(),
): Promise<RegistryLookup | undefined> {
  const file = path.join(cwd, bootstrapStackFile);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const data = readStackData(text, file) as { config?: Record<string, unknown> } | null;
  const { registry } = parseBootstrapConfig(data?.config ?? {}, file);
  const server = registryLoginServer(registry.name);
  return {
    server,
    async lookup(repository, tag) {
      const args = [
        "acr",
        "repository",
        "show",
        "--name",
        registry.name,
        "--image",
        `${repository}:${tag}`,
        "--output",
        "json",
      ];
      let json: string;
      try {
        json = await run("az", args, { cwd, env, timeoutSeconds: lookupTimeoutSeconds, interrupt });
      } catch (error) {
        if (error instanceof InterruptedError) {
          throw new InterruptedError(
            error.signal,
            `checking ${repository}:${tag} in ${server} (az acr repository show, which was stopped); nothing was changed`,
          );
        }
        const failure = error as Partial<ProcessFailure>;
        if (failure.code === "ENOENT") return { kind: "unavailable", detail: "the az CLI is not installed" };
        const said = (failure.stderr ?? "").trim() || String(failure.message);
        if (imageIsGone.test(said)) return { kind: "missing", detail: said };
        return { kind: "unavailable", detail: `az ${args.join(" ")} failed: ${said}` };
      }
      try {
        const digest = (JSON.parse(json) as { digest?: unknown }).digest;
        if (typeof digest === "string") return { kind: "found", digest };
      } catch {
        // Reported below.
      }
      return { kind: "unavailable", detail: `az ${args.join(" ")} printed no digest` };
    },
  };
}
