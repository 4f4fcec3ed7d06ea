import * as http from "node:http";
import * as https from "node:https";
import { InputError, PlatformError } from "../errors";
import { proxyKey, type ClusterSnapshot, type ProxyAnswer, type ProxyRequest } from "./cluster-snapshot";

// The cluster adapter of `platform verify`: four kinds of GET on the Kubernetes API, nothing
// else. @kubernetes/client-node reads the kubeconfig and applies its credentials (on AKS with
// Entra ID: the kubelogin exec plugin, decision 0038); the requests are plain HTTPS, so that the
// snapshot holds the API's own JSON and the service proxy's answers byte for byte (the generated
// client URL-encodes the proxied path's slashes and turns timestamps into Dates).

/** What verify reads of the cluster. */
export interface ClusterReader {
  /** Lists Deployments, Pods and Jobs of `namespaces` and asks each proxy request. */
  snapshot(namespaces: readonly string[], requests: readonly ProxyRequest[]): Promise<ClusterSnapshot>;
}

/** The variable that sets how long one request to the API server may take. */
export const kubeTimeoutVariable = "PLATFORM_KUBE_TIMEOUT_SECONDS";

/** How long one request to the API server may take when the variable is not set. */
export const defaultKubeTimeoutSeconds = 30;

/** The time limit of one API request, from `PLATFORM_KUBE_TIMEOUT_SECONDS`. @throws InputError */
export function kubeTimeoutSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const value = env[kubeTimeoutVariable];
  if (value === undefined || value.trim() === "") return defaultKubeTimeoutSeconds;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InputError(
      `${kubeTimeoutVariable}: '${value}' is not a number of seconds; set a positive number such as ${defaultKubeTimeoutSeconds}, or unset it for ${defaultKubeTimeoutSeconds}`,
    );
  }
  return seconds;
}

/**
 * What this adapter uses of client-node's KubeConfig (its declarations, dist/config.d.ts).
 * Declared here, and the package imported by a name TypeScript does not follow: its entry point
 * re-exports the generated API clients, 9.7 MB of declarations that every type-check would parse
 * for these four methods (docs/decisions/0061). verify.test.ts runs them against the real package.
 */
interface KubeConfig {
  loadFromFile(file: string): void;
  loadFromDefault(): void;
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

const clientNode = "@kubernetes/client-node";

/** An answer of the API server. */
interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * A reader of the cluster the kubeconfig's current context names: the file `kubeconfig`, else
 * `KUBECONFIG` or `~/.kube/config` (client-node's `loadFromDefault`, as kubectl).
 *
 * @throws InputError when the kubeconfig cannot be read or has no current cluster.
 */
export async function kubernetesReader(options: {
  readonly kubeconfig: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<ClusterReader> {
  const timeoutMs = kubeTimeoutSeconds(options.env) * 1000;
  // ES modules only: Node 22 loads it with require(); only verify pays for loading it.
  const { KubeConfig } = (await import(clientNode)) as { KubeConfig: new () => KubeConfig };
  const config = new KubeConfig();
  const source = options.kubeconfig ?? "the default kubeconfig (KUBECONFIG or ~/.kube/config)";
  try {
    if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new InputError(`cannot read ${source}: ${(error as Error).message}`);
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new InputError(`${source} names no current cluster; set its current-context`);
  const server = cluster.server.replace(/\/+$/, "");

  const get = async (path: string): Promise<Answer> => {
    const request: https.RequestOptions = { method: "GET", headers: { accept: "application/json" } };
    try {
      await config.applyToHTTPSOptions(request);
    } catch (error) {
      throw new PlatformError(`cannot get credentials for ${server}: ${(error as Error).message}`);
    }
    const transport = server.startsWith("https:") ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      const call = transport.request(`${server}${path}`, request, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      });
      call.setTimeout(timeoutMs, () =>
        call.destroy(new Error(`no answer within ${timeoutMs / 1000} s (${kubeTimeoutVariable})`)),
      );
      call.on("error", reject);
      call.end();
    });
  };

  const list = async (path: string): Promise<unknown[]> => {
    let answer: Answer;
    try {
      answer = await get(path);
    } catch (error) {
      if (error instanceof PlatformError) throw error;
      throw new PlatformError(`GET ${server}${path} failed: ${(error as Error).message}`);
    }
    let parsed: { items?: unknown; message?: unknown } | undefined;
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (answer.status !== 200 || !Array.isArray(parsed?.items)) {
      const said = typeof parsed?.message === "string" ? parsed.message : answer.body.slice(0, 200);
      throw new PlatformError(`GET ${server}${path} answered HTTP ${answer.status}: ${said}`);
    }
    return parsed.items as unknown[];
  };

  const ask = async (request: ProxyRequest): Promise<ProxyAnswer> => {
    const path =
      `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/services/` +
      `${encodeURIComponent(request.service)}:${encodeURIComponent(request.port)}/proxy${request.path}`;
    try {
      return await get(path);
    } catch (error) {
      return { error: `GET ${path} failed: ${(error as Error).message}` };
    }
  };

  return {
    async snapshot(namespaces, requests) {
      const each = (kind: string) =>
        Promise.all(namespaces.map((namespace) => list(kind.replace("{ns}", encodeURIComponent(namespace)))));
      const [deployments, pods, jobs, answers] = await Promise.all([
        each("/apis/apps/v1/namespaces/{ns}/deployments"),
        each("/api/v1/namespaces/{ns}/pods"),
        each("/apis/batch/v1/namespaces/{ns}/jobs"),
        Promise.all(requests.map(async (request) => [proxyKey(request), await ask(request)] as const)),
      ]);
      return {
        deployments: deployments.flat() as ClusterSnapshot["deployments"],
        pods: pods.flat() as ClusterSnapshot["pods"],
        jobs: jobs.flat() as ClusterSnapshot["jobs"],
        proxy: Object.fromEntries(answers),
      };
    },
  };
}
