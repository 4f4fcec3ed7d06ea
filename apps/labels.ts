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
