import type { AppDefinition } from "../app-definition";

/** The web app: server-rendered pages; talks to the main API, keeps sessions in Redis. */
export const web: AppDefinition = {
  name: "web",
  description: "The web app",
  source: { kind: "folder", path: "apps/web" },
  port: 8080,
  health: { readiness: "/health/ready", liveness: "/health/live", deep: "/health/deep" },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  replicas: { default: 1, production: 3 },
  autoscaling: { production: { minReplicas: 3, maxReplicas: 6, targetCpuUtilization: 70 } },
  uses: { mysql: false, redis: true },
  publicHost: { acceptance: "acceptance.example.com", production: "www.example.com" },
  settings: { APP_NAME: "web", LOG_CHANNEL: "stderr", SESSION_DRIVER: "redis", API_URL: "http://main-api" },
};
