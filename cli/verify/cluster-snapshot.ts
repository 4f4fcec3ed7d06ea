// The parts of the Kubernetes API's objects that `platform verify` reads, as the API server
// serves them in JSON (apps/v1 Deployment, v1 Pod, batch/v1 Job). Every field is optional, as in
// the API: a field the server leaves out is absent, never null-checked into a crash.

/** A condition of a Deployment or a Job (`status.conditions[]`). */
export interface KubeCondition {
  readonly type?: string;
  /** "True", "False" or "Unknown". */
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/** The metadata of an object, as far as verify reads it. */
export interface KubeMetadata {
  readonly name?: string;
  readonly namespace?: string;
  readonly generation?: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** Set once the object is being deleted (a pod of an old ReplicaSet terminating). */
  readonly deletionTimestamp?: string;
}

/** An apps/v1 Deployment. */
export interface KubeDeployment {
  readonly metadata?: KubeMetadata;
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly unavailableReplicas?: number;
    readonly conditions?: readonly KubeCondition[];
  };
}

/** The state of a container: one of waiting, running, terminated. */
export interface KubeContainerState {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: { readonly reason?: string; readonly exitCode?: number; readonly message?: string };
}

/** A v1 Pod. */
export interface KubePod {
  readonly metadata?: KubeMetadata;
  readonly spec?: { readonly containers?: readonly { readonly name?: string; readonly image?: string }[] };
  readonly status?: {
    readonly phase?: string;
    readonly containerStatuses?: readonly {
      readonly name?: string;
      readonly image?: string;
      /** What the node runs, as its container runtime reports it (see `digestOfImageId`). */
      readonly imageID?: string;
      readonly ready?: boolean;
      readonly state?: KubeContainerState;
    }[];
  };
}

/** A batch/v1 Job. */
export interface KubeJob {
  readonly metadata?: KubeMetadata;
  readonly status?: {
    readonly active?: number;
    readonly succeeded?: number;
    readonly failed?: number;
    readonly conditions?: readonly KubeCondition[];
  };
}

/** What the API server answered to a GET through a Service's proxy. */
export type ProxyAnswer =
  | { readonly status: number; readonly body: string }
  /** The request failed before an answer (network, timeout, credentials). */
  | { readonly error: string };

/** What `platform verify` read of the cluster in one pass. */
export interface ClusterSnapshot {
  /** The Deployments of the namespaces verify looks in. */
  readonly deployments: readonly KubeDeployment[];
  readonly pods: readonly KubePod[];
  readonly jobs: readonly KubeJob[];
  /** The answers of the smoke checks, by `<namespace>/<service>:<port><path>` (see `proxyKey`). */
  readonly proxy: Readonly<Record<string, ProxyAnswer>>;
}

/** A GET through a Service's proxy: what the adapter requests and the judge looks up. */
export interface ProxyRequest {
  readonly namespace: string;
  readonly service: string;
  /** The Service's port, by name. */
  readonly port: string;
  /** The path on the app, starting with `/`. */
  readonly path: string;
}

/** The key of a proxy request in `ClusterSnapshot.proxy`. */
export function proxyKey(request: ProxyRequest): string {
  return `${request.namespace}/${request.service}:${request.port}${request.path}`;
}
