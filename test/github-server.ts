import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the server received. */
export interface RecordedRequest {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** A pull request the server holds. */
export interface ServedPullRequest {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
  html_url: string;
}

/** A scripted answer: the next `times` requests matching method and path get it. */
export interface ScriptedFailure {
  readonly method: string;
  /** Matched against the path (without query). */
  readonly path: RegExp;
  /**
   * The status to answer with; `"hang"`: never answer (until the server closes); `"reset"`:
   * close the connection without an answer.
   */
  readonly status: number | "hang" | "reset";
  /** The body, sent as JSON; a string with `raw` set is sent as it is. */
  readonly body?: unknown;
  /** Send `body` (a string) as it is, not as JSON. */
  readonly raw?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The request takes effect before the scripted answer is given (GitHub did it, then its
   * answer was lost or it failed).
   */
  readonly effect?: boolean;
  /** @default 1 */
  times?: number;
}

/** A local server speaking the GitHub REST endpoints the CLI uses. */
export interface GitHubServer {
  /** `GITHUB_API_URL` for the CLI. */
  readonly url: string;
  readonly token: string;
  readonly requests: RecordedRequest[];
  readonly pulls: ServedPullRequest[];
  /** Answers the next matching requests with a failure instead. */
  fail(failure: ScriptedFailure): void;
  /** Resolves with the first request (already received or to come) matching method and path. */
  received(method: string, path: RegExp): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/**
 * Starts the server for repository `owner/repo` with default branch `main`. It checks the
 * token, serves GET /repos/:o/:r, GET /repos/:o/:r/pulls?head=&state=, POST /repos/:o/:r/pulls
 * (422 when the head branch is missing from `bareRepository` or already has an open pull
 * request) and PATCH /repos/:o/:r/pulls/:n, and records every request. `fail` scripts other
 * answers: a status, no answer at all, a reset connection, with or without the request's effect.
 */
export async function startGitHubServer(options: {
  readonly owner?: string;
  readonly repo?: string;
  readonly token?: string;
  readonly bareRepository?: string;
}): Promise<GitHubServer> {
  const owner = options.owner ?? "acme";
  const repo = options.repo ?? "platform";
  const token = options.token ?? "test-token";
  const requests: RecordedRequest[] = [];
  const pulls: ServedPullRequest[] = [];
  const failures: ScriptedFailure[] = [];
  const waiting: { method: string; path: RegExp; resolve: (request: RecordedRequest) => void }[] = [];

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    response.end(JSON.stringify(body));
  };
  const branchExists = (branch: string) => {
    if (options.bareRepository === undefined) return true;
    try {
      execFileSync("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], {
        cwd: options.bareRepository,
        stdio: "pipe",
      });
      return true;
    } catch {
      return false;
    }
  };

  const handle = (request: IncomingMessage, raw: string, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    let body: unknown;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      body,
    };
    requests.push(recorded);
    for (const waiter of waiting.filter((w) => w.method === method && w.path.test(url.pathname))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(recorded);
    }
    const failure = failures.find(
      (f) => f.method === method && f.path.test(url.pathname) && (f.times ?? 1) > 0,
    );
    if (failure !== undefined) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.effect) serve(method, url, body, () => undefined);
      if (failure.status === "hang") return;
      if (failure.status === "reset") return request.socket.destroy();
      if (failure.raw) {
        response.writeHead(failure.status, { "content-type": "text/html", ...failure.headers });
        return response.end(String(failure.body));
      }
      return send(response, failure.status, failure.body ?? { message: "scripted failure" }, {
        ...failure.headers,
      });
    }
    const auth = request.headers.authorization ?? "";
    if (auth !== `token ${token}` && auth !== `Bearer ${token}` && auth !== `bearer ${token}`) {
      return send(response, 401, {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
      });
    }
    serve(method, url, body, (status, answer) => send(response, status, answer));
  };

  /** Does what a request asks, as GitHub would, and answers through `answer`. */
  const serve = (
    method: string,
    url: URL,
    body: unknown,
    answer: (status: number, body: unknown) => void,
  ): void => {
    const base = `/repos/${owner}/${repo}`;
    if (
      !url.pathname.startsWith(`${base}`) ||
      (url.pathname !== base && !url.pathname.startsWith(`${base}/`))
    ) {
      return answer(404, { message: "Not Found" });
    }
    const rest = url.pathname.slice(base.length);
    if (method === "GET" && rest === "") {
      return answer(200, {
        full_name: `${owner}/${repo}`,
        default_branch: "main",
        name: repo,
        owner: { login: owner },
      });
    }
    if (method === "GET" && rest === "/pulls") {
      const head = url.searchParams.get("head");
      const state = url.searchParams.get("state") ?? "open";
      const found = pulls.filter(
        (pull) =>
          (head === null || `${owner}:${pull.head}` === head) && (state === "all" || pull.state === state),
      );
      return answer(200, found);
    }
    if (method === "POST" && rest === "/pulls") {
      const { head, base: into, title, body: text } = (body ?? {}) as Record<string, string>;
      if (!head || !into || !title)
        return answer(422, { message: "Validation Failed", errors: [{ message: "missing field" }] });
      if (pulls.some((pull) => pull.head === head && pull.state === "open")) {
        return answer(422, {
          message: "Validation Failed",
          errors: [
            {
              resource: "PullRequest",
              code: "custom",
              message: `A pull request already exists for ${owner}:${head}.`,
            },
          ],
        });
      }
      if (!branchExists(head)) {
        return answer(422, {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
        });
      }
      const number = pulls.length + 1;
      const pull: ServedPullRequest = {
        number,
        head,
        base: into,
        title,
        body: text ?? "",
        state: "open",
        html_url: `https://github.test/${owner}/${repo}/pull/${number}`,
      };
      pulls.push(pull);
      return answer(201, pull);
    }
    const patch = /^\/pulls\/(\d+)$/.exec(rest);
    if (method === "PATCH" && patch) {
      const pull = pulls.find((p) => p.number === Number(patch[1]));
      if (pull === undefined) return answer(404, { message: "Not Found" });
      const change = (body ?? {}) as Partial<ServedPullRequest>;
      if (change.title !== undefined) pull.title = change.title;
      if (change.body !== undefined) pull.body = change.body;
      if (change.state !== undefined) pull.state = change.state;
      return answer(200, pull);
    }
    return answer(404, { message: "Not Found" });
  };

  const server = createServer((request, response) => {
    let raw = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (raw += chunk));
    request.on("end", () => handle(request, raw, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    pulls,
    fail: (failure) => void failures.push({ ...failure }),
    received: (method, path) => {
      const done = requests.find((r) => r.method === method && path.test(r.path));
      if (done !== undefined) return Promise.resolve(done);
      return new Promise((resolve) => waiting.push({ method, path, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
