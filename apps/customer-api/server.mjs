// Stand-in for the customer API until the team points apps/customer-api/app.ts at its repository.
// `node server.mjs migrate` stands in for the database migration the real app runs per release.
import http from "node:http";
import { deepHealth } from "./deep-health.mjs";

if (process.argv[2] === "migrate") {
  console.log("customer-api migrate: nothing to do");
} else {
  http
    .createServer((request, response) => {
      if (request.url === "/health/deep") {
        void deepHealth(process.env).then(({ ok, body }) => {
          response.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
          response.end(JSON.stringify(body));
        });
        return;
      }
      const healthy = request.url === "/health/ready" || request.url === "/health/live";
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(healthy ? { status: "ok" } : { app: "customer-api", customers: [] }));
    })
    .listen(Number(process.env.PORT ?? 8080));
}
