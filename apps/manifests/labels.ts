import type { KubeObject } from "./kube-object";
/** What a workload of an app does: serve HTTP, work a queue, run on a schedule, migrate once. */
export type Component = "web" | "worker" | "cron" | "migrate";

/** The labels every object of the platform carries. */
export function platformLabels(): Record<string, string> {
  return { "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/managed-by": "pulumi" };
}

/** The labels of an app's objects that belong to no one workload (its ConfigMap, its policies). */
export function appLabels(app: string): Record<string, string> {
  return { "app.kubernetes.io/name": app, ...platformLabels() };
}

/**
 * The labels that pick the pods of one workload (`main-api`, `main-api-queue`). They never change
 * over the workload's life: a Deployment's selector cannot change in place.
 */
export function selectorLabels(app: string, workload: string): Record<string, string> {
  return { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": workload };
}

/** The labels of a workload, of its pods and of the objects that serve it. */
export function workloadLabels(app: string, workload: string, component: Component): Record<string, string> {
  return { ...selectorLabels(app, workload), "app.kubernetes.io/component": component, ...platformLabels() };
}

/**
 * A namespace held to the `restricted` pod security level (enforced, audited and warned), with
 * the platform's labels and its environment.
 */
export function restrictedNamespace(name: string, environment: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...platformLabels(),
        "platform/environment": environment,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    },
  };
}
