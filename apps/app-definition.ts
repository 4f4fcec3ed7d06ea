import type { EnvironmentName } from "../environments/settings";

/**
 * A value that may differ by environment: `default` holds in every environment not named, so
 * that a new environment needs no edit here (`{ default: 1, production: 3 }`).
 */
export type PerEnvironment<T> = { readonly default: T } & Partial<Readonly<Record<EnvironmentName, T>>>;

/** The value of `setting` in `environment`: its own, else the default. */
export function inEnvironment<T>(setting: PerEnvironment<T>, environment: EnvironmentName): T {
  return setting[environment] ?? setting.default;
}

/** Where an app's image is built from. */
export type AppSource =
  /** The app's own repository: the image for tag `T` is built from git tag `T`. */
  | {
      readonly kind: "git";
      /** Clone URL of the repository (`https://github.com/<org>/<app>.git`). */
      readonly repository: string;
      /** Prefix of the repository's release tags: `v` when image tag `1.5.0` is git tag `v1.5.0`. */
      readonly gitTagPrefix?: string;
      readonly dockerfile?: string;
    }
  /** A folder of this repository (the stand-in services that ship with the project). */
  | { readonly kind: "folder"; readonly path: string; readonly dockerfile?: string };

/** CPU and memory of one container. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  /** Memory is always limited; CPU is not, so that a busy pod is throttled only by its node. */
  readonly limits: { readonly memory: string };
}

/** Horizontal pod autoscaling of an app in one environment. */
export interface Autoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
}

/** Another process of the app: the same image with another command. */
export interface Worker {
  /** Suffix of the workload name: `main-api-queue`. */
  readonly name: string;
  readonly command: readonly string[];
  readonly replicas: PerEnvironment<number>;
  readonly resources: ContainerResources;
}

/** A scheduled task: the same image run as a CronJob. */
export interface ScheduledTask {
  readonly name: string;
  /** Cron schedule, in the cluster's time zone (UTC). */
  readonly schedule: string;
  readonly command: readonly string[];
  readonly resources: ContainerResources;
}

/** One application of the team, as the platform runs it. */
export interface AppDefinition {
  /** Logical name: the Kubernetes name, the image repository and the `platform:images` key. */
  readonly name: string;
  readonly description: string;
  readonly source: AppSource;
  /** The port the container listens on (HTTP). */
  readonly port: number;
  /**
   * HTTP paths of the health endpoints. `deep` proves the app's data paths with its own identity
   * (a MySQL login as its user over TLS, a Redis AUTH with its Entra token): 200 with
   * `{ checks: { mysql: { ok }, redis: { ok } } }`; `platform verify` asks it through the Service.
   */
  readonly health: { readonly readiness: string; readonly liveness: string; readonly deep?: string };
  readonly resources: ContainerResources;
  /** Replicas in each environment (ignored where autoscaling is on). */
  readonly replicas: PerEnvironment<number>;
  /** Environments where the app scales on CPU; absent means a fixed replica count. */
  readonly autoscaling?: Partial<Readonly<Record<EnvironmentName, Autoscaling>>>;
  /** Backing services the app uses: a database of its own, the environment's cache. */
  readonly uses: { readonly mysql: boolean; readonly redis: boolean };
  /**
   * Public host name per environment; `null` where the app is deliberately internal. An app without
   * a host in an environment gets no Ingress there. An app public in any environment names every
   * environment (the catalog check refuses a missing one), so that a new environment never leaves
   * it without an Ingress unnoticed.
   */
  readonly publicHost?: Partial<Readonly<Record<EnvironmentName, string | null>>>;
  /** Plain (non-secret) settings, passed as environment variables through a ConfigMap. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Command run once per release, before the new version rolls out. */
  readonly migrate?: readonly string[];
  readonly workers?: readonly Worker[];
  readonly schedules?: readonly ScheduledTask[];
  /**
   * The names the app's state carries, each derived from the catalog key unless pinned here. A
   * rename of the app (its key and folder) pins them to the old key's, so that the database, the
   * identity, the images and the cluster's objects stay (docs/changing.md, decision 0068).
   */
  readonly persistent?: {
    /** The MySQL database, and the app's MySQL user. @default the key with `_` for `-` (`customer_api`) */
    readonly database?: string;
    /** The managed identity `id-platform-<environment>-<identity>` and its federated credential. @default the key */
    readonly identity?: string;
    /** The repository of the app's images in the shared registry (production pins digests in it). @default the key */
    readonly imageRepository?: string;
    /**
     * The name of the app's objects in the cluster: the Service (the DNS name its callers use), the
     * ServiceAccount (which the identity's federation trusts), the Deployment (whose selector is
     * immutable), the TLS Secret. Kubernetes cannot rename an object: a new name is a new object.
     * @default the key
     */
    readonly kubernetes?: string;
  };
}

/** The app's public host in `environment`, if it has one there (see {@link AppDefinition.publicHost}). */
export function publicHostOf(
  app: Pick<AppDefinition, "publicHost">,
  environment: EnvironmentName,
): string | undefined {
  return app.publicHost?.[environment] ?? undefined;
}
