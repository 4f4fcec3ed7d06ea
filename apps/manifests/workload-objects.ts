import { createHash } from "node:crypto";
import { cacheContract } from "../../infra/redis-cache.contract";
import type { EnvironmentSettings } from "../../environments/settings";
import type { ImageVersion } from "../image-reference";
import { inEnvironment, publicHostOf, type AppDefinition, type ContainerResources } from "../app-definition";
import { persistentNames } from "../persistent-names";
import { clusterIssuerAnnotation, clusterIssuerName, ingressClassName } from "./certificates";
import { deployTimeValue } from "./deploy-time-values";
import {
  appsNamespace,
  replaceUnreadyAnnotations,
  restrictedPodSecurityContext,
  runAsId,
  type KubeObject,
} from "./kube-object";
import { appLabels, selectorLabels, workloadLabels, type Component } from "./labels";
import {
  mysqlPasswordValue,
  mysqlUserName,
  mysqlUsersName,
  mysqlUsersNamespace,
  waitsForJobAnnotation,
} from "./mysql-users";
import { appPolicies, mysqlPort } from "./network-policies";
import { clientIdAnnotation, useWorkloadIdentityLabel } from "./workload-identity";

/** The name of the app's objects in the cluster, which a renamed app keeps (apps/persistent-names.ts). */
const kubernetesName = (app: AppDefinition): string => persistentNames(app).kubernetes;

export { ingressClassName } from "./certificates";

export { runAsId } from "./kube-object";

/** The Service port of every app: callers use `http://<app>`. */
export const servicePort = 80;

/** Longest name of an object whose name is also a label value (a Job's pods carry it). */
const maxNameLength = 63;

/**
 * The name of the Job that runs the migration of one release: `main-api-migrate-1-5-0`. It
 * changes with the tag, so that every release runs its migration once. A tag that yields no
 * DNS label, or a name too long, is shortened and made unique by a hash of the tag.
 */
export function migrationJobName(app: string, tag: string): string {
  const prefix = `${app}-migrate-`;
  const label = tag
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (label !== "" && prefix.length + label.length <= maxNameLength) return `${prefix}${label}`;
  const hash = createHash("sha256").update(tag).digest("hex").slice(0, 8);
  const room = maxNameLength - prefix.length - hash.length - 1;
  const kept = label.slice(0, Math.max(room, 0)).replace(/-+$/, "");
  return `${prefix}${kept === "" ? "" : `${kept}-`}${hash}`;
}

/** The ConfigMap `<app>-config`: the app's settings and the platform's, as environment variables. */
function configMap(app: AppDefinition, environment: EnvironmentSettings): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `${kubernetesName(app)}-config`,
      namespace: appsNamespace,
      labels: appLabels(kubernetesName(app)),
    },
    data: {
      ...app.settings,
      ...(app.uses.mysql
        ? {
            DB_CONNECTION: "mysql",
            DB_PORT: String(mysqlPort),
            // Azure requires TLS; the server's certificate chains to a root in the image's bundle.
            MYSQL_ATTR_SSL_CA: "/etc/ssl/certs/ca-certificates.crt",
          }
        : {}),
      // No key: the app signs in to Redis as its identity, with an Entra token as the password and
      // its identity's object id as the user name (docs/decisions/0014).
      ...(app.uses.redis
        ? {
            REDIS_SCHEME: cacheContract.scheme,
            REDIS_CLIENT: "phpredis",
            REDIS_HOST: deployTimeValue("redis.host"),
            REDIS_PORT: String(cacheContract.port),
            REDIS_USERNAME: deployTimeValue(`identity.${app.name}.principalId`),
          }
        : {}),
      APP_ENV: environment.name,
    },
  };
}

const usesSecrets = (app: AppDefinition): boolean => app.uses.mysql;

/**
 * The Secret `<app>-secrets`: how to reach the app's database as its own MySQL user, with
 * Laravel's names. Never the administrator's credentials.
 */
function secret(app: AppDefinition): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `${kubernetesName(app)}-secrets`,
      namespace: appsNamespace,
      labels: appLabels(kubernetesName(app)),
    },
    type: "Opaque",
    stringData: {
      ...(app.uses.mysql
        ? {
            DB_HOST: deployTimeValue("mysql.host"),
            DB_DATABASE: persistentNames(app).database,
            DB_USERNAME: mysqlUserName(persistentNames(app).database),
            DB_PASSWORD: deployTimeValue(mysqlPasswordValue(app.name)),
          }
        : {}),
    },
  };
}

