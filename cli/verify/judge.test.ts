import { environments } from "../../environments";
import { deploymentObject, jobObject, podObject } from "../../test/kubernetes-api-fixtures";
import { schemaProblems } from "../../test/kubernetes-schema";
import { digest } from "../../test/stack-file-example";
import { deployedApps, greenState, imageIdOf, imageOf } from "../../test/verify-scenario";
import type { ClusterSnapshot, KubeDeployment, KubeJob } from "./cluster-snapshot";
import { expectationsOf } from "./expectations";
import { digestOfImageId, jobOutcome, judge, rolloutStatus } from "./judge";
import { verifyWithin } from "./verify";

const acceptance = {
  environment: environments.acceptance,
  images: {
    "main-api": { tag: "1.4.0" },
    web: { tag: "2.0.1" },
    "customer-api": { tag: "0.9.3" },
  },
};
const outputs = Object.fromEntries(
  Object.entries(deployedApps).map(([app, version]) => [app, { ...version }]),
) as Record<keyof typeof deployedApps, { tag: string; digest: string }>;

/** The fake API server's state as the adapter would read it. */
function snapshotOf(state = greenState()): ClusterSnapshot {
  return {
    deployments: state.deployments as KubeDeployment[],
    pods: state.pods as ClusterSnapshot["pods"],
    jobs: state.jobs as ClusterSnapshot["jobs"],
    proxy: state.proxy,
  };
}

describe("the fixtures of the fake API server", () => {
  it("are valid objects of the Kubernetes OpenAPI schema", () => {
    const bad = digest("dead");
    expect(
      schemaProblems([
        ...greenState().deployments,
        ...greenState().pods,
        ...greenState().jobs,
        deploymentObject("web", "web", imageOf("web", bad), { kind: "deadline-exceeded", replicas: 2 }),
        podObject("web", "web", imageOf("web", bad), 1, { kind: "image-pull-back-off" }),
        jobObject("x", "apps", "x", { kind: "failed", reason: "BackoffLimitExceeded", message: "m" }),
        jobObject("x", "apps", "x", { kind: "running" }),
      ]),
    ).toEqual([]);
  });
});

describe("rolloutStatus, as kubectl rollout status", () => {
  const deployment = (
    spec: number | undefined,
    status: NonNullable<KubeDeployment["status"]>,
    generation = 2,
  ): KubeDeployment => ({
    metadata: { name: "web", generation },
    spec: spec === undefined ? {} : { replicas: spec },
    status,
  });
  const done = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 };

  it.each([
    ["rolled out", deployment(3, done), { done: true }],
    [
      "a spec the controller has not observed",
      deployment(3, { ...done, observedGeneration: 1 }),
      { done: false, final: false, message: "Waiting for deployment spec update to be observed..." },
    ],
    [
      "new replicas not all updated",
      deployment(3, { ...done, updatedReplicas: 1 }),
      {
        done: false,
        final: false,
        message:
          'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      },
    ],
    [
      "old replicas pending termination",
      deployment(3, { ...done, replicas: 4 }),
      {
        done: false,
        final: false,
        message: 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      },
    ],
    [
      "updated replicas not all available",
      deployment(3, { ...done, availableReplicas: 2 }),
      {
        done: false,
        final: false,
        message: 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
      },
    ],
    [
      "past its progress deadline (final, even with every count right)",
      deployment(3, {
        ...done,
        conditions: [
          { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "m" },
        ],
      }),
      { done: false, final: true, message: 'deployment "web" exceeded its progress deadline (m)' },
    ],
    [
      "no spec.replicas (an autoscaler owns the count): the status counts alone",
      deployment(undefined, { ...done, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }),
      { done: true },
    ],
  ])("%s", (_, input, expected) => {
    expect(rolloutStatus(input)).toEqual(expected);
  });
});

describe("digestOfImageId", () => {
  const pinned = digest("ab");
  it.each([
    ["containerd (AKS): repository digest", `crplatformshared.azurecr.io/web@${pinned}`, { digest: pinned }],
    [
      "Docker: docker-pullable://",
      `docker-pullable://crplatformshared.azurecr.io/web@${pinned}`,
      { digest: pinned },
    ],
    ["a registry with a port", `registry.local:5000/team/web@${pinned}`, { digest: pinned }],
    [
      "containerd without a repository digest: the node's image id",
      pinned,
      { problem: `imageID '${pinned}' is the node's local image id, not a registry digest` },
    ],
    [
      "Docker without a repository digest",
      `docker://${pinned}`,
      { problem: `imageID 'docker://${pinned}' is the node's local image id, not a registry digest` },
    ],
    ["a container not started", "", { problem: "no imageID (the container has not started)" }],
    [
      "a tag, no digest",
      "crplatformshared.azurecr.io/web:2.0.1",
      { problem: "imageID 'crplatformshared.azurecr.io/web:2.0.1' names no sha256 digest" },
    ],
    [
      "a short digest",
      "crplatformshared.azurecr.io/web@sha256:abc",
      { problem: "imageID 'crplatformshared.azurecr.io/web@sha256:abc' names no sha256 digest" },
    ],
  ])("%s", (_, imageID, expected) => {
    expect(digestOfImageId(imageID)).toEqual(expected);
  });
});

