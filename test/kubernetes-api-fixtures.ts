// Objects as the Kubernetes API server serves them (apps/v1 Deployment, v1 Pod, batch/v1 Job),
// with the fields a real cluster fills in: uids, resourceVersions, owner references, conditions
// with their timestamps, container statuses with containerd's imageID. Every object built here is
// checked against the Kubernetes OpenAPI schema (test/kubernetes-schema.ts) in
// cli/verify/kubernetes-api-fixtures.test.ts, so that the fake API server serves real shapes.
import { createHash } from "node:crypto";
import type { KubernetesObject } from "./kubernetes-schema";

const time = "2026-12-06T10:00:00Z";
const later = "2026-12-06T10:04:12Z";
const uid = (seed: string) => {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};
const hash = (seed: string) => createHash("sha256").update(seed).digest("hex").slice(0, 10);

/** The registry of the fixtures. */
export const registry = "crplatformshared.azurecr.io";

/** The selector labels of a workload (apps/manifests/labels.ts). */
const selector = (app: string, workload: string) => ({
  "app.kubernetes.io/name": app,
  "app.kubernetes.io/instance": workload,
});

/** How a Deployment's rollout stands. */
export type RolloutState =
  | { readonly kind: "complete"; readonly replicas: number }
  /** A new ReplicaSet whose pods never became available; the deadline has passed. */
  | { readonly kind: "deadline-exceeded"; readonly replicas: number }
  /** The controller has not yet seen the latest spec. */
  | { readonly kind: "not-observed"; readonly replicas: number };

/** A Deployment of the `apps` namespace, as `GET /apis/apps/v1/namespaces/apps/deployments/<name>` returns it. */
export function deploymentObject(
  app: string,
  name: string,
  image: string,
  state: RolloutState,
): KubernetesObject {
  const { replicas } = state;
  const generation = 3;
  const newReplicaSet = `${name}-${hash(`${name}${image}`)}`;
  const stuck = state.kind === "deadline-exceeded";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name,
      namespace: "apps",
      uid: uid(name),
      resourceVersion: "184467",
      generation,
      creationTimestamp: time,
      labels: { ...selector(app, name), "app.kubernetes.io/part-of": "platform" },
      annotations: { "deployment.kubernetes.io/revision": "3" },
    },
    spec: {
      replicas,
      selector: { matchLabels: selector(app, name) },
      template: {
        metadata: { labels: { ...selector(app, name), "azure.workload.identity/use": "true" } },
        spec: {
          containers: [
            {
              name: app,
              image,
              resources: {},
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
              imagePullPolicy: "IfNotPresent",
            },
          ],
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 30,
          dnsPolicy: "ClusterFirst",
          serviceAccountName: app,
          serviceAccount: app,
          securityContext: {},
          schedulerName: "default-scheduler",
        },
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: state.kind === "not-observed" ? generation - 1 : generation,
      // Stuck: the old pods keep serving (maxUnavailable 0); one new pod never becomes available.
      replicas: stuck ? replicas + 1 : replicas,
      updatedReplicas: stuck ? 1 : replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      ...(stuck ? { unavailableReplicas: 1 } : {}),
      conditions: [
        {
          type: "Available",
          status: "True",
          lastUpdateTime: time,
          lastTransitionTime: time,
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        },
        stuck
          ? {
              type: "Progressing",
              status: "False",
              lastUpdateTime: later,
              lastTransitionTime: later,
              reason: "ProgressDeadlineExceeded",
              message: `ReplicaSet "${newReplicaSet}" has timed out progressing.`,
            }
          : {
              type: "Progressing",
              status: "True",
              lastUpdateTime: later,
              lastTransitionTime: time,
              reason: "NewReplicaSetAvailable",
              message: `ReplicaSet "${newReplicaSet}" has successfully progressed.`,
            },
      ],
    },
  };
}

/** How a pod's container stands. */
export type ContainerState =
  /** Running the image whose repository digest is `imageID` (containerd: `<registry>/<repo>@sha256:…`). */
  | { readonly kind: "running"; readonly imageID: string }
  /** The kubelet cannot pull the image: no imageID yet. */
  | { readonly kind: "image-pull-back-off" };

