import { environments } from "../../environments/environments";
import type { AppDefinition } from "../app-definition";
import { apps } from "../catalog";
import { replaceDeployTimeValues } from "./deploy-time-values";
import { valueAt } from "../../lib/values";
import type { KubeObject } from "./kube-object";
import {
  checksumSources,
  configChecksumAnnotation,
  secretChecksumAnnotation,
  withRolloutChecksums,
} from "./rollout-checksums";
import { appObjects } from "./workload-objects";

const sha256Hex = /^[a-f0-9]{64}$/;
const { acceptance } = environments;
const values = {
  "mysql.host": "mysql.example.com",
  "mysql.main-api.password": "s3cret",
  "redis.host": "redis.example.com",
  "identity.main-api.clientId": "client",
  "identity.main-api.principalId": "principal",
};

const templatePaths: Readonly<Record<string, readonly string[]>> = {
  Deployment: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** The annotations of every pod template, by workload kind and name. */
function checksums(objects: readonly KubeObject[]): Record<string, Record<string, string> | undefined> {
  return Object.fromEntries(
    objects.flatMap((object) => {
      const path = templatePaths[object.kind];
      if (path === undefined) return [];
      const annotations = valueAt(object, [...path, "metadata", "annotations"]) as
        Record<string, string> | undefined;
      return [[`${object.kind}/${object.metadata.name}`, annotations]];
    }),
  );
}

/** main-api's objects with the deploy-time values filled in, as they reach the cluster. */
const resolved = (app: AppDefinition) =>
  withRolloutChecksums(replaceDeployTimeValues(appObjects(app, acceptance, { tag: "1.5.0" }), values));

describe("withRolloutChecksums", () => {
  const mainApi = apps["main-api"];
  const base = checksums(resolved(mainApi));

  it("annotates every Deployment and CronJob pod template with the sha256 of its ConfigMap and Secret", () => {
    expect(Object.keys(base).sort()).toEqual([
      "CronJob/main-api-scheduler",
      "Deployment/main-api",
      "Deployment/main-api-queue",
      "Job/main-api-migrate-1-5-0",
    ]);
    for (const workload of [
      "CronJob/main-api-scheduler",
      "Deployment/main-api",
      "Deployment/main-api-queue",
    ]) {
      expect(base[workload]?.[configChecksumAnnotation]).toMatch(sha256Hex);
      expect(base[workload]?.[secretChecksumAnnotation]).toMatch(sha256Hex);
      expect(base[workload]?.[configChecksumAnnotation]).not.toBe(base[workload]?.[secretChecksumAnnotation]);
    }
  });

  it("leaves the migration Job's immutable template alone", () => {
    expect(base["Job/main-api-migrate-1-5-0"]).toBeUndefined();
  });

  it("changes the config checksum, and only it, when a ConfigMap value changes", () => {
    const changed = checksums(
      resolved({ ...mainApi, settings: { ...mainApi.settings, LOG_CHANNEL: "syslog" } }),
    );
    expect(changed["Deployment/main-api"]?.[configChecksumAnnotation]).not.toBe(
      base["Deployment/main-api"]?.[configChecksumAnnotation],
    );
    expect(changed["Deployment/main-api"]?.[secretChecksumAnnotation]).toBe(
      base["Deployment/main-api"]?.[secretChecksumAnnotation],
    );
  });

  it("changes the secret checksum when a secret value changes", () => {
    const rotated = withRolloutChecksums(
      replaceDeployTimeValues(appObjects(mainApi, acceptance, { tag: "1.5.0" }), {
        ...values,
        "mysql.main-api.password": "rotated",
      }),
    );
    const changed = checksums(rotated);
    expect(changed["Deployment/main-api"]?.[secretChecksumAnnotation]).not.toBe(
      base["Deployment/main-api"]?.[secretChecksumAnnotation],
    );
    expect(changed["Deployment/main-api"]?.[configChecksumAnnotation]).toBe(
      base["Deployment/main-api"]?.[configChecksumAnnotation],
    );
  });

  it("keeps every checksum when only replicas change", () => {
    const scaled = checksums(
      resolved({
        ...mainApi,
        replicas: { default: 5, production: 7 },
        workers: mainApi.workers?.map((worker) => ({
          ...worker,
          replicas: { default: 4, production: 8 },
        })),
      }),
    );
    expect(scaled).toEqual(base);
  });

  it("hashes data, not the order its keys were written in", () => {
    const objects = resolved(mainApi);
    const reordered = objects.map((object) =>
      object.kind === "ConfigMap"
        ? { ...object, data: Object.fromEntries(Object.entries(object.data as object).reverse()) }
        : object,
    );
    expect(checksums(withRolloutChecksums(reordered))).toEqual(base);
  });

  it("writes a deploy-time token while the ConfigMap or Secret still holds tokens", () => {
    const annotations = checksums(withRolloutChecksums(appObjects(mainApi, acceptance, { tag: "1.5.0" })))[
      "Deployment/main-api"
    ];
    expect(annotations?.[secretChecksumAnnotation]).toBe(
      "(known after deploy: checksum of main-api-secrets)",
    );
    // The ConfigMap names the cache's host and the identity's object id, known after deploy too.
    expect(annotations?.[configChecksumAnnotation]).toBe("(known after deploy: checksum of main-api-config)");
  });

  it("adds no secret checksum to a pod that reads no Secret", () => {
    const plain: AppDefinition = { ...apps["customer-api"], uses: { mysql: false, redis: false } };
    const annotations = checksums(withRolloutChecksums(appObjects(plain, acceptance, { tag: "1.0.0" })))[
      "Deployment/customer-api"
    ];
    expect(Object.keys(annotations ?? {})).toEqual([configChecksumAnnotation]);
  });

  it("fails when a pod reads a ConfigMap that is not rendered", () => {
    const objects = appObjects(mainApi, acceptance, { tag: "1.5.0" }).filter(
      (object) => object.kind !== "ConfigMap",
    );
    expect(() => withRolloutChecksums(objects)).toThrow(
      "Deployment main-api reads ConfigMap main-api-config, which is not rendered",
    );
  });

  it("does not change its input", () => {
    const objects = appObjects(mainApi, acceptance, { tag: "1.5.0" });
    const before = structuredClone(objects);
    withRolloutChecksums(objects);
    expect(objects).toEqual(before);
  });
});

describe("checksumSources", () => {
  const configMap = (name: string, labels: Record<string, string> = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "apps", labels },
    data: { A: "1" },
  });
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "apps", labels: { "app.kubernetes.io/name": "web" } },
    spec: {
      template: {
        spec: { containers: [{ name: "web", envFrom: [{ configMapRef: { name: "shared-settings" } }] }] },
      },
    },
  };

  it("are what the pods read through envFrom, labelled or not, and nothing they do not read", () => {
    const objects = [
      configMap("shared-settings"),
      configMap("web-config", { "app.kubernetes.io/name": "web" }),
    ];
    expect(checksumSources(deployment, objects).map((object) => object.metadata.name)).toEqual([
      "shared-settings",
    ]);
  });

  it("are none for an object without checksummed pods, and an error for a source not rendered", () => {
    expect(checksumSources(configMap("shared-settings"), [])).toEqual([]);
    expect(() => checksumSources(deployment, [])).toThrow(
      "Deployment web reads ConfigMap shared-settings, which is not rendered",
    );
  });
});

test("the sources are looked up, not scanned for: the objects are read a bounded number of times per object, whatever the number of apps", () => {
  const many = Array.from({ length: 40 }, (_, index) =>
    appObjects({ ...apps["main-api"], name: `app-${index}` }, acceptance, { tag: "1.5.0" }),
  ).flat();
  let reads = 0;
  const counted = new Proxy(many, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  withRolloutChecksums(counted);
  for (const object of counted) checksumSources(object, counted);
  // Before: a scan of every object per envFrom reference, about 3 × 40 × 40 × 13 reads.
  expect(reads).toBeLessThanOrEqual(4 * many.length);
});
