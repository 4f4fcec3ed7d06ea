import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { testCertificate } from "../test/tls-certificate";

const appsDir = __dirname;
const objectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const accessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.redis-token";
const kubernetesToken = "eyJhbGciOiJSUzI1NiJ9.service-account-token";

describe("the stand-in apps' deep health", () => {
  it("is one module, the same in every app's folder (each folder is its own build context)", () => {
    const web = readFileSync(path.join(appsDir, "web", "deep-health.mjs"), "utf8");
    for (const app of ["main-api", "customer-api"]) {
      expect(readFileSync(path.join(appsDir, app, "deep-health.mjs"), "utf8")).toBe(web);
    }
  });

  describe("web: Redis with its workload identity's Entra token", () => {
    let directory: string;
    let entra: Server;
    let redis: TlsServer;
    let app: ChildProcess | undefined;
    const tokenRequests: { path: string; form: Record<string, string> }[] = [];
    const redisCommands: string[] = [];
    let acceptedUser = objectId;
    let entraPort: number;
    let redisPort: number;

    const listen = (server: Server | TlsServer) =>
      new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
      );
    const freePort = async () => {
      const server = createNetServer();
      const port = await listen(server as unknown as Server);
      await new Promise((resolve) => server.close(resolve));
      return port;
    };

    beforeAll(async () => {
      directory = mkdtempSync(path.join(tmpdir(), "stand-in-"));
      writeFileSync(path.join(directory, "azure-identity-token"), `${kubernetesToken}\n`);
      writeFileSync(path.join(directory, "ca.pem"), testCertificate().cert);
      entra = createHttpServer((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => {
          tokenRequests.push({
            path: request.url ?? "",
            form: Object.fromEntries(new URLSearchParams(body)),
          });
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: accessToken }));
        });
      });
      redis = createTlsServer({ cert: testCertificate().cert, key: testCertificate().key }, (socket) => {
        let buffered = "";
        socket.on("data", (chunk: Buffer) => {
          buffered += chunk.toString();
          // AUTH <user> <token> then PING, as RESP arrays.
          if (!buffered.includes("PING\r\n")) return;
          redisCommands.push(buffered);
          const authorized = buffered.includes(`$${acceptedUser.length}\r\n${acceptedUser}\r\n`);
          socket.end(
            authorized
              ? "+OK\r\n+PONG\r\n"
              : "-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n",
          );
        });
      });
      [entraPort, redisPort] = [await listen(entra), await listen(redis)];
    });

    afterEach(() => {
      app?.kill();
      app = undefined;
    });

    afterAll(async () => {
      await new Promise((resolve) => entra.close(resolve));
      await new Promise((resolve) => redis.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    });

    async function deepHealth(): Promise<{ status: number; body: unknown }> {
      const port = await freePort();
      app = spawn(process.execPath, [path.join(appsDir, "web", "server.mjs")], {
        env: {
          PATH: process.env.PATH ?? "",
          PORT: String(port),
          NODE_EXTRA_CA_CERTS: path.join(directory, "ca.pem"),
          // What the platform's ConfigMap sets (apps/manifests/workload-objects.ts) ...
          REDIS_SCHEME: "tls",
          REDIS_HOST: "127.0.0.1",
          REDIS_PORT: String(redisPort),
          REDIS_USERNAME: objectId,
          // ... and what AKS's workload identity webhook injects.
          AZURE_CLIENT_ID: "6b0c1d2e-3f40-4152-8637-48596a7b8c9d",
          AZURE_TENANT_ID: "0f1e2d3c-4b5a-4697-8877-665544332211",
          AZURE_FEDERATED_TOKEN_FILE: path.join(directory, "azure-identity-token"),
          AZURE_AUTHORITY_HOST: `http://127.0.0.1:${entraPort}/`,
        },
        stdio: "ignore",
      });
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/health/deep`);
          return { status: response.status, body: await response.json() };
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }

    it("exchanges the federated token for a Redis token, then AUTHs as its object id over TLS", async () => {
      acceptedUser = objectId;
      const answer = await deepHealth();
      expect(answer).toEqual({
        status: 200,
        body: { status: "ok", checks: { redis: { ok: true, user: objectId } } },
      });
      expect(tokenRequests.at(-1)).toEqual({
        path: "/0f1e2d3c-4b5a-4697-8877-665544332211/oauth2/v2.0/token",
        form: {
          client_id: "6b0c1d2e-3f40-4152-8637-48596a7b8c9d",
          scope: "https://redis.azure.com/.default",
          grant_type: "client_credentials",
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: kubernetesToken,
        },
      });
      expect(redisCommands.at(-1)).toBe(
        `*3\r\n$4\r\nAUTH\r\n$${objectId.length}\r\n${objectId}\r\n$${accessToken.length}\r\n${accessToken}\r\n*1\r\n$4\r\nPING\r\n`,
      );
    });

    it("answers 503 with Redis's refusal when the AUTH fails", async () => {
      acceptedUser = "someone-else";
      const answer = await deepHealth();
      expect(answer).toEqual({
        status: 503,
        body: {
          status: "failed",
          checks: {
            redis: {
              ok: false,
              error: `AUTH as ${objectId} refused: WRONGPASS invalid username-password pair or user is disabled.`,
            },
          },
        },
      });
    });
  });
});
