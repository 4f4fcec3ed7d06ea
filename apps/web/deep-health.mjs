// Deep health of the stand-in apps (GET /health/deep): proves the data paths the platform wires,
// each with the app's own identity, as `platform verify` asks through the app's Service.
// - MySQL (DB_HOST set): a login as the app's own user (DB_USERNAME/DB_PASSWORD from its Secret)
//   over TLS, verifying the server's certificate against MYSQL_ATTR_SSL_CA; mysql2, loaded only
//   by the apps that use MySQL (their image installs it from package-lock.json).
// - Redis (REDIS_HOST set): an Entra token of the app's workload identity for
//   https://redis.azure.com/.default, then `AUTH <object id> <token>` and `PING` over TLS.
// The token comes from the variables AKS's workload identity webhook injects (Azure/azure-workload-
// identity pkg/webhook/consts.go: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE,
// AZURE_AUTHORITY_HOST), exchanged as a client assertion (the federated token file's content) at
// `<authority><tenant>/oauth2/v2.0/token`, as MSAL's workload identity credential does.
// No dependency: a minimal RESP client over node:tls. Identical in every stand-in's folder (each is
// its own build context); test/stand-in-apps.test.ts keeps the copies equal.
/* global fetch, AbortSignal -- Node 22's own, as in the browser */
import { Buffer } from "node:buffer";
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import tls from "node:tls";
import { URL, URLSearchParams } from "node:url";

/** The scope of an Entra token that Azure Managed Redis takes (Microsoft Entra authentication). */
export const redisScope = "https://redis.azure.com/.default";

const timeoutMs = () => Number(process.env.DEEP_HEALTH_TIMEOUT_MS ?? 5000);

/** An Entra access token of the pod's workload identity for `scope`. */
export async function workloadIdentityToken(env, scope) {
  const tenant = env.AZURE_TENANT_ID;
  const clientId = env.AZURE_CLIENT_ID;
  const tokenFile = env.AZURE_FEDERATED_TOKEN_FILE;
  if (!tenant || !clientId || !tokenFile) {
    throw new Error(
      "no workload identity: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE are not all set (pod label azure.workload.identity/use, ServiceAccount annotation azure.workload.identity/client-id)",
    );
  }
  const authority = env.AZURE_AUTHORITY_HOST || "https://login.microsoftonline.com/";
  const url = new URL(`${tenant}/oauth2/v2.0/token`, authority.endsWith("/") ? authority : `${authority}/`);
  const assertion = (await readFile(tokenFile, "utf8")).trim();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: clientId,
      scope,
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    }),
    signal: AbortSignal.timeout(timeoutMs()),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok || typeof answer.access_token !== "string") {
    const said = answer.error_description ?? answer.error ?? "no access_token in the answer";
    throw new Error(
      `Entra ID refused the token exchange (HTTP ${response.status}): ${String(said).split("\r\n")[0]}`,
    );
  }
  return answer.access_token;
}

/** A RESP command: an array of bulk strings. */
export function respCommand(...args) {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`;
}

/** Sends `commands` over one TLS connection and resolves with their simple-string or error replies. */
function redisExchange(env, commands) {
  const host = env.REDIS_HOST;
  // The port is the cache's contract (infra/redis-cache.contract.ts), given in the settings: no
  // default here, which would outlive a change of the cache.
  if (!env.REDIS_PORT) throw new Error("REDIS_PORT (the cache's port, from the app's settings) is not set");
  const port = Number(env.REDIS_PORT);
  return new Promise((resolve, reject) => {
    const replies = [];
    let buffered = "";
    const socket = tls.connect({ host, port, ...(isIP(host) ? {} : { servername: host }) }, () => {
      socket.write(commands.map((command) => respCommand(...command)).join(""));
    });
    socket.setTimeout(timeoutMs(), () =>
      socket.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs()} ms`)),
    );
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf("\r\n")) >= 0) {
        replies.push(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
      }
      if (replies.length >= commands.length) {
        socket.end();
        resolve(replies);
      }
    });
    socket.on("error", reject);
    socket.on("close", () =>
      reject(new Error(`${host}:${port} closed the connection after ${replies.length} replies`)),
    );
  });
}

/** Redis: AUTH as the identity's object id with its Entra token, then PING. */
export async function redisCheck(env) {
  if (env.REDIS_SCHEME !== undefined && env.REDIS_SCHEME !== "tls") {
    throw new Error(`REDIS_SCHEME is '${env.REDIS_SCHEME}'; the platform's cache takes TLS only`);
  }
  const user = env.REDIS_USERNAME;
  if (!user) throw new Error("REDIS_USERNAME (the identity's object id) is not set");
  const token = await workloadIdentityToken(env, redisScope);
  const [auth, ping] = await redisExchange(env, [["AUTH", user, token], ["PING"]]);
  if (auth !== "+OK") throw new Error(`AUTH as ${user} refused: ${auth.replace(/^-/, "")}`);
  if (ping !== "+PONG") throw new Error(`PING answered ${ping.replace(/^-/, "")}`);
  return { ok: true, user };
}

/** MySQL: a login as the app's own user over verified TLS; the session's user and TLS version. */
export async function mysqlCheck(env) {
  const { default: mysql } = await import("mysql2/promise");
  const connection = await mysql.createConnection({
    host: env.DB_HOST,
    port: Number(env.DB_PORT ?? 3306),
    user: env.DB_USERNAME,
    password: env.DB_PASSWORD,
    database: env.DB_DATABASE,
    ssl: {
      ca: await readFile(env.MYSQL_ATTR_SSL_CA ?? "/etc/ssl/certs/ca-certificates.crt"),
      rejectUnauthorized: true,
    },
    connectTimeout: timeoutMs(),
  });
  try {
    const [[session]] = await connection.query("SELECT CURRENT_USER() AS user");
    const [[status]] = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
    const version = status?.Value ?? "";
    if (version === "") throw new Error("the session is not encrypted (Ssl_version is empty)");
    return { ok: true, user: session.user, tls: version };
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/**
 * The deep health of the data paths the pod's settings name: MySQL when DB_HOST is set, Redis
 * when REDIS_HOST is. `ok` only when every one of them works.
 */
export async function deepHealth(env) {
  const paths = [
    ...(env.DB_HOST ? [["mysql", mysqlCheck]] : []),
    ...(env.REDIS_HOST ? [["redis", redisCheck]] : []),
  ];
  const results = await Promise.all(
    paths.map(async ([name, check]) => {
      try {
        return [name, await check(env)];
      } catch (error) {
        const code = error?.code ? `${error.code}: ` : "";
        return [name, { ok: false, error: `${code}${error?.message ?? String(error)}` }];
      }
    }),
  );
  const checks = Object.fromEntries(results);
  const ok = results.every(([, result]) => result.ok === true);
  return { ok, body: { status: ok ? "ok" : "failed", checks } };
}
