import { fakeHash, providerError, type FakeCall, type FakeResource, type Fakes } from "../engine/mock-engine";

/** The host of an image reference: `host/repository:tag` → `host`. */
const registryHost = (reference: string): string => reference.split("/", 1)[0] ?? "";

/**
 * The registry hosts for which an input's `registries` (docker-build) or `registryAuth` (docker)
 * carries credentials. An entry with only an address reads the machine's Docker config instead.
 */
const credentialHosts = (entries: unknown): string[] =>
  (Array.isArray(entries) ? (entries as Record<string, unknown>[]) : []).flatMap((entry) =>
    typeof entry["address"] === "string" &&
    (entry["password"] !== undefined || entry["configFileContent"] !== undefined)
      ? [entry["address"]]
      : [],
  );

/** A registry's answer to a request without credentials, as Docker prints it. */
const unauthorized = (host: string): Error =>
  providerError(
    `${host}: 401 Unauthorized: authentication required (no Docker credentials for ${host}; log in first: az acr login --name ${host.split(".")[0]})`,
  );

/**
 * docker-build's image: the digest of what it built. Like the provider, a preview without
 * buildOnPreview neither builds nor pushes; a push needs credentials for every tag's registry,
 * and adds the image to the world's registry.
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

/** docker's registry lookup: the digest the registry holds for a tag, with the provider's credentials. */
const registryImage: FakeCall = ({ inputs, provider, world }) => {
  const reference = String(inputs["name"]);
  const host = registryHost(reference);
  const covered = credentialHosts(provider?.["registryAuth"]);
  if (!world.registryLogins.has(host) && !covered.includes(host)) throw unauthorized(host);
  const digest = world.registryImages.get(reference);
  if (digest === undefined) {
    throw providerError(
      `Got error when attempting to fetch image version ${reference} from registry: 404 Not Found: MANIFEST_UNKNOWN: manifest unknown`,
    );
  }
  return { id: digest, name: reference, sha256Digest: digest };
};

export const appImagesFakes: Fakes = {
  source: "infra/app-images.mock.ts",
  resources: { "docker-build:index:Image": image },
  calls: { "docker:index/getRegistryImage:getRegistryImage": registryImage },
};
