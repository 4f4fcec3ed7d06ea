import { digestPattern } from "../../apps/image-reference";
import {
  proxyKey,
  type ClusterSnapshot,
  type KubeCondition,
  type KubeDeployment,
  type KubeJob,
  type KubeMetadata,
  type ProxyAnswer,
} from "./cluster-snapshot";
import type { ExpectedSmoke, Expectations } from "./expectations";

/** One thing that is not as the deploy meant it: a row of verify's table. */
export interface Finding {
  readonly app: string;
  /** `rollout`, `image digest`, `job`, `health`, `deep health`, `stack outputs`. */
  readonly check: string;
  /** The object checked: `Deployment apps/web`, `Pod apps/web-5d9c…`, `GET /health/ready`. */
  readonly object: string;
  readonly expected: string;
  readonly found: string;
  /**
   * Waiting cannot fix it: a rollout past its progress deadline, a failed Job. Verify stops
   * waiting as soon as one is found.
   */
  readonly final?: boolean;
}

/** The reason the Deployment controller gives a rollout past its deadline (deploymentutil.TimedOutReason). */
export const progressDeadlineExceeded = "ProgressDeadlineExceeded";

const condition = (conditions: readonly KubeCondition[] | undefined, type: string) =>
  conditions?.find((candidate) => candidate.type === type);

/**
 * Whether a Deployment has rolled out, by exactly the rules of `kubectl rollout status`
 * (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go, DeploymentStatusViewer.Status):
 * the controller has observed the latest spec; the Progressing condition's reason is not
 * ProgressDeadlineExceeded (an error there: final); every replica of `spec.replicas` is updated;
 * no old replica is left; every updated replica is available. The messages are kubectl's.
 */