describe("jobOutcome", () => {
  it("is complete only with Complete=True; Failed=True is final with its reason; else still running", () => {
    const job = (state: Parameters<typeof jobObject>[3]) => jobObject("x", "apps", "x", state) as KubeJob;
    expect(jobOutcome(job({ kind: "complete" }))).toEqual({ complete: true });
    expect(
      jobOutcome(
        job({
          kind: "failed",
          reason: "DeadlineExceeded",
          message: "Job was active longer than specified deadline",
        }),
      ),
    ).toEqual({
      complete: false,
      final: true,
      found: "Failed: DeadlineExceeded: Job was active longer than specified deadline",
    });
    expect(jobOutcome(job({ kind: "running" }))).toEqual({
      complete: false,
      final: false,
      found: "not complete (active 1, succeeded 0, failed 0)",
    });
    expect(jobOutcome({ status: { conditions: [{ type: "Complete", status: "False" }] } }).complete).toBe(
      false,
    );
  });
});

describe("expectationsOf", () => {
  it("expects the workloads the manifests hold, the outputs' digests and a smoke check per deployed app", () => {
    const { expectations, findings } = expectationsOf(acceptance, outputs);
    expect(findings).toEqual([]);
    expect(expectations.deployments.map((d) => `${d.app} ${d.namespace}/${d.name}`).sort()).toEqual([
      "customer-api apps/customer-api",
      "main-api apps/main-api",
      "main-api apps/main-api-queue",
      "web apps/web",
    ]);
    expect(expectations.jobs.map((j) => `${j.app} ${j.namespace}/${j.name}`)).toEqual([
      "customer-api apps/customer-api-migrate-0-9-3",
      "main-api apps/main-api-migrate-1-4-0",
      "mysql-users mysql-users/mysql-users",
    ]);
    expect(expectations.digests).toEqual({
      "main-api": deployedApps["main-api"].digest,
      web: deployedApps.web.digest,
      "customer-api": deployedApps["customer-api"].digest,
    });
    expect(expectations.namespaces).toEqual(["apps", "mysql-users"]);
    expect(expectations.smoke.find((smoke) => smoke.app === "web")).toEqual({
      app: "web",
      health: { namespace: "apps", service: "web", port: "http", path: "/health/ready" },
      deep: { namespace: "apps", service: "web", port: "http", path: "/health/deep" },
      uses: { mysql: false, redis: true },
    });
  });

  it("finds outputs that are not of the stack file: another tag, another pinned digest, a missing app", () => {
    const pinnedElsewhere = {
      ...acceptance,
      images: { ...acceptance.images, web: { tag: "2.0.1", digest: digest("99") } },
    };
    const { "customer-api": _, ...withoutCustomerApi } = outputs;
    const { findings } = expectationsOf(pinnedElsewhere, {
      ...withoutCustomerApi,
      "main-api": { tag: "1.3.0", digest: digest("a1") },
    });
    expect(findings).toEqual([
      {
        app: "main-api",
        check: "stack outputs",
        object: "images output",
        expected: "1.4.0",
        found: `1.3.0@${digest("a1")}`,
      },
      {
        app: "web",
        check: "stack outputs",
        object: "images output",
        expected: `2.0.1@${digest("99")}`,
        found: `2.0.1@${deployedApps.web.digest}`,
      },
      {
        app: "customer-api",
        check: "stack outputs",
        object: "images output",
        expected: "0.9.3",
        found: "no images output",
      },
    ]);
  });
});

