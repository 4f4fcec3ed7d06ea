import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { strToU8, zipSync } from "fflate";
import { listRefs } from "./ref-files";

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
  /** The head branch's commit; for a merged one, the commit its branch was at when it merged. */
  head_sha?: string;
  /** Set when merged: the commit merging it made on the base branch. */
  merge_commit_sha?: string;
  merged_at?: string;
  labels?: string[];
  /** The author's login (`user.login`); octocat when unset. */
  author?: string;
  /** Its reviews, oldest first, served by GET /pulls/:n/reviews. */
  reviews?: ServedReview[];
}

/** A pull request review the server holds. */
export interface ServedReview {
  readonly user: string;
  readonly state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  /** The commit the review was made on. */
  readonly commitId: string;
}

/** An Actions artifact the server holds, with the files of its zip archive. */
export interface ServedArtifact {
  readonly id: number;
  readonly name: string;
  /** The commit of the workflow run that uploaded it. */
  readonly headSha: string;
  readonly runId: number;
  readonly createdAt: string;
  expired: boolean;
  /** The archive GitHub serves (a zip; tests may put anything here). */
  archive: Buffer;
}

/** A zip archive of `files` (deflated entries), as actions/upload-artifact makes one. */
export function zipOf(files: Readonly<Record<string, string>>): Buffer {
  return Buffer.from(
    zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)]))),
  );
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
  readonly artifacts: ServedArtifact[];
  /**
   * Repository permission by login, served by GET /collaborators/:user/permission (`admin`,
   * `write`, `read`; a login not here is `none`).
   */
  readonly permissions: Record<string, string>;
  /** Adds an artifact uploaded by a run for `headSha`, holding `files` zipped; returns it. */
  addArtifact(artifact: {
    name: string;
    headSha: string;
    files: Readonly<Record<string, string>>;
    expired?: boolean;
  }): ServedArtifact;
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
 * request), PATCH /repos/:o/:r/pulls/:n, GET /repos/:o/:r/commits/:sha/pulls,
 * GET /repos/:o/:r/actions/artifacts?name= and GET /repos/:o/:r/actions/artifacts/:id/zip (a
 * 302 to the archive, as GitHub answers), and records every request. `fail` scripts other
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
  const artifacts: ServedArtifact[] = [];
  const permissions: Record<string, string> = {};
  let serverUrl = "";
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
    // From origin's ref files: a git process per request costs more than the request.
    return listRefs(options.bareRepository, ["refs/heads/"])
      .split("\n")
      .some((line) => line.startsWith(`refs/heads/${branch} `));
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
    // Where GitHub redirects an artifact download: storage that takes no GitHub token.
    const blob = /^\/_blob\/artifacts\/(\d+)\.zip$/.exec(url.pathname);
    if (method === "GET" && blob) {
      const artifact = artifacts.find((a) => a.id === Number(blob[1]));
      if (artifact === undefined) return send(response, 404, { message: "BlobNotFound" });
      response.writeHead(200, { "content-type": "application/zip" });
      return response.end(artifact.archive);
    }
    const auth = request.headers.authorization ?? "";
    if (auth !== `token ${token}` && auth !== `Bearer ${token}` && auth !== `bearer ${token}`) {
      return send(response, 401, {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
      });
    }
    serve(method, url, body, (status, answer, headers) => send(response, status, answer, headers));
  };

  /** A simple-user object, as GitHub nests one in pull requests, reviews and permissions. */
  const userObject = (login: string) => ({
    login,
    id: [...login].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 7) % 100000,
    node_id: `U_${login}`,
    url: `${serverUrl}/users/${login}`,
    html_url: `https://github.test/${login}`,
    type: "User",
    site_admin: false,
  });

  /** A pull request as GitHub's pull request object has it (the fields a client reads). */
  const pullObject = (pull: ServedPullRequest) => ({
    url: `${serverUrl}/repos/${owner}/${repo}/pulls/${pull.number}`,
    id: 1000 + pull.number,
    node_id: `PR_${pull.number}`,
    html_url: pull.html_url,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userObject(pull.author ?? "octocat"),
    body: pull.body,
    labels: (pull.labels ?? []).map((name, index) => ({
      id: 200 + index,
      node_id: `LA_${index}`,
      url: `${serverUrl}/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
      name,
      color: "d93f0b",
      default: false,
      description: null,
    })),
    created_at: "2026-11-02T08:00:00Z",
    updated_at: "2026-11-02T09:00:00Z",
    closed_at: pull.merged_at ?? null,
    merged_at: pull.merged_at ?? null,
    merge_commit_sha: pull.merge_commit_sha ?? null,
    head: { label: `${owner}:${pull.head}`, ref: pull.head, sha: pull.head_sha ?? "0".repeat(40) },
    base: { label: `${owner}:${pull.base}`, ref: pull.base, sha: "0".repeat(40) },
    draft: false,
  });

  /** Does what a request asks, as GitHub would, and answers through `answer`. */
  const serve = (
    method: string,
    url: URL,
    body: unknown,
    answer: (status: number, body: unknown, headers?: Record<string, string>) => void,
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
    const commitPulls = /^\/commits\/([0-9a-f]{40})\/pulls$/.exec(rest);
    if (method === "GET" && commitPulls) {
      const sha = commitPulls[1];
      return answer(
        200,
        pulls.filter((pull) => pull.merge_commit_sha === sha || pull.head_sha === sha).map(pullObject),
      );
    }
    if (method === "GET" && rest === "/actions/artifacts") {
      const name = url.searchParams.get("name");
      const found = artifacts
        .filter((artifact) => name === null || artifact.name === name)
        .sort((a, b) => b.id - a.id)
        .map((artifact) => ({
          id: artifact.id,
          node_id: `MDg6QXJ0aWZhY3Q${artifact.id}`,
          name: artifact.name,
          size_in_bytes: artifact.archive.length,
          url: `${serverUrl}/repos/${owner}/${repo}/actions/artifacts/${artifact.id}`,
          archive_download_url: `${serverUrl}/repos/${owner}/${repo}/actions/artifacts/${artifact.id}/zip`,
          expired: artifact.expired,
          digest: null,
          created_at: artifact.createdAt,
          updated_at: artifact.createdAt,
          expires_at: "2027-02-01T00:00:00Z",
          workflow_run: {
            id: artifact.runId,
            repository_id: 42,
            head_repository_id: 42,
            head_branch: "feature",
            head_sha: artifact.headSha,
          },
        }));
      return answer(200, { total_count: found.length, artifacts: found });
    }
    const download = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(rest);
    if (method === "GET" && download) {
      const artifact = artifacts.find((a) => a.id === Number(download[1]));
      if (artifact === undefined) return answer(404, { message: "Not Found" });
      if (artifact.expired) return answer(410, { message: "Artifact has expired" });
      // GitHub answers with a short-lived storage URL to follow.
      return answer(302, "", { location: `${serverUrl}/_blob/artifacts/${artifact.id}.zip` });
    }
    // GET /pulls/:n (the pull request object), GET /pulls/:n/reviews (oldest first) and
    // GET /collaborators/:user/permission, in the shapes of github/rest-api-description
    // (pull-request, pull-request-review, repository-collaborator-permission).
    const pullGet = /^\/pulls\/(\d+)$/.exec(rest);
    if (method === "GET" && pullGet) {
      const pull = pulls.find((p) => p.number === Number(pullGet[1]));
      return pull === undefined ? answer(404, { message: "Not Found" }) : answer(200, pullObject(pull));
    }
    const reviewsGet = /^\/pulls\/(\d+)\/reviews$/.exec(rest);
    if (method === "GET" && reviewsGet) {
      const pull = pulls.find((p) => p.number === Number(reviewsGet[1]));
      if (pull === undefined) return answer(404, { message: "Not Found" });
      return answer(
        200,
        (pull.reviews ?? []).map((review, index) => ({
          id: 80 + index,
          node_id: `PRR_${index}`,
          user: userObject(review.user),
          body: "",
          state: review.state,
          html_url: `${pull.html_url}#pullrequestreview-${80 + index}`,
          pull_request_url: `${serverUrl}/repos/${owner}/${repo}/pulls/${pull.number}`,
          author_association: permissions[review.user] === undefined ? "CONTRIBUTOR" : "COLLABORATOR",
          submitted_at: new Date(Date.UTC(2026, 10, 2, 10, index)).toISOString().replace(".000", ""),
          commit_id: review.commitId,
        })),
      );
    }
    const permissionGet = /^\/collaborators\/([^/]+)\/permission$/.exec(rest);
    if (method === "GET" && permissionGet) {
      const login = decodeURIComponent(permissionGet[1]!);
      const permission = permissions[login] ?? "none";
      return answer(200, { permission, role_name: permission, user: userObject(login) });
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
  serverUrl = `http://127.0.0.1:${port}`;
  return {
    url: serverUrl,
    token,
    requests,
    pulls,
    artifacts,
    permissions,
    addArtifact: ({ name, headSha, files, expired }) => {
      const id = 9000 + artifacts.length + 1;
      const artifact: ServedArtifact = {
        id,
        name,
        headSha,
        runId: 7000 + artifacts.length + 1,
        createdAt: new Date(Date.UTC(2026, 10, 2, 9, artifacts.length)).toISOString().replace(".000", ""),
        expired: expired ?? false,
        archive: zipOf(files),
      };
      artifacts.push(artifact);
      return artifact;
    },
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