export function rolloutStatus(
  deployment: KubeDeployment,
): { readonly done: true } | { readonly done: false; readonly message: string; readonly final: boolean } {
  const name = deployment.metadata?.name ?? "";
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if (generation > (status.observedGeneration ?? 0)) {
    return { done: false, message: "Waiting for deployment spec update to be observed...", final: false };
  }
  const progressing = condition(status.conditions, "Progressing");
  if (progressing?.reason === progressDeadlineExceeded) {
    const why = progressing.message === undefined ? "" : ` (${progressing.message})`;
    return { done: false, message: `deployment "${name}" exceeded its progress deadline${why}`, final: true };
  }
  const wanted = deployment.spec?.replicas;
  const replicas = status.replicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const waiting = (what: string) => ({
    done: false as const,
    message: `Waiting for deployment "${name}" rollout to finish: ${what}...`,
    final: false,
  });
  if (wanted !== undefined && updated < wanted) {
    return waiting(`${updated} out of ${wanted} new replicas have been updated`);
  }
  if (replicas > updated) return waiting(`${replicas - updated} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { done: true };
}

/**
 * The registry digest in a container status's `imageID`, in the forms the runtimes report:
 * containerd (AKS) `<registry>/<repo>@sha256:…`, the repository digest it pulled by, the
 * manifest list's for a multi-arch image (containerd internal/cri/server/container_status.go:
 * `imageRef = repoDigests[0]`); Docker's `docker-pullable://<registry>/<repo>@sha256:…`.
 * A bare `sha256:…` (containerd without a repository digest, `docker://sha256:…`) is the node's
 * local image config id, not a registry digest: it cannot prove what was pulled.
 */
export function digestOfImageId(imageID: string): { readonly digest: string } | { readonly problem: string } {
  const reference = imageID.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  const at = reference.lastIndexOf("@");
  if (at > 0) {
    const digest = reference.slice(at + 1);
    if (digestPattern.test(digest)) return { digest };
  }
  if (reference === "") return { problem: "no imageID (the container has not started)" };
  if (/^sha256:[a-f0-9]{64}$/.test(reference)) {
    return { problem: `imageID '${imageID}' is the node's local image id, not a registry digest` };
  }
  return { problem: `imageID '${imageID}' names no sha256 digest` };
}

const describeObject = (kind: string, metadata: KubeMetadata | undefined) =>
  `${kind} ${metadata?.namespace ?? "?"}/${metadata?.name ?? "?"}`;

function rolloutFindings(expectations: Expectations, snapshot: ClusterSnapshot): Finding[] {
  return expectations.deployments.flatMap(({ app, namespace, name }): Finding[] => {
    const object = `Deployment ${namespace}/${name}`;
    const deployment = snapshot.deployments.find(
      (candidate) => candidate.metadata?.namespace === namespace && candidate.metadata.name === name,
    );
    if (deployment === undefined) {
      return [{ app, check: "rollout", object, expected: "rolled out", found: "no such Deployment" }];
    }
    const status = rolloutStatus(deployment);
    if (status.done) return [];
    return [
      { app, check: "rollout", object, expected: "rolled out", found: status.message, final: status.final },
    ];
  });
}

/** What a container that has no usable imageID is doing: its waiting or terminated state. */
function containerState(state: NonNullable<KubeContainerStatus>["state"]): string {
  if (state?.waiting !== undefined) {
    const { reason = "Waiting", message } = state.waiting;
    return message === undefined ? reason : `${reason}: ${message}`;
  }
  if (state?.terminated !== undefined) {
    return `terminated: ${state.terminated.reason ?? "?"} (exit ${state.terminated.exitCode ?? "?"})`;
  }
  return "not started";
}

type KubeContainerStatus = NonNullable<
  NonNullable<ClusterSnapshot["pods"][number]["status"]>["containerStatuses"]
>[number];

function digestFindings(expectations: Expectations, snapshot: ClusterSnapshot): Finding[] {
  const workloads = new Map(
    expectations.deployments.map((deployment) => [`${deployment.namespace}/${deployment.name}`, deployment]),
  );
  return snapshot.pods.flatMap((pod): Finding[] => {
    const metadata = pod.metadata;
    const workload = workloads.get(
      `${metadata?.namespace}/${metadata?.labels?.["app.kubernetes.io/instance"]}`,
    );
    if (workload === undefined) return [];
    // A pod of an old ReplicaSet on its way out, or one that has ended, runs nothing any more.
    if (metadata?.deletionTimestamp !== undefined) return [];
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return [];
    const app = workload.app;
    const expected = expectations.digests[app as keyof Expectations["digests"]];
    if (expected === undefined) return [];
    const object = describeObject("Pod", metadata);
    // The app's own container is named after it (apps/manifests/workload-objects.ts).
    const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === app);
    const read = digestOfImageId(status?.imageID ?? "");
    if ("digest" in read) {
      return read.digest === expected
        ? []
        : [
            {
              app,
              check: "image digest",
              object,
              expected,
              found: `${read.digest} (imageID ${status!.imageID})`,
            },
          ];
    }
    const found = status?.imageID ? read.problem : containerState(status?.state);
    return [{ app, check: "image digest", object, expected, found }];
  });
}

/** A Job's outcome: Complete=True, Failed=True (with its reason, final), or still running. */
export function jobOutcome(
  job: KubeJob,
):
  | { readonly complete: true }
  | { readonly complete: false; readonly found: string; readonly final: boolean } {
  const conditions = job.status?.conditions;
  const failed = condition(conditions, "Failed");
  if (failed?.status === "True") {
    const reason = failed.reason ?? "Failed";
    return {
      complete: false,
      found: `Failed: ${reason}${failed.message ? `: ${failed.message}` : ""}`,
      final: true,
    };
  }
  if (condition(conditions, "Complete")?.status === "True") return { complete: true };
  const { active = 0, succeeded = 0, failed: failures = 0 } = job.status ?? {};
  return {
    complete: false,
    found: `not complete (active ${active}, succeeded ${succeeded}, failed ${failures})`,
    final: false,
  };
}

function jobFindings(expectations: Expectations, snapshot: ClusterSnapshot): Finding[] {
  return expectations.jobs.flatMap(({ app, namespace, name }): Finding[] => {
    const object = `Job ${namespace}/${name}`;
    const job = snapshot.jobs.find(
      (candidate) => candidate.metadata?.namespace === namespace && candidate.metadata.name === name,
    );
    if (job === undefined) return [{ app, check: "job", object, expected: "Complete", found: "no such Job" }];
    const outcome = jobOutcome(job);
    if (outcome.complete) return [];
    return [{ app, check: "job", object, expected: "Complete", found: outcome.found, final: outcome.final }];
  });
}

/** At most `length` characters of a body, on one line. */
function excerpt(text: string, length = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length)}…` : line;
}

/** The message of the API server's own `Status` answer (no endpoints, no such Service, forbidden). */
function apiServerMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { kind?: unknown; message?: unknown } | null;
    if (parsed?.kind === "Status" && typeof parsed.message === "string") return parsed.message;
  } catch {
    // Not JSON: the app's own body.
  }
  return undefined;
}

/** What an answer that is not a pass says: the API server's own message, else the app's body. */
function answerText(answer: Extract<ProxyAnswer, { status: number }>): string {
  const message = apiServerMessage(answer.body);
  if (message !== undefined) return `HTTP ${answer.status} from the API server: ${message}`;
  return `HTTP ${answer.status}${answer.body.trim() === "" ? "" : `: ${excerpt(answer.body)}`}`;
}

/** The data paths the deep health answer proves, or what it says failed. */
function deepProblems(smoke: ExpectedSmoke, body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [`not JSON: ${excerpt(body)}`];
  }
  const checks = (parsed as { checks?: Record<string, { ok?: unknown; error?: unknown }> } | null)?.checks;
  const used = (["mysql", "redis"] as const).filter((path) => smoke.uses[path]);
  return used.flatMap((path) => {
    const check = checks?.[path];
    if (check === undefined) return [`${path}: not checked`];
    if (check.ok === true) return [];
    return [`${path}: ${typeof check.error === "string" ? check.error : "failed"}`];
  });
}

function smokeFindings(expectations: Expectations, snapshot: ClusterSnapshot): Finding[] {
  return expectations.smoke.flatMap((smoke): Finding[] => {
    const { app } = smoke;
    const via = (path: string) => `GET ${path} via Service ${smoke.health.namespace}/${smoke.health.service}`;
    const findings: Finding[] = [];
    const health = snapshot.proxy[proxyKey(smoke.health)];
    const object = via(smoke.health.path);
    if (health === undefined || "error" in health) {
      findings.push({
        app,
        check: "health",
        object,
        expected: "HTTP 2xx",
        found: health?.error ?? "not asked",
      });
    } else if (health.status < 200 || health.status > 299) {
      findings.push({ app, check: "health", object, expected: "HTTP 2xx", found: answerText(health) });
    }
    const wanted = (["mysql", "redis"] as const).filter((path) => smoke.uses[path]);
    const expected = `HTTP 200, ${wanted.map((path) => `${path} ok`).join(", ")}`;
    if (smoke.deep === undefined) {
      if (wanted.length > 0) {
        findings.push({
          app,
          check: "deep health",
          object: `app ${app}`,
          expected,
          found: "no deep health endpoint declared (health.deep in its app.ts)",
        });
      }
      return findings;
    }
    const deep = snapshot.proxy[proxyKey(smoke.deep)];
    const deepObject = via(smoke.deep.path);
    if (deep === undefined || "error" in deep) {
      findings.push({
        app,
        check: "deep health",
        object: deepObject,
        expected,
        found: deep?.error ?? "not asked",
      });
      return findings;
    }
    const problems = apiServerMessage(deep.body) === undefined ? deepProblems(smoke, deep.body) : undefined;
    if (problems === undefined || deep.status !== 200 || problems.length > 0) {
      const said = problems !== undefined && problems.length > 0 && !problems[0]!.startsWith("not JSON");
      findings.push({
        app,
        check: "deep health",
        object: deepObject,
        expected,
        found: said ? `HTTP ${deep.status}: ${problems.join("; ")}` : answerText(deep),
      });
    }
    return findings;
  });
}

/**
 * Everything that is not as the deploy meant it, in the order checked: rollouts, the digests the
 * pods run, the Jobs, then each app's smoke checks. Empty when the environment passed. Pure.
 */
export function judge(expectations: Expectations, snapshot: ClusterSnapshot): Finding[] {
  return [
    ...rolloutFindings(expectations, snapshot),
    ...digestFindings(expectations, snapshot),
    ...jobFindings(expectations, snapshot),
    ...smokeFindings(expectations, snapshot),
  ];
}