describe("judge", () => {
  const { expectations } = expectationsOf(acceptance, outputs);

  it("finds nothing in the green environment", () => {
    expect(judge(expectations, snapshotOf())).toEqual([]);
  });

  it("ignores pods on their way out and pods that ended, but not a pending one", () => {
    const state = greenState();
    const old = podObject("web", "web", imageOf("web", digest("01")), 7, {
      kind: "running",
      imageID: imageIdOf("web", digest("01")),
    });
    (old.metadata as Record<string, unknown>).deletionTimestamp = "2026-12-06T10:05:00Z";
    const evicted = podObject("web", "web", imageOf("web", digest("02")), 8, {
      kind: "running",
      imageID: imageIdOf("web", digest("02")),
    });
    (evicted.status as Record<string, unknown>).phase = "Failed";
    state.pods.push(old, evicted);
    expect(judge(expectations, snapshotOf(state))).toEqual([]);
    state.pods.push(podObject("web", "web", imageOf("web"), 9, { kind: "image-pull-back-off" }));
    expect(judge(expectations, snapshotOf(state)).map((finding) => finding.check)).toEqual(["image digest"]);
  });

  it("fails a missing Deployment, a missing Job, and an app whose deep health leaves out a data path", () => {
    const state = greenState();
    state.deployments.splice(1, 1);
    state.jobs.splice(0, 1);
    state.proxy["apps/main-api:http/health/deep"] = {
      status: 200,
      body: JSON.stringify({ checks: { mysql: { ok: true } } }),
    };
    expect(judge(expectations, snapshotOf(state))).toEqual([
      {
        app: "main-api",
        check: "rollout",
        object: "Deployment apps/main-api-queue",
        expected: "rolled out",
        found: "no such Deployment",
      },
      {
        app: "main-api",
        check: "job",
        object: "Job apps/main-api-migrate-1-4-0",
        expected: "Complete",
        found: "no such Job",
      },
      {
        app: "main-api",
        check: "deep health",
        object: "GET /health/deep via Service apps/main-api",
        expected: "HTTP 200, mysql ok, redis ok",
        found: "HTTP 200: redis: not checked",
      },
    ]);
  });

  it("fails a deep health answer that is not JSON, and a health check the API server could not make", () => {
    const snapshot = snapshotOf();
    const proxy = {
      ...snapshot.proxy,
      "apps/web:http/health/ready": {
        error: "GET /api/v1/namespaces/apps/services/web:http/proxy/health/ready failed: socket hang up",
      },
      "apps/web:http/health/deep": { status: 404, body: "<html>not found</html>" },
    };
    expect(judge(expectations, { ...snapshot, proxy }).map((finding) => finding.found)).toEqual([
      "GET /api/v1/namespaces/apps/services/web:http/proxy/health/ready failed: socket hang up",
      "HTTP 404: <html>not found</html>",
    ]);
  });
});

describe("verifyWithin", () => {
  const { expectations } = expectationsOf(acceptance, outputs);
  const fakeClock = () => {
    let now = 0;
    const slept: number[] = [];
    return {
      slept,
      clock: {
        now: () => now,
        sleep: (ms: number) => {
          slept.push(ms);
          now += ms;
          return Promise.resolve();
        },
      },
    };
  };

  it("looks again while an old pod terminates, and passes once it is gone", async () => {
    const pending = greenState();
    const web = pending.deployments.findIndex(
      (object) => (object.metadata as { name: string }).name === "web",
    );
    (pending.deployments[web]!.status as Record<string, number>).replicas = 2;
    const looks = [snapshotOf(pending), snapshotOf(pending), snapshotOf()];
    const { clock, slept } = fakeClock();
    const result = await verifyWithin({
      expectations,
      read: () => Promise.resolve(looks.shift()!),
      waitSeconds: 60,
      clock,
    });
    expect(result.findings).toEqual([]);
    expect(result.looks).toBe(3);
    expect(slept).toEqual([5000, 5000]);
  });

  it("stops at the deadline with the last look's findings, and at once on a final one", async () => {
    const pending = greenState();
    (pending.deployments[0]!.status as Record<string, number>).replicas = 2;
    const { clock, slept } = fakeClock();
    const result = await verifyWithin({
      expectations,
      read: () => Promise.resolve(snapshotOf(pending)),
      waitSeconds: 12,
      clock,
    });
    expect(slept).toEqual([5000, 5000, 2000]);
    expect(result.findings.map((finding) => finding.found)).toEqual([
      'Waiting for deployment "main-api" rollout to finish: 1 old replicas are pending termination...',
    ]);
    const failed = greenState();
    failed.jobs[0] = jobObject("customer-api", "apps", "customer-api-migrate-0-9-3", {
      kind: "failed",
      reason: "BackoffLimitExceeded",
      message: "m",
    });
    const final = fakeClock();
    const stopped = await verifyWithin({
      expectations,
      read: () => Promise.resolve(snapshotOf(failed)),
      waitSeconds: 120,
      clock: final.clock,
    });
    expect(stopped.looks).toBe(1);
    expect(final.slept).toEqual([]);
  });
});
