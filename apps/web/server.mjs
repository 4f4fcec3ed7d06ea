// Stand-in for the web app until the team points apps/web/app.ts at its repository.
import http from "node:http";
import { deepHealth } from "./deep-health.mjs";

http
  .createServer((request, response) => {
    if (request.url === "/health/deep") {
      void deepHealth(process.env).then(({ ok, body }) => {
        response.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      });
      return;
    }
    if (request.url?.startsWith("/health/")) {
      response.writeHead(204).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>web</title><h1>web stand-in</h1>");
  })
  .listen(Number(process.env.PORT ?? 8080));
