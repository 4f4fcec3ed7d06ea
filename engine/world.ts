import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  bootstrapProject,
  bootstrapStackFile,
  parseBootstrapConfig,
  registryLoginServer,
  registryNamePattern,
} from "../bootstrap/config";
import {
  acrTokenUsername,
  bootstrapLocks,
  bootstrapOutputs,
  bootstrapStackReference,
  registryReaderConfigFile,
} from "../bootstrap/outputs";
import { fakeHash, mockOrganization, mockSubscriptionId, type World } from "./mock-engine";

/**
 * The world an environment stack of the project in `dir` runs in after docs/deploying.md's first-deploy
 * steps: the bootstrap stack deployed from its stack file, `az acr login` done for its registry,
 * an ACR token for it (`az acr login --expose-token`) written to the registry reader's Docker
 * config file, and the registry holding every image `config` pins (a plan cannot look into the
 * real registry; `pulumi preview` does), each under the repository the project's catalog names
 * for the app (a renamed app keeps its old one, decision 0068). Without a bootstrap stack file,
 * nothing exists.
 *
 * @param config the stack config as Pulumi passes it: key → string (objects as JSON).
 * @param repositoryOf the image repository of the app a stack file key names (the catalog's
 *   persistent name; the key itself by default).
 */
export function projectWorld(
  dir: string,
  config: Readonly<Record<string, string>>,
  repositoryOf: (app: string) => string = (app) => app,
): World {
  const file = path.join(dir, bootstrapStackFile);
  if (!existsSync(file)) return { stacks: {}, registryLogins: [], registryImages: {} };
  const raw =
    (parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
  // Only what an environment's plan reads of the bootstrap: its registry. The bootstrap's own
  // plan checks the rest of its config (its GitHub settings may name an environment this
  // runner's pipeline does not know yet, in a copy that adds one).
  const registryName = raw[`${bootstrapProject}:registryName`];
  if (typeof registryName !== "string" || !registryNamePattern.test(registryName)) {
    // As the bootstrap would refuse it: the same message.
    parseBootstrapConfig(raw, file);
  }
  const loginServer = registryLoginServer(registryName as string);
  const token = `acr-token-${fakeHash(loginServer).slice(0, 16)}`;
  return {
    stacks: {
      [bootstrapStackReference(mockOrganization)]: bootstrapOutputs(
        registryName as string,
        mockSubscriptionId,
      ),
    },
    registryLogins: [loginServer],
    locks: bootstrapLocks(),
    registryImages: Object.fromEntries(
      pinnedImages(config).map(({ app, tag, digest }) => [
        `${loginServer}/${repositoryOf(app)}:${tag}`,
        digest,
      ]),
    ),
    dockerConfigFiles: {
      [registryReaderConfigFile]: { [loginServer]: { username: acrTokenUsername, password: token } },
    },
    registryTokens: { [loginServer]: token },
  };
}

/** The `platform:images` entries of a stack config that pin a digest. */
function pinnedImages(
  config: Readonly<Record<string, string>>,
): { app: string; tag: string; digest: string }[] {
  let images: unknown;
  try {
    images = JSON.parse(config["platform:images"] ?? "{}");
  } catch {
    return []; // The program reports the bad config.
  }
  if (typeof images !== "object" || images === null) return [];
  return Object.entries(images as Record<string, { tag?: unknown; digest?: unknown }>).flatMap(
    ([app, version]) =>
      typeof version?.tag === "string" && typeof version.digest === "string"
        ? [{ app, tag: version.tag, digest: version.digest }]
        : [],
  );
}
