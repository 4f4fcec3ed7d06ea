import { environmentObjects } from "../apps/manifests/environment-objects";
import type { KubeObject } from "../apps/manifests/kube-object";
import { environments } from "../environments/environments";
import { parseStackConfig } from "../stack-config/schema";
import { jobNotReady, nextUpOfUnchangedJob, type JobStatus } from "./kubernetes-contracts";

const started = "2026-12-06T10:00:00Z";
/** What the cluster reports for a Job whose pods failed `backoffLimit` + 1 times. */
const failed: JobStatus = {
  startTime: started,
  conditions: [
    {
      type: "Failed",
      status: "True",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    },
  ],
};
const complete: JobStatus = { startTime: started, conditions: [{ type: "Complete", status: "True" }] };

describe("pulumi-kubernetes' Job checker (await/checker/job/check.go)", () => {
  test.each<[string, JobStatus, string | undefined]>([
    ["not started", {}, "not started"],
    ["running", { startTime: started }, "not complete"],
    ["failed for good", failed, "[BackoffLimitExceeded] Job has reached the specified backoff limit"],
    [
      "past its deadline",
      {
        startTime: started,
        conditions: [
          {
            type: "Failed",
            status: "True",
            reason: "DeadlineExceeded",
            message: "Job was active longer than specified deadline",
          },
        ],
      },
      "[DeadlineExceeded] Job was active longer than specified deadline",
    ],
    ["complete", complete, undefined],
  ])("%s", (_, status, expected) => {
    expect(jobNotReady(status)).toBe(expected);
  });
});

/** Every Job the program renders for production with every app deployed. */
function renderedJobs(): KubeObject[] {
  const images = {
    "main-api": { tag: "1.5.0", digest: `sha256:${"1".repeat(64)}` },
    web: { tag: "2.3.1", digest: `sha256:${"2".repeat(64)}` },
    "customer-api": { tag: "0.9.0", digest: `sha256:${"3".repeat(64)}` },
  };
  const config = parseStackConfig("production", {
    "azure-native:location": "westeurope",
    "platform:images": images,
  });
  return environmentObjects(
    { environment: environments.production, images: config.images },
    "acr.example",
  ).filter((object) => object.kind === "Job");
}

describe("a failed Job followed by a fixed one: the next up replaces it (pulumi.com/replaceUnready)", () => {
  const jobs = renderedJobs();

  test("the program renders the mysql-users Job and a migration Job per app that migrates", () => {
    expect(jobs.map((job) => `${job.metadata.namespace}/${job.metadata.name}`).sort()).toEqual([
      "apps/customer-api-migrate-0-9-0",
      "apps/main-api-migrate-1-5-0",
      "mysql-users/mysql-users",
    ]);
  });

  test.each(jobs.map((job) => [`${job.metadata.namespace}/${job.metadata.name}`, job] as const))(
    "%s: failed on one up, unchanged on the next: replaced (deleted, then created anew), not awaited again",
    (_, job) => {
      expect(nextUpOfUnchangedJob(job, failed)).toEqual({
        action: "replace",
        replaces: ['.metadata.annotations["pulumi.com/replaceUnready"]'],
        deleteBeforeReplace: true,
      });
      // A Job that completed stays: a later up neither reruns nor awaits anything.
      expect(nextUpOfUnchangedJob(job, complete)).toEqual({ action: "await existing", outcome: "ready" });
    },
  );

  test("without the annotation the provider keeps the failed Job, and every later up fails on it", () => {
    const job = jobs[0]!;
    const { [`pulumi.com/replaceUnready`]: _, ...others } = job.metadata.annotations ?? {};
    const plain = { ...job, metadata: { ...job.metadata, annotations: others } };
    expect(nextUpOfUnchangedJob(plain, failed)).toEqual({
      action: "await existing",
      outcome: "fails at once: [BackoffLimitExceeded] Job has reached the specified backoff limit",
    });
    // Only the exact string "true" counts (metadata.IsAnnotationTrue).
    const yes = {
      ...job,
      metadata: { ...job.metadata, annotations: { ...others, "pulumi.com/replaceUnready": "True" } },
    };
    expect(nextUpOfUnchangedJob(yes, failed).action).toBe("await existing");
  });
});
