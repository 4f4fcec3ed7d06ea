import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { deploymentObject, jobObject, podObject } from "../../test/kubernetes-api-fixtures";
import { kubeconfigFor, startKubeApiServer, type KubeApiServer } from "../../test/kubernetes-api-server";
import { startCliHost, type CliHost } from "../../test/cli-host";
import { runCli } from "../../test/run-cli";
import { digest } from "../../test/stack-file-example";
import { acceptanceOutputs, deployedApps, greenState, imageIdOf, imageOf } from "../../test/verify-scenario";
import { environmentList } from "../../test/pipeline-names";

const root = path.join(__dirname, "..", "..");
let directory: string;
let server: KubeApiServer | undefined;
/**
 * The process the verify commands run in, one after another (client-node is ES modules only,
 * which jest cannot load), with exactly PATH as its environment, as a shell would start it.
 */
let host: CliHost;
beforeAll(() => {
  host = startCliHost({ PATH: process.env.PATH ?? "" });
});
afterAll(() => host.close());

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), "platform-verify-"));
  copyFileSync(path.join(root, "Pulumi.acceptance.yaml"), path.join(directory, "Pulumi.acceptance.yaml"));
  copyFileSync(path.join(root, "Pulumi.production.yaml"), path.join(directory, "Pulumi.production.yaml"));
  writeFileSync(path.join(directory, "outputs.json"), acceptanceOutputs());
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(directory, { recursive: true, force: true });
});

/** Runs `platform verify acceptance` in the host process against the fake API server. */
async function verify(state: ReturnType<typeof greenState>, ...extra: string[]) {
  server = await startKubeApiServer(state);
  writeFileSync(path.join(directory, "kubeconfig"), kubeconfigFor(server));
  const argv = [
    "verify",
    "acceptance",
    "--outputs",
    "outputs.json",
    "--kubeconfig",
    "kubeconfig",
    "--wait",
    "0",
    ...extra,
  ];
  // Bounded: a hung request ends with PLATFORM_KUBE_TIMEOUT_SECONDS, a hung command after 60 s.
  return host.run(argv, directory, { PATH: process.env.PATH ?? "" });
}

/** The rows of the findings table, cells split on runs of two or more spaces. */
const rows = (stdout: string) =>
  stdout
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((line) => line.split(/ {2,}/));

