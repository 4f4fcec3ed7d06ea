import type { AppDefinition } from "../app-definition";

/** The customer-specific API: its own database, reached only from inside the cluster. */
export const customerApi: AppDefinition = {
  name: "customer-api",
  description: "The customer-specific API",
  source: { kind: "folder", path: "apps/customer-api" },
  port: 8080,
  health: { readiness: "/health/ready", liveness: "/health/live", deep: "/health/deep" },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  replicas: { default: 1, production: 2 },
  uses: { mysql: true, redis: false },
  settings: { APP_NAME: "customer-api", LOG_CHANNEL: "stderr" },
  migrate: ["node", "server.mjs", "migrate"],
};
