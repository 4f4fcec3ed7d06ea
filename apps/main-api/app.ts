import type { AppDefinition } from "../app-definition";

/** The main API: a Laravel application with a queue worker and the scheduler. */
export const mainApi: AppDefinition = {
  name: "main-api",
  description: "The main API",
  // A team points this at its repository: { kind: "git", repository: "https://github.com/<org>/main-api.git" }
  source: { kind: "folder", path: "apps/main-api" },
  port: 8080,
  health: { readiness: "/health/ready", liveness: "/health/live", deep: "/health/deep" },
  resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  replicas: { default: 1, production: 3 },
  autoscaling: { production: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 } },
  uses: { mysql: true, redis: true },
  publicHost: { acceptance: "api.acceptance.example.com", production: "api.example.com" },
  settings: { APP_NAME: "main-api", LOG_CHANNEL: "stderr", QUEUE_CONNECTION: "redis", CACHE_STORE: "redis" },
  migrate: ["node", "server.mjs", "migrate"],
  workers: [
    {
      name: "queue",
      command: ["node", "server.mjs", "work"],
      replicas: { default: 1, production: 2 },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    },
  ],
  schedules: [
    {
      name: "scheduler",
      schedule: "* * * * *",
      command: ["node", "server.mjs", "schedule"],
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    },
  ],
};
