// Submodules, not the package root: the root loads every API group (about 50 ms more per run).
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as autoscalingv2 from "@pulumi/kubernetes/autoscaling/v2";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as policyv1 from "@pulumi/kubernetes/policy/v1";
import * as pulumi from "@pulumi/pulumi";
import { deployTimeValueNames } from "../apps/manifests/deploy-time-values";
import type { KubeObject } from "../apps/manifests/kube-object";
import { resolveDeployTimeValues, sortObjects } from "../apps/manifests/environment-objects";
import { waitsForJobAnnotation } from "../apps/manifests/mysql-users";
import { checksumSources, isRolloutChecksum } from "../apps/manifests/rollout-checksums";

/** Arguments of {@link AppWorkloads}. */
export interface AppWorkloadsArgs {
  /**
   * The environment's Kubernetes objects, exactly as `platform render` prints them: values known
   * only after deployment are `(known after deploy: …)` tokens.
   */
  readonly objects: readonly KubeObject[];
  /** The value of every deploy-time token the objects hold, by token name. */
  readonly deployTimeValues: Readonly<Record<string, pulumi.Input<string>>>;
  /** What the workloads need before they start: the registry pull permission, the node pool. */
  readonly waitFor?: readonly pulumi.Resource[];
  /** What custom resources (the ClusterIssuer) wait for: the release that installs their CRDs and webhook. */
  readonly customResourcesWaitFor?: readonly pulumi.Resource[];
}

