// Validates Kubernetes objects against the Kubernetes OpenAPI schemas, offline, with
// kubernetes-models: reads a JSON list of objects on stdin, prints a JSON list of
// { kind, name, problem }, empty when every object is valid. Run by node (which strips the types):
// kubernetes-models ships only ES modules, which the tests' CommonJS jest setup cannot load.
import { readFileSync } from "node:fs";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";

interface Model {
  readonly apiVersion: string;
  readonly kind: string;
}

type Validated = new (data: unknown) => { validate(): void };

/** The model of every apiVersion and kind the platform renders; any other kind is a problem. */
const models = new Map<string, Model>(
  [
    ClusterIssuer,
    ConfigMap,
    CronJob,
    Deployment,
    HorizontalPodAutoscaler,
    Ingress,
    Job,
    Namespace,
    NetworkPolicy,
    PodDisruptionBudget,
    Secret,
    Service,
    ServiceAccount,
  ].map((model) => [`${model.apiVersion}/${model.kind}`, model]),
);

interface Candidate {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
}

function problemOf(object: Candidate): string | undefined {
  const model = models.get(`${object.apiVersion}/${object.kind}`);
  if (model === undefined) return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new (model as unknown as Validated)(object).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const objects = JSON.parse(readFileSync(0, "utf8")) as Candidate[];
const problems = objects.flatMap((object) => {
  const problem = problemOf(object);
  return problem === undefined ? [] : [{ kind: object.kind, name: object.metadata?.name, problem }];
});
process.stdout.write(JSON.stringify(problems));
