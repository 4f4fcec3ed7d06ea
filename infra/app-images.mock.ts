import { homedir } from "node:os";
import { acrTokenUsername } from "../bootstrap/outputs";
import {
  fakeHash,
  isSecret,
  providerError,
  type FakeCall,
  type FakeResource,
  type Fakes,
  type LiveWorld,
  type RegistryCredential,
} from "./fake-kit";

/** The host of an image reference: `host/repository:tag` → `host`. */
const registryHost = (reference: string): string => reference.split("/", 1)[0] ?? "";

/**
 * The registry hosts for which docker-build's `registries` input carries credentials. An entry
 * with only an address reads the machine's Docker config instead.
 */
const credentialHosts = (entries: unknown): string[] =>
  (Array.isArray(entries) ? (entries as Record<string, unknown>[]) : []).flatMap((entry) =>
    typeof entry["address"] === "string" && entry["password"] !== undefined ? [entry["address"]] : [],
  );

/** A registry's answer to a push without credentials, as Docker prints it. */
const unauthorized = (host: string): Error =>
  providerError(
    `${host}: 401 Unauthorized: authentication required (no Docker credentials for ${host}; log in first: az acr login --name ${host.split(".")[0]})`,
  );

/**
 * docker-build's image: the digest of what it built. Like the provider, a preview without
 * buildOnPreview neither builds nor pushes; a push needs credentials for every tag's registry
 * (BuildKit understands the `identitytoken` `az acr login` leaves), and adds the image to the
 * world's registry.
 */
const image: FakeResource = ({ name, inputs, preview, world }) => {
  const digest = `sha256:${fakeHash(`${name}:${JSON.stringify(inputs["tags"])}`)}`;
  if (preview || inputs["push"] !== true) return { digest };
  const allowed = new Set([...world.registryLogins, ...credentialHosts(inputs["registries"])]);
  const tags = Array.isArray(inputs["tags"]) ? inputs["tags"].map(String) : [];
  for (const tag of tags) if (!allowed.has(registryHost(tag))) throw unauthorized(registryHost(tag));
  for (const tag of tags) world.registryImages.set(tag, digest);
  return { digest };
};

/**
 * The docker provider's `registryAuth` entries. The SDK sends the list as JSON text (a secret
 * when any part is one).
 */
function registryAuthEntries(value: unknown): Record<string, unknown>[] {
  const text: unknown = isSecret(value) ? (value as { value: unknown }).value : value;
  const list: unknown = typeof text === "string" ? JSON.parse(text) : text;
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

/** `https://host/` → `host`, as the provider's `convertToHostname` does. */
const hostname = (address: string): string => address.replace(/^https?:\/\//, "").split("/", 1)[0] ?? "";

/**
 * The credential the provider configures for `host`, as kreuzwerker/terraform-provider-docker
 * v4.5.0 (the `upstream` of @pulumi/docker 5) does in `providerSetToRegistryAuth`
 * (internal/provider/provider.go): a non-empty `username` with its `password`; else the `auth` of
 * `configFileContent`; else of `configFile` (default ~/.docker/config.json), where
 * `getAuthConfigFromConfigFile` keeps Username and Password only and drops the `identitytoken`
 * that `az acr login` writes (with an empty password). Undefined without an entry for `host`:
 * the lookup then goes anonymous.
 *
 * @throws Error (as the provider's) when the config file does not exist. The real provider
 *   fails to configure; its first use reports it.
 */
function configuredCredential(
  provider: Record<string, unknown> | undefined,
  host: string,
  world: LiveWorld,
): RegistryCredential | undefined {
  const entry = registryAuthEntries(provider?.["registryAuth"]).find(
    (candidate) => typeof candidate["address"] === "string" && hostname(candidate["address"]) === host,
  );
  if (entry === undefined) return undefined;
  const text = (key: string): string => (typeof entry[key] === "string" ? entry[key] : "");
  if (text("username") !== "") return { username: text("username"), password: text("password") };
  if (text("configFileContent") !== "") {
    const auths = (JSON.parse(text("configFileContent")) as { auths?: Record<string, { auth?: string }> })
      .auths;
    const [username = "", ...rest] = Buffer.from(auths?.[host]?.auth ?? "", "base64")
      .toString()
      .split(":");
    return { username, password: rest.join(":") };
  }
  const file = text("configFile") || "~/.docker/config.json";
  if (file === "~/.docker/config.json") {
    // What `az acr login` leaves: the null user, an empty password and an identitytoken.
    return world.registryLogins.has(host)
      ? { username: acrTokenUsername, password: "" }
      : { username: "", password: "" };
  }
  const auths = world.dockerConfigFiles[file];
  if (auths === undefined) {
    const path = file.replace(/^~\//, `${homedir()}/`);
    throw providerError(
      `Error loading registry auth config: could not open config file from filePath: ${path}. Error: open ${path}: no such file or directory`,
    );
  }
  return auths[host] ?? { username: "", password: "" };
}

/**
 * docker's registry lookup: the digest the registry holds for a tag, with the credential the
 * provider configured. ACR takes only a token it issued, as the password of the null user;
 * anything else (an empty password, no credential) ends in the provider's error after its
 * anonymous retry (`getImageDigest`, `getAuthToken`; data_source_docker_registry_image.go,
 * authentication_helpers.go at v4.5.0), as does a tag the registry does not hold.
 */
const registryImage: FakeCall = ({ inputs, provider, world }) => {
  const reference = String(inputs["name"]);
  const host = registryHost(reference);
  // The provider names the repository without its host (`parseImageOptions`).
  const image = reference.slice(host.length + 1);
  const failed = (status: string) =>
    providerError(
      `Got error when attempting to fetch image version ${image} from registry: got bad response from registry: ${status}`,
    );
  const credential = configuredCredential(provider, host, world);
  const token = world.registryTokens[host];
  const accepted =
    credential !== undefined &&
    credential.username === acrTokenUsername &&
    token !== undefined &&
    credential.password === token;
  if (!accepted) throw failed("401 Unauthorized");
  const digest = world.registryImages.get(reference);
  if (digest === undefined) throw failed("404 Not Found");
  return { id: digest, name: reference, sha256Digest: digest };
};

export const appImagesFakes: Fakes = {
  source: "infra/app-images.mock.ts",
  resources: { "docker-build:index:Image": image },
  calls: { "docker:index/getRegistryImage:getRegistryImage": registryImage },
};
