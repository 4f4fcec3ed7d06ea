// Stand-in for the main API until the team points apps/main-api/app.ts at its repository.
// `node server.mjs` serves HTTP; `migrate`, `work` and `schedule` mimic Laravel's artisan commands.
import http from "node:http";
import { deepHealth } from "./deep-health.mjs";

const command = process.argv[2] ?? "serve";
const log = (message) => console.log(JSON.stringify({ app: "main-api", command, message }));

if (command === "migrate" || command === "schedule") {
  log(`${command}: nothing to do`);
} else if (command === "work") {
  log("waiting for jobs");
  setInterval(() => log("idle"), 60_000);
} else {
  const health = { "/health/ready": "ready", "/health/live": "live" };
  http
    .createServer((request, response) => {
      if (request.url === "/health/deep") {
        void deepHealth(process.env).then(({ ok, body }) => {
          response.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
          response.end(JSON.stringify(body));
        });
        return;
      }
      const status = health[request.url];
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify(status ? { status } : { app: "main-api", version: process.env.APP_VERSION ?? "dev" }),
      );
    })
    .listen(Number(process.env.PORT ?? 8080), () => log("listening"));
}