/** Any `@pulumi/kubernetes` resource class: each takes its own args type, checked by the manifests' tests. */
type ResourceClass = new (
  name: string,
  args: never,
  opts: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;

/** cert-manager's ClusterIssuer: a CustomResource that knows its apiVersion and kind, like the typed classes. */
class ClusterIssuer extends CustomResource {
  constructor(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super(name, { ...args, apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer" }, opts);
  }
}

/** The custom resources the manifests produce, by `apiVersion/kind`. */
const customClasses: Readonly<Record<string, ResourceClass>> = {
  "cert-manager.io/v1/ClusterIssuer": ClusterIssuer,
};

/** The `@pulumi/kubernetes` class of each kind the manifests produce. */
const classes: Readonly<Record<string, ResourceClass>> = {
  "v1/Namespace": corev1.Namespace,
  "v1/ServiceAccount": corev1.ServiceAccount,
  "v1/ConfigMap": corev1.ConfigMap,
  "v1/Secret": corev1.Secret,
  "v1/Service": corev1.Service,
  "networking.k8s.io/v1/NetworkPolicy": networkingv1.NetworkPolicy,
  "networking.k8s.io/v1/Ingress": networkingv1.Ingress,
  "batch/v1/Job": batchv1.Job,
  "batch/v1/CronJob": batchv1.CronJob,
  "apps/v1/Deployment": appsv1.Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": autoscalingv2.HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": policyv1.PodDisruptionBudget,
};

/** Kinds that start pods, and the kinds those pods need to exist first. */
const podKinds = ["Job", "Deployment", "CronJob"];
const prerequisiteKinds = ["NetworkPolicy", "ServiceAccount", "ConfigMap", "Secret"];

const appOf = (object: KubeObject): string | undefined => object.metadata.labels?.["app.kubernetes.io/name"];

/** The Job (`<namespace>/<name>`) an object waits for, by its {@link waitsForJobAnnotation}. */
const awaitedJob = (object: KubeObject): string | undefined =>
  object.metadata.annotations?.[waitsForJobAnnotation];

/**
 * The apps' Kubernetes objects as resources of the cluster's provider (passed in `opts.providers`).
 * Each object becomes one resource named after it. Tokens are resolved per object, so an object
 * waits only for the values it holds, and only Secrets carry secret values: the rest stay
 * readable in a preview.
 */
export class AppWorkloads extends pulumi.ComponentResource {
  constructor(name: string, args: AppWorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:apps:AppWorkloads", name, {}, opts);
    const namespaces = new Map<string, pulumi.Resource>();
    const migrations = new Map<string, pulumi.Resource>();
    // What pods need before they start: their settings, secrets, service account and network
    // policies (the namespace's and their app's). Sorting by kind puts these before the workloads,
    // whatever order the objects come in.
    const prerequisites: { readonly app?: string; readonly resource: pulumi.Resource }[] = [];
    // Jobs by `<namespace>/<name>`, for the workloads that wait for one to complete.
    const jobs = new Map<string, pulumi.Resource>();

    // What waits for a Job comes after everything else (keeping its order), so that the Job exists.
    const sorted = sortObjects(args.objects);
    const ordered = [
      ...sorted.filter((object) => awaitedJob(object) === undefined),
      ...sorted.filter((object) => awaitedJob(object) !== undefined),
    ];
    for (const object of ordered) {
      const type = `${object.apiVersion}/${object.kind}`;
      const custom = type in customClasses;
      const ResourceClass = classes[type] ?? customClasses[type];
      if (!ResourceClass) throw new Error(`${name}: no resource class for ${type} ${object.metadata.name}`);

      const namespace = object.metadata.namespace;
      const app = appOf(object);
      const runsPods = podKinds.includes(object.kind);
      const dependsOn = [
        ...(object.kind === "Namespace" ? (args.waitFor ?? []) : []),
        ...(custom ? (args.customResourcesWaitFor ?? []) : []),
        ...(namespace && namespaces.has(namespace) ? [namespaces.get(namespace)!] : []),
        ...(runsPods
          ? prerequisites.filter((p) => p.app === undefined || p.app === app).map((p) => p.resource)
          : []),
        // A release's migration runs to completion before its new pods roll out.
        ...(app && migrations.has(app) && object.kind !== "Job" ? [migrations.get(app)!] : []),
        ...this.awaited(object, jobs, name),
      ];
      const resource = new ResourceClass(object.metadata.name, this.inputs(object, args) as never, {
        parent: this,
        dependsOn,
      });

      if (object.kind === "Namespace") namespaces.set(object.metadata.name, resource);
      if (object.kind === "Job" && app) migrations.set(app, resource);
      if (object.kind === "Job") jobs.set(`${namespace ?? ""}/${object.metadata.name}`, resource);
      if (prerequisiteKinds.includes(object.kind)) prerequisites.push({ app, resource });
    }
    this.registerOutputs({});
  }

  /** The Job an object waits for, as a dependency; a Job that is not among the objects is an error. */
  private awaited(
    object: KubeObject,
    jobs: ReadonlyMap<string, pulumi.Resource>,
    name: string,
  ): pulumi.Resource[] {
    const job = awaitedJob(object);
    if (job === undefined) return [];
    const resource = jobs.get(job);
    if (resource === undefined)
      throw new Error(
        `${name}: ${object.kind} ${object.metadata.name} waits for Job ${job}, which is not among the objects`,
      );
    return [resource];
  }

  /** The object's fields as resource inputs, with its deploy-time tokens resolved. */
  private inputs(object: KubeObject, args: AppWorkloadsArgs): Record<string, unknown> {
    const { apiVersion: _apiVersion, kind: _kind, ...fields } = object;
    const own = deployTimeValueNames(object);
    if (own.length === 0) return fields;
    // A rollout checksum hashes the data of the ConfigMaps and Secrets the pods read: resolve those too.
    const sources = own.some(isRolloutChecksum) ? checksumSources(object, args.objects) : [];
    const names = deployTimeValueNames([object, ...sources]).filter((token) => !isRolloutChecksum(token));

    const values: Record<string, pulumi.Input<string>> = {};
    for (const token of names) {
      const value = args.deployTimeValues[token];
      if (value === undefined)
        throw new Error(`no deploy-time value for '${token}' (in ${object.kind} ${object.metadata.name})`);
      values[token] = value;
    }
    const resolved: pulumi.Output<Record<string, unknown>> = pulumi
      .all(values)
      .apply((known) => resolveDeployTimeValues([object, ...sources], known)[0]!);
    // Only a Secret's data is secret; elsewhere secret values appear as checksums, which reveal nothing.
    const visible = pulumi.unsecret<Record<string, unknown>>(resolved);
    const secretFields = object.kind === "Secret" ? ["data", "stringData"] : [];
    return Object.fromEntries(
      Object.keys(fields).map((key) => {
        const field = visible.apply((done) => done[key]);
        return [key, secretFields.includes(key) ? pulumi.secret(field) : field];
      }),
    );
  }
}
