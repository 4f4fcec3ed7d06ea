// An acceptance environment as the repository's Pulumi.acceptance.yaml deploys it (main-api 1.4.0
// with its queue worker, web 2.0.1, customer-api 0.9.3), seen through the fake API server: the
// all-green state, and the stack outputs that pin its digests.
import { digest } from "./stack-file-example";
import { deploymentObject, jobObject, podObject, registry } from "./kubernetes-api-fixtures";
import type { KubeState } from "./kubernetes-api-server";

/** The deployed apps, their tags and the digests the stack outputs pin. */
export const deployedApps = {
  "main-api": { tag: "1.4.0", digest: digest("a1") },
  web: { tag: "2.0.1", digest: digest("b2") },
  "customer-api": { tag: "0.9.3", digest: digest("c3") },
} as const;

export type DeployedApp = keyof typeof deployedApps;

/** The reference the pods' spec names: `<registry>/<app>:<tag>@<digest>`. */
export const imageOf = (app: DeployedApp, pinned: string = deployedApps[app].digest): string =>
  `${registry}/${app}:${deployedApps[app].tag}@${pinned}`;

/** containerd's imageID of a pod that pulled `<registry>/<app>@<digest>` (its repository digest). */
export const imageIdOf = (app: DeployedApp, pinned: string = deployedApps[app].digest): string =>
  `${registry}/${app}@${pinned}`;

/** `pulumi stack output --json --stack acceptance` of that deploy. */
export function acceptanceOutputs(): string {
  const images = Object.fromEntries(
    Object.entries(deployedApps).map(([app, { tag, digest: pinned }]) => [
      app,
      { tag, digest: pinned, image: imageOf(app as DeployedApp) },
    ]),
  );
  return `${JSON.stringify({ environmentName: "acceptance", images, kubeconfig: "[secret]" }, null, 2)}\n`;
}

/** The Deployments of the environment: each app's web workload, and main-api's queue worker. */
export const workloads: readonly { app: DeployedApp; name: string }[] = [
  { app: "main-api", name: "main-api" },
  { app: "main-api", name: "main-api-queue" },
  { app: "web", name: "web" },
  { app: "customer-api", name: "customer-api" },
];

/** The deep health answer of an app whose data paths work. */
export function deepHealthy(app: DeployedApp): string {
  const checks = {
    ...(app !== "web" ? { mysql: { ok: true, user: `${app.replace(/-/g, "_")}@%`, tls: "TLSv1.3" } } : {}),
    ...(app !== "customer-api" ? { redis: { ok: true, user: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" } } : {}),
  };
  return JSON.stringify({ status: "ok", app, checks });
}

/** The environment with every check passing. */
export function greenState(): KubeState {
  return {
    deployments: workloads.map(({ app, name }) =>
      deploymentObject(app, name, imageOf(app), { kind: "complete", replicas: 1 }),
    ),
    pods: workloads.map(({ app, name }) =>
      podObject(app, name, imageOf(app), 0, { kind: "running", imageID: imageIdOf(app) }),
    ),
    jobs: [
      jobObject("main-api", "apps", "main-api-migrate-1-4-0", { kind: "complete" }),
      jobObject("customer-api", "apps", "customer-api-migrate-0-9-3", { kind: "complete" }),
      jobObject("mysql-users", "mysql-users", "mysql-users", { kind: "complete" }),
    ],
    proxy: Object.fromEntries(
      (Object.keys(deployedApps) as DeployedApp[]).flatMap((app) => [
        [`apps/${app}:http/health/ready`, { status: 200, body: '{"status":"ready"}' }],
        [`apps/${app}:http/health/deep`, { status: 200, body: deepHealthy(app) }],
      ]),
    ),
  };
}
