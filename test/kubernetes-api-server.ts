import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { KubernetesObject } from "./kubernetes-schema";
import { listOf } from "./kubernetes-api-fixtures";
import { testCertificate } from "./tls-certificate";

/** A request the fake API server received. */
export interface KubeRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
}

/** An answer of a Service behind the API server's service proxy. */
export interface ProxiedAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

/** What the fake API server holds. */
export interface KubeState {
  deployments: KubernetesObject[];
  pods: KubernetesObject[];
  jobs: KubernetesObject[];
  /** By `<namespace>/<service>:<port>/<path>` (the path as requested, after `/proxy`). */
  proxy: Record<string, ProxiedAnswer>;
}

/** A local stand-in for the Kubernetes API server: the GETs `platform verify` makes. */
export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`: the `server` of a kubeconfig. */
  readonly url: string;
  /** The bearer token the server accepts. */
  readonly token: string;
  readonly requests: KubeRequest[];
  readonly state: KubeState;
  close(): Promise<void>;
}

const namespaceOf = (object: KubernetesObject) => (object.metadata as { namespace?: string }).namespace;

/**
 * Starts a fake API server on 127.0.0.1, over TLS with a self-signed certificate (as an AKS API
 * server's own CA, which its kubeconfig carries): the lists of Deployments, Pods and Jobs of a namespace
 * (`<Kind>List` as the API serves them), and `GET .../services/<name>:<port>/proxy/<path>`
 * answering what `state.proxy` holds (else the API server's 503 `Status`). Anything else: 404
 * with a `Status`. A request without `Authorization: Bearer <token>` gets 401, as from a real one.
 */
export async function startKubeApiServer(state: KubeState): Promise<KubeApiServer> {
  const token = "kube-test-token-0123456789";
  const requests: KubeRequest[] = [];
  const certificate = testCertificate();
  const server = createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    const path = (request.url ?? "").split("?")[0]!;
    requests.push({ method: request.method ?? "", path, authorization: request.headers.authorization });
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) =>
      json(code, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message,
        reason,
        code,
      });
    if (request.headers.authorization !== `Bearer ${token}`)
      return status(401, "Unauthorized", "Unauthorized");
    if (request.method !== "GET")
      return status(405, "MethodNotAllowed", "the server does not allow this method");
    let match: RegExpExecArray | null;
    if ((match = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/.exec(path))) {
      return json(
        200,
        listOf(
          "apps/v1",
          "Deployment",
          state.deployments.filter((o) => namespaceOf(o) === match![1]),
        ),
      );
    }
    if ((match = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
      return json(
        200,
        listOf(
          "v1",
          "Pod",
          state.pods.filter((o) => namespaceOf(o) === match![1]),
        ),
      );
    }
    if ((match = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(path))) {
      return json(
        200,
        listOf(
          "batch/v1",
          "Job",
          state.jobs.filter((o) => namespaceOf(o) === match![1]),
        ),
      );
    }
    if ((match = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)$/.exec(path))) {
      const answer = state.proxy[`${match[1]}/${match[2]}${match[3]}`];
      if (answer === undefined) {
        const service = match[2]!.split(":")[0]!;
        return status(503, "ServiceUnavailable", `no endpoints available for service "${service}"`);
      }
      response.writeHead(answer.status, { "content-type": answer.contentType ?? "application/json" });
      response.end(answer.body);
      return;
    }
    return status(404, "NotFound", "the server could not find the requested resource");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    token,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A kubeconfig for the fake server: its CA, its bearer token. */
export function kubeconfigFor(server: KubeApiServer): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: fake",
    "    cluster:",
    `      server: ${server.url}`,
    `      certificate-authority-data: ${Buffer.from(testCertificate().cert).toString("base64")}`,
    "users:",
    "  - name: verifier",
    "    user:",
    `      token: ${server.token}`,
    "contexts:",
    "  - name: fake",
    "    context: { cluster: fake, user: verifier }",
    "current-context: fake",
    "",
  ].join("\n");
}