/** A pod of a Deployment, as `GET /api/v1/namespaces/apps/pods/<name>` returns it. */
export function podObject(
  app: string,
  workload: string,
  image: string,
  index: number,
  container: ContainerState,
): KubernetesObject {
  const template = hash(`${workload}${image}`);
  const name = `${workload}-${template}-${hash(`${index}`).slice(0, 5)}`;
  const running = container.kind === "running";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      generateName: `${workload}-${template}-`,
      namespace: "apps",
      uid: uid(name),
      resourceVersion: "184502",
      creationTimestamp: time,
      labels: {
        ...selector(app, workload),
        "azure.workload.identity/use": "true",
        "pod-template-hash": template,
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${workload}-${template}`,
          uid: uid(`${workload}-${template}`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: app,
          image,
          env: [
            { name: "AZURE_CLIENT_ID", value: "6b0c1d2e-3f40-4152-8637-48596a7b8c9d" },
            { name: "AZURE_TENANT_ID", value: "0f1e2d3c-4b5a-4697-8877-665544332211" },
            {
              name: "AZURE_FEDERATED_TOKEN_FILE",
              value: "/var/run/secrets/azure/tokens/azure-identity-token",
            },
            { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
          ],
          resources: {},
        },
      ],
      serviceAccountName: app,
      nodeName: "aks-workload-12345678-vmss000001",
    },
    status: {
      phase: running ? "Running" : "Pending",
      hostIP: "10.10.0.5",
      podIP: "10.244.1.17",
      startTime: time,
      containerStatuses: [
        running
          ? {
              name: app,
              image,
              imageID: container.imageID,
              containerID: `containerd://${createHash("sha256").update(name).digest("hex")}`,
              ready: true,
              restartCount: 0,
              started: true,
              state: { running: { startedAt: time } },
            }
          : {
              name: app,
              image,
              imageID: "",
              ready: false,
              restartCount: 0,
              started: false,
              state: {
                waiting: {
                  reason: "ImagePullBackOff",
                  message: `Back-off pulling image "${image}": ErrImagePull: failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image.split("@")[0]}: not found`,
                },
              },
            },
      ],
    },
  };
}

/** How a Job ended. */
export type JobState =
  | { readonly kind: "complete" }
  | { readonly kind: "failed"; readonly reason: string; readonly message: string }
  | { readonly kind: "running" };

/** A Job, as `GET /apis/batch/v1/namespaces/<ns>/jobs/<name>` returns it (Kubernetes 1.31+ conditions). */
export function jobObject(app: string, namespace: string, name: string, state: JobState): KubernetesObject {
  const condition = (type: string, reason?: string, message?: string) => ({
    type,
    status: "True",
    lastProbeTime: later,
    lastTransitionTime: later,
    ...(reason !== undefined ? { reason } : {}),
    ...(message !== undefined ? { message } : {}),
  });
  const status =
    state.kind === "complete"
      ? {
          startTime: time,
          completionTime: later,
          succeeded: 1,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [
            condition(
              "SuccessCriteriaMet",
              "CompletionsReached",
              "Reached expected number of succeeded pods",
            ),
            condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"),
          ],
        }
      : state.kind === "failed"
        ? {
            startTime: time,
            failed: 2,
            ready: 0,
            terminating: 0,
            uncountedTerminatedPods: {},
            conditions: [
              condition("FailureTarget", state.reason, state.message),
              condition("Failed", state.reason, state.message),
            ],
          }
        : { startTime: time, active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace,
      uid: uid(`${namespace}/${name}`),
      resourceVersion: "184390",
      generation: 1,
      creationTimestamp: time,
      labels: { ...selector(app, name), "app.kubernetes.io/component": "migrate" },
    },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 1,
      completionMode: "NonIndexed",
      suspend: false,
      podReplacementPolicy: "TerminatingOrFailed",
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid(`${namespace}/${name}`) } },
      template: {
        metadata: { labels: { "batch.kubernetes.io/job-name": name } },
        spec: {
          containers: [{ name: app, image: "placeholder", resources: {} }],
          restartPolicy: "Never",
        },
      },
    },
    status,
  };
}

/**
 * A list as the API server serves it: `<Kind>List` with the list's metadata; its items carry no
 * apiVersion or kind (the list's kind says what they are).
 */
export function listOf(apiVersion: string, kind: string, items: readonly KubernetesObject[]): object {
  return {
    kind: `${kind}List`,
    apiVersion,
    metadata: { resourceVersion: "184600" },
    items: items.map((item) => {
      const { apiVersion: _apiVersion, kind: _kind, ...rest } = item;
      return rest;
    }),
  };
}

/** The API server's own answer for a Service without a ready endpoint (a `Status`, HTTP 503). */
export function noEndpointsStatus(service: string): object {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `no endpoints available for service "${service}"`,
    reason: "ServiceUnavailable",
    code: 503,
  };
}