/** What one container of an app runs: the app's server, a worker, a task or the migration. */
interface Process {
  /** Absent: the image's own command, the HTTP server of the app. */
  readonly command?: readonly string[];
  readonly resources: ContainerResources;
  /** Listens on the app's port and has health probes. */
  readonly serves: boolean;
}

/** The labels of an app's pods: its workload's, and the switch that gives them the app's identity. */
function podLabels(labels: Record<string, string>): Record<string, string> {
  return { ...labels, [useWorkloadIdentityLabel]: "true" };
}

/** Workloads of an app that uses MySQL start only once the Job has created the app's MySQL user. */
function waitsForUsers(app: AppDefinition): { annotations?: Record<string, string> } {
  return app.uses.mysql
    ? { annotations: { [waitsForJobAnnotation]: `${mysqlUsersNamespace}/${mysqlUsersName}` } }
    : {};
}

function httpGet(app: AppDefinition, path: string) {
  return { httpGet: { path, port: app.port } };
}

/** The pod spec every workload of an app shares, hardened to the `restricted` pod security level. */
function podSpec(app: AppDefinition, run: Process): Record<string, unknown> {
  return {
    serviceAccountName: kubernetesName(app),
    automountServiceAccountToken: false,
    // Service links would add variables such as REDIS_PORT=tcp://... for every Service in the
    // namespace, shadowing the app's own settings.
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(runAsId),
    containers: [
      {
        name: kubernetesName(app),
        image: app.name,
        ...(run.command !== undefined ? { command: [...run.command] } : {}),
        ...(run.serves
          ? {
              ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }],
              // Liveness waits for the startup probe, so a slow first boot is not killed.
              startupProbe: { ...httpGet(app, app.health.liveness), periodSeconds: 2, failureThreshold: 30 },
              readinessProbe: {
                ...httpGet(app, app.health.readiness),
                periodSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: { ...httpGet(app, app.health.liveness), periodSeconds: 10, failureThreshold: 3 },
            }
          : {}),
        envFrom: [
          { configMapRef: { name: `${kubernetesName(app)}-config` } },
          ...(usesSecrets(app) ? [{ secretRef: { name: `${kubernetesName(app)}-secrets` } }] : []),
        ],
        resources: {
          requests: { cpu: run.resources.requests.cpu, memory: run.resources.requests.memory },
          limits: { memory: run.resources.limits.memory },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
    ],
    // The root file system is read-only; /tmp is the one writable place.
    volumes: [{ name: "tmp", emptyDir: {} }],
  };
}

function topologySpread(environment: EnvironmentSettings, selector: Record<string, string>) {
  // pod-template-hash: during a rollout, only the new ReplicaSet's pods count for the skew.
  const constraint = (topologyKey: string, whenUnsatisfiable: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: { ...selector } },
    matchLabelKeys: ["pod-template-hash"],
  });
  return [
    ...(environment.cluster.zones.length > 0
      ? [constraint("topology.kubernetes.io/zone", "DoNotSchedule")]
      : []),
    constraint("kubernetes.io/hostname", "ScheduleAnyway"),
  ];
}

function deployment(
  app: AppDefinition,
  environment: EnvironmentSettings,
  workload: { name: string; component: Component; replicas: number | undefined; process: Process },
): KubeObject {
  const labels = workloadLabels(kubernetesName(app), workload.name, workload.component);
  const selector = selectorLabels(kubernetesName(app), workload.name);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: workload.name, namespace: appsNamespace, labels, ...waitsForUsers(app) },
    spec: {
      ...(workload.replicas !== undefined ? { replicas: workload.replicas } : {}),
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
      template: {
        metadata: { labels: podLabels(labels) },
        spec: {
          ...podSpec(app, workload.process),
          topologySpreadConstraints: topologySpread(environment, selector),
        },
      },
    },
  };
}

/**
 * The objects of one app in one environment, before images are pinned: every container's image
 * is the app's logical name (`main-api`), for {@link transformImages} to resolve. Deploy-time
 * values (database host, passwords) are tokens, see {@link deployTimeValue}.
 *
 * @param version the release the environment runs; its tag names the migration Job.
 */
