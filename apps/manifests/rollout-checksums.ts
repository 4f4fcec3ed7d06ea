import { createHash } from "node:crypto";
import { deployTimeValue, deployTimeValueNames } from "./deploy-time-values";
import { isRecord, valueAt } from "../../lib/values";
import { clonePlain, type KubeObject } from "./kube-object";
import { rerunOnSecretChangeAnnotation } from "./mysql-users";

/** Pod template annotation: the checksum of the ConfigMaps the pod reads through `envFrom`. */
export const configChecksumAnnotation = "platform/config-checksum";

/** Pod template annotation: the checksum of the Secrets the pod reads through `envFrom`. */
export const secretChecksumAnnotation = "platform/secret-checksum";

const checksumPrefix = "checksum of ";

/** Whether a deploy-time value is a rollout checksum, computed from other values rather than given. */
export function isRolloutChecksum(name: string): boolean {
  return name.startsWith(checksumPrefix);
}

/**
 * Where each kind keeps the pod template whose change rolls its pods. Jobs are left out on
 * purpose: their template is immutable, and a migration must not rerun because a setting moved;
 * only a Job annotated {@link rerunOnSecretChangeAnnotation} gets checksums (and so reruns).
 */
const podTemplatePaths: Readonly<Record<string, readonly string[]>> = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** A Job that opts in with {@link rerunOnSecretChangeAnnotation} reruns when its data changes. */
const jobTemplatePath = ["spec", "template"];

const annotations = [
  { annotation: configChecksumAnnotation, kind: "ConfigMap", reference: "configMapRef" },
  { annotation: secretChecksumAnnotation, kind: "Secret", reference: "secretRef" },
] as const;

/**
 * Annotates every pod template with the sha256 of the data of the ConfigMaps and Secrets its
 * containers read through `envFrom`, so that a change of config or secret rolls the pods and
 * nothing else does. While that data still holds a deploy-time token, the annotation is the
 * token `(known after deploy: checksum of <names>)` instead of a hash. Returns new objects.
 *
 * @throws Error when a pod reads a ConfigMap or Secret that is not among `objects`.
 */
export function withRolloutChecksums(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((object) => {
    const copy = clonePlain(object);
    const template = podTemplateOf(copy);
    if (template === undefined) return copy;

    const metadata: Record<string, unknown> = isRecord(template.metadata) ? template.metadata : {};
    const templateAnnotations: Record<string, unknown> = isRecord(metadata.annotations)
      ? metadata.annotations
      : {};
    for (const { annotation, kind, reference } of annotations) {
      const read = readThroughEnvFrom(object, template, objects, kind, reference);
      const names = read.map((source) => source.metadata.name);
      const data = read.map((source) => ({
        data: source.data,
        binaryData: source.binaryData,
        stringData: source.stringData,
      }));
      if (names.length === 0) delete templateAnnotations[annotation];
      else if (deployTimeValueNames(data).length > 0) {
        templateAnnotations[annotation] = deployTimeValue(`${checksumPrefix}${names.join(", ")}`);
      } else {
        templateAnnotations[annotation] = createHash("sha256").update(canonicalJson(data)).digest("hex");
      }
    }
    if (Object.keys(templateAnnotations).length > 0) metadata.annotations = templateAnnotations;
    else delete metadata.annotations;
    template.metadata = metadata;
    return copy;
  });
}

/**
 * The ConfigMaps and Secrets whose data an object's rollout checksums hash: those its pods read
 * through `envFrom`. The one definition, for the checksums and for the deploy, which resolves
 * their deploy-time values to compute them. Empty for an object without checksummed pods.
 *
 * @throws Error when a pod reads a ConfigMap or Secret that is not among `objects`.
 */
export function checksumSources(object: KubeObject, objects: readonly KubeObject[]): KubeObject[] {
  const template = podTemplateOf(object);
  if (template === undefined) return [];
  return annotations.flatMap(({ kind, reference }) =>
    readThroughEnvFrom(object, template, objects, kind, reference),
  );
}

/** The pod template whose change rolls the object's pods, if it has one that gets checksums. */
function podTemplateOf(object: KubeObject): Record<string, unknown> | undefined {
  const path =
    podTemplatePaths[object.kind] ??
    (object.kind === "Job" && object.metadata.annotations?.[rerunOnSecretChangeAnnotation] === "true"
      ? jobTemplatePath
      : undefined);
  const template = path === undefined ? undefined : valueAt(object, path);
  return isRecord(template) ? template : undefined;
}

/** The ConfigMaps and Secrets of a list of objects by `kind namespace/name`, the first of each, built once per list. */
const sourceIndexes = new WeakMap<readonly KubeObject[], ReadonlyMap<string, KubeObject>>();

const sourceKey = (kind: string, namespace: string | undefined, name: string) =>
  JSON.stringify([kind, namespace ?? null, name]);

/**
 * The index of `objects`: a lookup per pod template that reads a source, instead of a scan of
 * every object, which made the checksums quadratic in the number of apps.
 */
function sourceIndex(objects: readonly KubeObject[]): ReadonlyMap<string, KubeObject> {
  let index = sourceIndexes.get(objects);
  if (index === undefined) {
    const built = new Map<string, KubeObject>();
    for (const object of objects) {
      if (object.kind !== "ConfigMap" && object.kind !== "Secret") continue;
      const key = sourceKey(object.kind, object.metadata.namespace, object.metadata.name);
      if (!built.has(key)) built.set(key, object);
    }
    index = built;
    sourceIndexes.set(objects, index);
  }
  return index;
}

/** The objects of `kind` a pod template reads through `envFrom`, in its namespace, in order. */
function readThroughEnvFrom(
  object: KubeObject,
  template: Record<string, unknown>,
  objects: readonly KubeObject[],
  kind: "ConfigMap" | "Secret",
  reference: "configMapRef" | "secretRef",
): KubeObject[] {
  const index = sourceIndex(objects);
  return envFromNames(template, reference).map((name) => {
    const source = index.get(sourceKey(kind, object.metadata.namespace, name));
    if (source === undefined) {
      throw new Error(`${object.kind} ${object.metadata.name} reads ${kind} ${name}, which is not rendered`);
    }
    return source;
  });
}

/** The names a pod template's containers reference through `envFrom[].<reference>`, in order, once each. */
function envFromNames(template: Record<string, unknown>, reference: "configMapRef" | "secretRef"): string[] {
  const containers = ["initContainers", "containers"].flatMap((field) => {
    const list = valueAt(template, ["spec", field]);
    return Array.isArray(list) ? (list as unknown[]) : [];
  });
  const names = containers.flatMap((container) => {
    const envFrom = valueAt(container, ["envFrom"]);
    return (Array.isArray(envFrom) ? (envFrom as unknown[]) : [])
      .map((source) => valueAt(source, [reference, "name"]))
      .filter((name): name is string => typeof name === "string");
  });
  return [...new Set(names)];
}

/** JSON with map keys sorted, so that equal data hashes equal whatever order it was built in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
