import type { EnvironmentSettings } from "../../environments/settings";
import { compareText } from "../../lib/values";
import { publicHostOf, type AppDefinition } from "../app-definition";
import { apps } from "../catalog";
import { persistentNames } from "../persistent-names";
import { clusterIssuer } from "./certificates";
import { deployTimeValue, replaceDeployTimeValues } from "./deploy-time-values";
import type { ImageVersion, ImageVersions } from "../image-reference";
import { transformImages, type ImageEntry } from "./image-transformer";
import { appsNamespace, type KubeObject } from "./kube-object";
import { restrictedNamespace } from "./labels";
import { mysqlUsersObjects } from "./mysql-users";
import { acmeSolverPolicy, namespacePolicies } from "./network-policies";
import { isRolloutChecksum, withRolloutChecksums } from "./rollout-checksums";
import { appObjects } from "./workload-objects";

export type { KubeObject } from "./kube-object";
export { deployTimeValue } from "./deploy-time-values";
export { withRolloutChecksums } from "./rollout-checksums";
export { appObjects } from "./workload-objects";

/**
 * The `apps` namespace, held to the `restricted` pod security level, and its baseline network
 * policies: nothing in or out of any pod but DNS, until an app's own policies open more.
 */
export function namespaceObjects(environment: EnvironmentSettings): KubeObject[] {
  return [restrictedNamespace(appsNamespace, environment.name), ...namespacePolicies()];
}

/**
 * What gets the public hosts their certificates, when the environment has any: the ACME
 * ClusterIssuer that the Ingresses name, and the policy that lets its HTTP-01 solver be reached.
 */
export function certificateObjects(environment: EnvironmentSettings): KubeObject[] {
  return [clusterIssuer(environment), acmeSolverPolicy()];
}

/**
 * The `images:` entry that pins an app to its release in the registry: `tag@digest`. Without a
 * digest in the stack config (the environment builds the image), the digest is the deploy-time
 * value `image.<app>.digest`, learnt from the push.
 */
export function imageEntry(
  app: string,
  version: ImageVersion,
  registryLoginServer: string,
  repository: string = app,
): ImageEntry {
  return {
    name: app,
    newName: `${registryLoginServer}/${repository}`,
    newTag: version.tag,
    digest: version.digest ?? deployTimeValue(`image.${app}.digest`),
  };
}

/** The order objects are listed and applied in: what others depend on comes first. */
const kindOrder = [
  "Namespace",
  "NetworkPolicy",
  "ServiceAccount",
  "ConfigMap",
  "Secret",
  "Service",
  "Job",
  "Deployment",
  "CronJob",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "ClusterIssuer",
  "Ingress",
];

const kindRank = (kind: string): number => {
  const rank = kindOrder.indexOf(kind);
  return rank < 0 ? kindOrder.length : rank;
};

/** Sorts objects by kind (in {@link kindOrder}), then by kind name, namespace and name. */
export function sortObjects(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) =>
      kindRank(a.kind) - kindRank(b.kind) ||
      compareText(a.kind, b.kind) ||
      compareText(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
      compareText(a.metadata.name, b.metadata.name),
  );
}

/** What an environment's objects are made of: its settings and the image versions it runs (a `StackConfig` is one). */
export interface EnvironmentImages {
  readonly environment: EnvironmentSettings;
  readonly images: ImageVersions;
}

/**
 * Every Kubernetes object of an environment, as `kubectl apply` would take them: the namespace,
 * the certificate issuer when a deployed app has a public host, the Job that creates a MySQL user
 * per app of the catalog that uses MySQL (deployed or not, like the databases), then each app that
 * has an entry in `platform:images` (the others are not deployed), with images pinned to the
 * registry and rollout checksums on the pod templates, in a stable order.
 * Deploy-time values are still tokens: {@link resolveDeployTimeValues} fills them in.
 *
 * @param catalog the apps that may be deployed; the benchmark passes a synthetic one.
 */
export function environmentObjects(
  config: EnvironmentImages,
  registryLoginServer: string,
  catalog: Readonly<Record<string, AppDefinition>> = apps,
): KubeObject[] {
  const { environment } = config;
  const deployed = Object.keys(catalog).flatMap((name) => {
    const version = config.images[name];
    return version === undefined ? [] : [{ app: catalog[name]!, version }];
  });
  const isPublic = deployed.some(({ app }) => publicHostOf(app, environment.name) !== undefined);
  const objects = [
    ...namespaceObjects(environment),
    ...(isPublic ? certificateObjects(environment) : []),
    ...mysqlUsersObjects(catalog, environment, registryLoginServer),
    ...deployed.flatMap(({ app, version }) => appObjects(app, environment, version)),
  ];
  const entries = deployed.map(({ app, version }) =>
    imageEntry(app.name, version, registryLoginServer, persistentNames(app).imageRepository),
  );
  return sortObjects(withRolloutChecksums(transformImages(objects, entries)));
}

/**
 * Fills in the deploy-time values, also inside longer strings (`repo:1.0@<digest>`), then
 * computes the rollout checksums that waited for them. The result holds secrets in plaintext:
 * it is for the cluster, never for a log or a terminal.
 *
 * @param values by name: `mysql.host`, `mysql.admin.username`, `mysql.admin.password`,
 *   `mysql.<app>.password`, `redis.host`, `identity.<app>.clientId`, `identity.<app>.principalId`,
 *   `image.<app>.digest`.
 * @throws MissingDeployTimeValueError naming every token that has no value.
 */
export function resolveDeployTimeValues(
  objects: readonly KubeObject[],
  values: Readonly<Record<string, string>>,
): KubeObject[] {
  return withRolloutChecksums(replaceDeployTimeValues(objects, values, isRolloutChecksum));
}