export function appObjects(
  app: AppDefinition,
  environment: EnvironmentSettings,
  version: ImageVersion,
): KubeObject[] {
  const env = environment.name;
  const autoscaling = app.autoscaling?.[env];
  const publicHost = publicHostOf(app, env);
  const webLabels = () => workloadLabels(kubernetesName(app), kubernetesName(app), "web");
  const webSelector = () => selectorLabels(kubernetesName(app), kubernetesName(app));
  const metadata = (name: string, labels: Record<string, string>) => ({
    name,
    namespace: appsNamespace,
    labels,
  });

  return [
    // The app's identity in Azure: the workload identity webhook gives its pods a token of the
    // managed identity federated to this account (no token of the Kubernetes API is mounted).
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        ...metadata(kubernetesName(app), appLabels(kubernetesName(app))),
        annotations: { [clientIdAnnotation]: deployTimeValue(`identity.${app.name}.clientId`) },
      },
      automountServiceAccountToken: false,
    },
    configMap(app, environment),
    ...(usesSecrets(app) ? [secret(app)] : []),
    // The autoscaler owns the replica count where there is one; a count here would fight it.
    deployment(app, environment, {
      name: kubernetesName(app),
      component: "web",
      replicas: autoscaling === undefined ? inEnvironment(app.replicas, env) : undefined,
      process: { resources: app.resources, serves: true },
    }),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(kubernetesName(app), webLabels()),
      spec: {
        type: "ClusterIP",
        selector: webSelector(),
        ports: [{ name: "http", port: servicePort, targetPort: app.port, protocol: "TCP" }],
      },
    },
    ...(publicHost !== undefined
      ? [
          {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            // cert-manager issues the certificate of the `tls` hosts into `<app>-tls` and renews it;
            // without it NGINX would serve its self-signed default certificate.
            metadata: {
              ...metadata(kubernetesName(app), webLabels()),
              annotations: { [clusterIssuerAnnotation]: clusterIssuerName },
            },
            spec: {
              ingressClassName,
              tls: [{ hosts: [publicHost], secretName: `${kubernetesName(app)}-tls` }],
              rules: [
                {
                  host: publicHost,
                  http: {
                    paths: [
                      {
                        path: "/",
                        pathType: "Prefix",
                        backend: { service: { name: kubernetesName(app), port: { number: servicePort } } },
                      },
                    ],
                  },
                },
              ],
            },
          },
        ]
      : []),
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: metadata(kubernetesName(app), webLabels()),
      spec: { maxUnavailable: 1, selector: { matchLabels: webSelector() } },
    },
    ...(autoscaling !== undefined
      ? [
          {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: metadata(kubernetesName(app), webLabels()),
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: kubernetesName(app) },
              minReplicas: autoscaling.minReplicas,
              maxReplicas: autoscaling.maxReplicas,
              metrics: [
                {
                  type: "Resource",
                  resource: {
                    name: "cpu",
                    target: { type: "Utilization", averageUtilization: autoscaling.targetCpuUtilization },
                  },
                },
              ],
            },
          },
        ]
      : []),
    ...appPolicies(app, environment),
    ...(app.workers ?? []).map((worker) =>
      deployment(app, environment, {
        name: `${kubernetesName(app)}-${worker.name}`,
        component: "worker",
        replicas: inEnvironment(worker.replicas, env),
        process: { command: worker.command, resources: worker.resources, serves: false },
      }),
    ),
    ...(app.schedules ?? []).map((task): KubeObject => {
      const name = `${kubernetesName(app)}-${task.name}`;
      const labels = () => workloadLabels(kubernetesName(app), name, "cron");
      return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { ...metadata(name, labels()), ...waitsForUsers(app) },
        spec: {
          schedule: task.schedule,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels: labels() },
            spec: {
              // The next scheduled run is the retry: with Forbid, retries would hold up the schedule.
              backoffLimit: 0,
              template: {
                metadata: { labels: podLabels(labels()) },
                spec: {
                  ...podSpec(app, { command: task.command, resources: task.resources, serves: false }),
                  restartPolicy: "Never",
                },
              },
            },
          },
        },
      };
    }),
    ...(app.migrate !== undefined ? [migrationJob(app, app.migrate, version)] : []),
  ];
}

/** The release's migration: once per tag, with the release's image, before the rollout. */
function migrationJob(app: AppDefinition, command: readonly string[], version: ImageVersion): KubeObject {
  const name = migrationJobName(kubernetesName(app), version.tag);
  const labels = () => workloadLabels(kubernetesName(app), name, "migrate");
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: appsNamespace,
      labels: labels(),
      annotations: { ...waitsForUsers(app).annotations, ...replaceUnreadyAnnotations },
    },
    spec: {
      backoffLimit: 1,
      activeDeadlineSeconds: 900,
      // No ttlSecondsAfterFinished: a Job deleted by the cluster would be recreated, and the
      // migration rerun, by the next deployment.
      template: {
        metadata: { labels: podLabels(labels()) },
        spec: {
          ...podSpec(app, { command, resources: app.resources, serves: false }),
          restartPolicy: "Never",
        },
      },
    },
  };
}