describe("platform verify", () => {
  it("passes an environment that runs its pinned digests, rolled out, with Jobs done and apps healthy", async () => {
    const run = await verify(greenState());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "verify acceptance: passed",
        "  rollouts   4 Deployments rolled out",
        `  digests    every pod runs its pinned digest: main-api ${deployedApps["main-api"].digest}, web ${deployedApps.web.digest}, customer-api ${deployedApps["customer-api"].digest}`,
        "  jobs       3 Jobs complete (customer-api-migrate-0-9-3, main-api-migrate-1-4-0, mysql-users)",
        "  smoke      3 apps healthy through their Service, 3 with their data paths",
        "",
      ].join("\n"),
    );
    // Only GETs, with the kubeconfig's credentials, through the service proxy for the smoke checks.
    const requests = server!.requests;
    expect(requests.every((request) => request.method === "GET")).toBe(true);
    expect(requests.every((request) => request.authorization === `Bearer ${server!.token}`)).toBe(true);
    expect(requests.map((request) => request.path).sort()).toEqual(
      [
        "/apis/apps/v1/namespaces/apps/deployments",
        "/apis/apps/v1/namespaces/mysql-users/deployments",
        "/api/v1/namespaces/apps/pods",
        "/api/v1/namespaces/mysql-users/pods",
        "/apis/batch/v1/namespaces/apps/jobs",
        "/apis/batch/v1/namespaces/mysql-users/jobs",
        ...["main-api", "web", "customer-api"].flatMap((app) => [
          `/api/v1/namespaces/apps/services/${app}:http/proxy/health/ready`,
          `/api/v1/namespaces/apps/services/${app}:http/proxy/health/deep`,
        ]),
      ].sort(),
    );
  });

  it("fails a rollout stuck on a bad image: ProgressDeadlineExceeded, the new pod in ImagePullBackOff", async () => {
    const state = greenState();
    const bad = digest("dead");
    const index = state.deployments.findIndex(
      (object) => (object.metadata as { name: string }).name === "web",
    );
    state.deployments[index] = deploymentObject("web", "web", imageOf("web", bad), {
      kind: "deadline-exceeded",
      replicas: 1,
    });
    state.pods.push(podObject("web", "web", imageOf("web", bad), 1, { kind: "image-pull-back-off" }));
    const run = await verify(state);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: verify acceptance: 2 checks failed (web)\n");
    const newPod = (state.pods.at(-1)!.metadata as { name: string }).name;
    const replicaSet = /ReplicaSet "([^"]+)"/.exec(run.stdout)?.[1];
    expect(rows(run.stdout)).toEqual([
      [
        "web",
        "rollout",
        "Deployment apps/web",
        "rolled out",
        `deployment "web" exceeded its progress deadline (ReplicaSet "${replicaSet}" has timed out progressing.)`,
      ],
      [
        "web",
        "image digest",
        `Pod apps/${newPod}`,
        deployedApps.web.digest,
        `ImagePullBackOff: Back-off pulling image "${imageOf("web", bad)}": ErrImagePull: failed to pull and unpack image "${imageOf("web", bad)}": failed to resolve reference "${imageOf("web", bad)}": ${imageOf("web", bad).split("@")[0]}: not found`,
      ],
    ]);
    expect(run.stdout.split("\n")[0]).toMatch(/^APP +CHECK +OBJECT +EXPECTED +FOUND$/);
  });

  it("fails a pod that runs another digest than the stack pins, by its status's imageID", async () => {
    const state = greenState();
    const other = digest("0f");
    // The spec names the pinned image; the node runs another (a mutable tag moved under it).
    state.pods[0] = podObject("main-api", "main-api", imageOf("main-api"), 0, {
      kind: "running",
      imageID: imageIdOf("main-api", other),
    });
    const run = await verify(state);
    expect(run.code).toBe(1);
    const pod = (state.pods[0].metadata as { name: string }).name;
    expect(rows(run.stdout)).toEqual([
      [
        "main-api",
        "image digest",
        `Pod apps/${pod}`,
        deployedApps["main-api"].digest,
        `${other} (imageID ${imageIdOf("main-api", other)})`,
      ],
    ]);
    expect(run.stderr).toBe("error: verify acceptance: 1 check failed (main-api)\n");
  });

  it("fails a failed Job with its reason, and an app whose deep health cannot sign in to MySQL", async () => {
    const state = greenState();
    state.jobs[2] = jobObject("mysql-users", "mysql-users", "mysql-users", {
      kind: "failed",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    });
    state.proxy["apps/customer-api:http/health/deep"] = {
      status: 503,
      body: JSON.stringify({
        status: "failed",
        checks: {
          mysql: {
            ok: false,
            error:
              "ER_ACCESS_DENIED_ERROR: Access denied for user 'customer_api'@'10.244.1.17' (using password: YES)",
          },
        },
      }),
    };
    const run = await verify(state, "--json");
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { passed: boolean; findings: unknown[] };
    expect(report.passed).toBe(false);
    expect(report.findings).toEqual([
      {
        app: "mysql-users",
        check: "job",
        object: "Job mysql-users/mysql-users",
        expected: "Complete",
        found: "Failed: BackoffLimitExceeded: Job has reached the specified backoff limit",
        final: true,
      },
      {
        app: "customer-api",
        check: "deep health",
        object: "GET /health/deep via Service apps/customer-api",
        expected: "HTTP 200, mysql ok",
        found:
          "HTTP 503: mysql: ER_ACCESS_DENIED_ERROR: Access denied for user 'customer_api'@'10.244.1.17' (using password: YES)",
        final: false,
      },
    ]);
  });

  it("names the API server's own answer when a Service has no ready endpoint", async () => {
    const state = greenState();
    delete state.proxy["apps/web:http/health/ready"];
    delete state.proxy["apps/web:http/health/deep"];
    const run = await verify(state);
    expect(run.code).toBe(1);
    expect(rows(run.stdout).map((row) => [row[1], row[4]])).toEqual([
      ["health", 'HTTP 503 from the API server: no endpoints available for service "web"'],
      ["deep health", 'HTTP 503 from the API server: no endpoints available for service "web"'],
    ]);
  });

  it("fails with the API server's message when its credentials are refused, before judging anything", async () => {
    server = await startKubeApiServer(greenState());
    writeFileSync(
      path.join(directory, "kubeconfig"),
      kubeconfigFor(server).replace(server.token, "someone-else-token"),
    );
    const run = await host.run(
      ["verify", "acceptance", "--outputs", "outputs.json", "--kubeconfig", "kubeconfig", "--wait", "0"],
      directory,
      { PATH: process.env.PATH ?? "" },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      new RegExp(`^error: GET ${server.url}/\\S+ answered HTTP 401: Unauthorized\\n$`),
    );
  });
});

describe("platform verify: bad input", () => {
  it("refuses an unknown environment with exit 2, before reading anything", async () => {
    const run = await runCli(["verify", "staging"], directory, {});
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: unknown environment 'staging'; expected one of ${environmentList}\n`,
    });
  });

  it("refuses a --wait that is not a number of seconds", async () => {
    const run = await runCli(["verify", "acceptance", "--wait", "soon"], directory, {});
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: --wait: 'soon' is not a number of seconds; give 0 or more, such as 120\n",
    });
  });

  it("fails outputs of another stack file before asking the cluster", async () => {
    writeFileSync(
      path.join(directory, "outputs.json"),
      acceptanceOutputs().replace('"tag": "2.0.1"', '"tag": "2.0.0"'),
    );
    const run = await runCli(
      ["verify", "acceptance", "--outputs", "outputs.json", "--kubeconfig", "no-such-kubeconfig"],
      directory,
      {},
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        "APP  CHECK          OBJECT         EXPECTED  FOUND",
        `web  stack outputs  images output  2.0.1     2.0.0@${deployedApps.web.digest}`,
        "",
      ].join("\n"),
    );
    expect(run.stderr).toBe("error: verify acceptance: 1 check failed (web)\n");
  });
});
