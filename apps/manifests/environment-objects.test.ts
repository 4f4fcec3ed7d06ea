import { environments } from "../../environments/environments";
import type { EnvironmentName } from "../../environments/settings";
import { parseStackConfig, type StackConfig } from "../../stack-config/schema";
import { schemaProblems } from "../../test/kubernetes-schema";
import type { AppDefinition } from "../app-definition";
import { appNames, apps, type AppName } from "../catalog";
import { MissingDeployTimeValueError } from "./deploy-time-values";
import { isRecord, valueAt } from "../../lib/values";
import type { KubeObject } from "./kube-object";
import { clusterIssuer } from "./certificates";
import {
  appObjects,
  certificateObjects,
  environmentObjects,
  imageEntry,
  namespaceObjects,
  resolveDeployTimeValues,
  sortObjects,
} from "./environment-objects";
import { mysqlUsersNamespace } from "./mysql-users";
import { secretChecksumAnnotation } from "./rollout-checksums";

const tags: Readonly<Record<AppName, string>> = {
  "main-api": "1.5.0",
  web: "2.3.1",
  "customer-api": "0.9.0",
};
const digests: Readonly<Record<AppName, string>> = {
  "main-api": `sha256:${"1".repeat(64)}`,
  web: `sha256:${"2".repeat(64)}`,
  "customer-api": `sha256:${"3".repeat(64)}`,
};

/** A valid stack config, as `Pulumi.<environment>.yaml` holds it: production pins digests. */
function stackConfig(environment: EnvironmentName, deployed: readonly AppName[] = appNames): StackConfig {
  const images = Object.fromEntries(
    deployed.map((app) => [
      app,
      environment === "production" ? { tag: tags[app], digest: digests[app] } : { tag: tags[app] },
    ]),
  );
  return parseStackConfig(environment, { "azure-native:location": "westeurope", "platform:images": images });
}

const rendered = (environment: EnvironmentName, deployed?: readonly AppName[]): KubeObject[] => {
  const config = stackConfig(environment, deployed);
  return environmentObjects(config, "contosoplatformacr.azurecr.io");
};

function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${objects.map(kindAndName).join(", ")}`);
  return found;
}

const kindAndName = (object: KubeObject): string => `${object.kind}/${object.metadata.name}`;

/** The pod spec of a workload, wherever its kind keeps it. */
function podSpec(object: KubeObject): Record<string, unknown> {
  const spec =
    object.kind === "CronJob"
      ? valueAt(object, ["spec", "jobTemplate", "spec", "template", "spec"])
      : valueAt(object, ["spec", "template", "spec"]);
  if (!isRecord(spec)) throw new Error(`${kindAndName(object)} has no pod spec`);
  return spec;
}

function containers(object: KubeObject): Record<string, unknown>[] {
  return podSpec(object).containers as Record<string, unknown>[];
}

const workloadKinds = ["Deployment", "CronJob", "Job"];
const workloads = (objects: readonly KubeObject[]) => objects.filter((o) => workloadKinds.includes(o.kind));

const expectedLayout = {
  acceptance: { mysql: "10.10.4.0/27", privateEndpoints: "10.10.5.0/27" },
  production: { mysql: "10.20.4.0/27", privateEndpoints: "10.20.5.0/27" },
} as const;

/** The objects of the Job that creates the MySQL users, in a namespace of their own (see mysql-users.test.ts). */
const isMysqlUsersObject = (object: KubeObject): boolean =>
  object.metadata.namespace === mysqlUsersNamespace ||
  (object.kind === "Namespace" && object.metadata.name === mysqlUsersNamespace);

/** A value for every deploy-time token the rendered objects may hold. */
const deployTimeValues: Readonly<Record<string, string>> = {
  "mysql.host": "mysql.example.com",
  "mysql.admin.username": "platformadmin",
  "mysql.admin.password": "adm1n",
  "redis.host": "redis.example.com",
  ...Object.fromEntries(
    appNames.flatMap((app) => [
      [`mysql.${app}.password`, `${app}-s3cret`],
      [`identity.${app}.clientId`, `${app}-client`],
      [`identity.${app}.principalId`, `${app}-principal`],
      [`image.${app}.digest`, digests[app]],
    ]),
  ),
};

describe.each(["acceptance", "production"] as const)("the objects of %s", (environment) => {
  const all = rendered(environment);
  const objects = all.filter((object) => !isMysqlUsersObject(object));

  it("put every namespaced object in the apps namespace", () => {
    for (const object of objects.filter((o) => !["Namespace", "ClusterIssuer"].includes(o.kind))) {
      expect([kindAndName(object), object.metadata.namespace]).toEqual([kindAndName(object), "apps"]);
    }
  });

  it("hold the apps namespace to the restricted pod security level", () => {
    expect(find(objects, "Namespace", "apps").metadata.labels).toEqual({
      "app.kubernetes.io/part-of": "platform",
      "app.kubernetes.io/managed-by": "pulumi",
      "platform/environment": environment,
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  it("deny all traffic of the namespace by default and allow DNS to kube-system", () => {
    expect(find(objects, "NetworkPolicy", "default-deny").spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    expect(find(objects, "NetworkPolicy", "allow-dns").spec).toEqual({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    });
  });

  it("run every pod as a non-root user, without privileges, on a read-only root", () => {
    expect(workloads(objects).map(kindAndName).sort()).toEqual(
      [
        "CronJob/main-api-scheduler",
        "Deployment/customer-api",
        "Deployment/main-api",
        "Deployment/main-api-queue",
        "Deployment/web",
        `Job/customer-api-migrate-0-9-0`,
        `Job/main-api-migrate-1-5-0`,
      ].sort(),
    );
    for (const workload of workloads(objects)) {
      const spec = podSpec(workload);
      expect([kindAndName(workload), spec.securityContext]).toEqual([
        kindAndName(workload),
        {
          runAsNonRoot: true,
          runAsUser: 10001,
          runAsGroup: 10001,
          supplementalGroups: [10001],
          fsGroup: 10001,
          seccompProfile: { type: "RuntimeDefault" },
        },
      ]);
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.enableServiceLinks).toBe(false);
      expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
      for (const container of containers(workload)) {
        expect([kindAndName(workload), container.securityContext]).toEqual([
          kindAndName(workload),
          {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
          },
        ]);
        expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
      }
    }
  });

  it("give every app a ServiceAccount without a token", () => {
    for (const app of appNames) {
      expect(find(objects, "ServiceAccount", app).automountServiceAccountToken).toBe(false);
      for (const workload of workloads(objects).filter(
        (o) => o.metadata.labels?.["app.kubernetes.io/name"] === app,
      )) {
        expect(podSpec(workload).serviceAccountName).toBe(app);
      }
    }
  });

  it.each(appNames)("probe %s's web pods on its health endpoints and port", (app) => {
    const [container] = containers(find(objects, "Deployment", app));
    expect(container?.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container?.startupProbe).toEqual({
      httpGet: { path: "/health/live", port: 8080 },
      periodSeconds: 2,
      failureThreshold: 30,
    });
    expect(container?.readinessProbe).toEqual({
      httpGet: { path: "/health/ready", port: 8080 },
      periodSeconds: 5,
      failureThreshold: 3,
    });
    expect(container?.livenessProbe).toEqual({
      httpGet: { path: "/health/live", port: 8080 },
      periodSeconds: 10,
      failureThreshold: 3,
    });
  });

  it("give workers, tasks and migrations their command and no probes", () => {
    const mainApi = apps["main-api"];
    const expected: Record<string, readonly string[] | undefined> = {
      "main-api-queue": mainApi.workers?.[0]?.command,
      "main-api-scheduler": mainApi.schedules?.[0]?.command,
      "main-api-migrate-1-5-0": mainApi.migrate,
      "customer-api-migrate-0-9-0": apps["customer-api"].migrate,
    };
    expect(Object.values(expected).every((command) => command !== undefined && command.length > 0)).toBe(
      true,
    );
    const commanded = workloads(objects).filter((o) => o.metadata.name in expected);
    expect(commanded).toHaveLength(4);
    for (const workload of commanded) {
      const [container] = containers(workload);
      expect(container?.command).toEqual(expected[workload.metadata.name]);
      expect(container?.readinessProbe).toBeUndefined();
      expect(container?.livenessProbe).toBeUndefined();
      expect(container?.ports).toBeUndefined();
    }
  });

  it("request CPU and memory and limit memory as each app defines", () => {
    const resources = (kind: string, name: string) => containers(find(objects, kind, name))[0]?.resources;
    expect(resources("Deployment", "main-api")).toEqual({
      requests: { cpu: "250m", memory: "256Mi" },
      limits: { memory: "512Mi" },
    });
    expect(resources("Deployment", "web")).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { memory: "256Mi" },
    });
    expect(resources("Deployment", "customer-api")).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { memory: "256Mi" },
    });
    expect(resources("Deployment", "main-api-queue")).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { memory: "256Mi" },
    });
    expect(resources("CronJob", "main-api-scheduler")).toEqual({
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { memory: "128Mi" },
    });
  });

  it("roll Deployments without ever going below the wanted count", () => {
    for (const deployment of objects.filter((o) => o.kind === "Deployment")) {
      expect(valueAt(deployment, ["spec", "strategy"])).toEqual({
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" },
      });
    }
  });

  it("select pods by stable labels only", () => {
    const deployment = find(objects, "Deployment", "main-api-queue");
    expect(valueAt(deployment, ["spec", "selector"])).toEqual({
      matchLabels: { "app.kubernetes.io/name": "main-api", "app.kubernetes.io/instance": "main-api-queue" },
    });
    expect(valueAt(deployment, ["spec", "template", "metadata", "labels"])).toEqual({
      "app.kubernetes.io/name": "main-api",
      "app.kubernetes.io/instance": "main-api-queue",
      "app.kubernetes.io/component": "worker",
      "app.kubernetes.io/part-of": "platform",
      "app.kubernetes.io/managed-by": "pulumi",
      "azure.workload.identity/use": "true",
    });
    expect(valueAt(find(objects, "Service", "web"), ["spec"])).toEqual({
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web" },
      ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }],
    });
    expect(valueAt(find(objects, "PodDisruptionBudget", "web"), ["spec"])).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web" } },
    });
  });

  it("let each app's web pods accept HTTP from the namespace and the API server's proxy, and public apps from the ingress controller", () => {
    const from = (app: string) => valueAt(find(objects, "NetworkPolicy", `${app}-ingress`), ["spec"]);
    const namespacePods = { podSelector: {} };
    const ingressController = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "app-routing-system" } },
    };
    const policy = (app: string, peers: object[]) => ({
      podSelector: { matchLabels: { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": app } },
      policyTypes: ["Ingress"],
      ingress: [{ from: peers, ports: [{ protocol: "TCP", port: 8080 }] }],
    });
    // The API server's service proxy (platform verify) arrives from AKS's konnectivity agents.
    const apiServerProxy = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { app: "konnectivity-agent" } },
    };
    expect(from("main-api")).toEqual(policy("main-api", [namespacePods, ingressController, apiServerProxy]));
    expect(from("web")).toEqual(policy("web", [namespacePods, ingressController, apiServerProxy]));
    expect(from("customer-api")).toEqual(policy("customer-api", [namespacePods, apiServerProxy]));
  });

  it("let each app's pods reach only the backing services it uses and the other apps", () => {
    const { mysql, privateEndpoints } = expectedLayout[environment];
    const toMysql = { to: [{ ipBlock: { cidr: mysql } }], ports: [{ protocol: "TCP", port: 3306 }] };
    const toRedis = {
      to: [{ ipBlock: { cidr: privateEndpoints } }],
      ports: [{ protocol: "TCP", port: 10000 }],
    };
    const toEntra = {
      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
      ports: [{ protocol: "TCP", port: 443 }],
    };
    const toApps = { to: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] };
    const policy = (app: string, egress: object[]) => ({
      podSelector: { matchLabels: { "app.kubernetes.io/name": app } },
      policyTypes: ["Egress"],
      egress,
    });
    const egress = (app: string) => valueAt(find(objects, "NetworkPolicy", `${app}-egress`), ["spec"]);
    expect(egress("main-api")).toEqual(policy("main-api", [toMysql, toRedis, toEntra, toApps]));
    expect(egress("web")).toEqual(policy("web", [toRedis, toEntra, toApps]));
    expect(egress("customer-api")).toEqual(policy("customer-api", [toMysql, toApps]));
  });

  it("pass each app's settings and the platform's through its ConfigMap", () => {
    expect(find(objects, "ConfigMap", "main-api-config").data).toEqual({
      APP_NAME: "main-api",
      LOG_CHANNEL: "stderr",
      QUEUE_CONNECTION: "redis",
      CACHE_STORE: "redis",
      DB_CONNECTION: "mysql",
      DB_PORT: "3306",
      MYSQL_ATTR_SSL_CA: "/etc/ssl/certs/ca-certificates.crt",
      REDIS_SCHEME: "tls",
      REDIS_CLIENT: "phpredis",
      REDIS_HOST: "(known after deploy: redis.host)",
      REDIS_PORT: "10000",
      REDIS_USERNAME: "(known after deploy: identity.main-api.principalId)",
      APP_ENV: environment,
    });
    expect(find(objects, "ConfigMap", "web-config").data).toEqual({
      APP_NAME: "web",
      LOG_CHANNEL: "stderr",
      SESSION_DRIVER: "redis",
      API_URL: "http://main-api",
      REDIS_SCHEME: "tls",
      REDIS_CLIENT: "phpredis",
      REDIS_HOST: "(known after deploy: redis.host)",
      REDIS_PORT: "10000",
      REDIS_USERNAME: "(known after deploy: identity.web.principalId)",
      APP_ENV: environment,
    });
    expect(find(objects, "ConfigMap", "customer-api-config").data).toEqual({
      APP_NAME: "customer-api",
      LOG_CHANNEL: "stderr",
      DB_CONNECTION: "mysql",
      DB_PORT: "3306",
      MYSQL_ATTR_SSL_CA: "/etc/ssl/certs/ca-certificates.crt",
      APP_ENV: environment,
    });
  });

  it("pass each app its own MySQL user's credentials through a Secret, as deploy-time tokens, and no Redis key", () => {
    expect(find(objects, "Secret", "main-api-secrets")).toMatchObject({
      type: "Opaque",
      stringData: {
        DB_HOST: "(known after deploy: mysql.host)",
        DB_DATABASE: "main_api",
        DB_USERNAME: "main_api",
        DB_PASSWORD: "(known after deploy: mysql.main-api.password)",
      },
    });
    expect(Object.keys(find(objects, "Secret", "main-api-secrets").stringData as object)).toHaveLength(4);
    expect(find(objects, "Secret", "customer-api-secrets").stringData).toEqual({
      DB_HOST: "(known after deploy: mysql.host)",
      DB_DATABASE: "customer_api",
      DB_USERNAME: "customer_api",
      DB_PASSWORD: "(known after deploy: mysql.customer-api.password)",
    });
    // web uses only Redis, which takes its identity's token: it has no Secret at all.
    expect(objects.filter((o) => o.kind === "Secret").map(kindAndName)).toEqual([
      "Secret/customer-api-secrets",
      "Secret/main-api-secrets",
    ]);
    expect(containers(find(objects, "Deployment", "web"))[0]?.envFrom).toEqual([
      { configMapRef: { name: "web-config" } },
    ]);
    expect(JSON.stringify(objects)).not.toContain("mysql.admin");
  });

  it("give each app's ServiceAccount its identity's client id, and every pod of the app the identity", () => {
    for (const app of appNames) {
      expect(find(objects, "ServiceAccount", app).metadata.annotations).toEqual({
        "azure.workload.identity/client-id": `(known after deploy: identity.${app}.clientId)`,
      });
    }
    for (const workload of workloads(objects)) {
      const template =
        workload.kind === "CronJob"
          ? valueAt(workload, ["spec", "jobTemplate", "spec", "template"])
          : valueAt(workload, ["spec", "template"]);
      expect([
        kindAndName(workload),
        valueAt(template, ["metadata", "labels", "azure.workload.identity/use"]),
      ]).toEqual([kindAndName(workload), "true"]);
      expect(podSpec(workload).serviceAccountName).toBe(workload.metadata.labels?.["app.kubernetes.io/name"]);
    }
  });

  it("let every workload of an app that uses MySQL wait for the Job that creates its user", () => {
    const waiting = workloads(objects)
      .filter((o) => o.metadata.annotations?.["platform/waits-for-job"] === "mysql-users/mysql-users")
      .map(kindAndName)
      .sort();
    expect(waiting).toEqual(
      workloads(objects)
        .filter((o) => o.metadata.labels?.["app.kubernetes.io/name"] !== "web")
        .map(kindAndName)
        .sort(),
    );
    expect(waiting).toContain("Deployment/main-api");
    expect(waiting).toContain(`Job/main-api-migrate-${tags["main-api"].replace(/\./g, "-")}`);
  });

  it("route each public host to its app over TLS through the application routing add-on", () => {
    const hosts = {
      acceptance: { "main-api": "api.acceptance.example.com", web: "acceptance.example.com" },
      production: { "main-api": "api.example.com", web: "www.example.com" },
    }[environment];
    for (const [app, host] of Object.entries(hosts)) {
      expect(find(objects, "Ingress", app).metadata).toEqual({
        name: app,
        namespace: "apps",
        labels: {
          "app.kubernetes.io/name": app,
          "app.kubernetes.io/instance": app,
          "app.kubernetes.io/component": "web",
          "app.kubernetes.io/part-of": "platform",
          "app.kubernetes.io/managed-by": "pulumi",
        },
        annotations: { "cert-manager.io/cluster-issuer": "acme" },
      });
      expect(find(objects, "Ingress", app).spec).toEqual({
        ingressClassName: "webapprouting.kubernetes.azure.com",
        tls: [{ hosts: [host], secretName: `${app}-tls` }],
        rules: [
          {
            host,
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: { service: { name: app, port: { number: 80 } } } },
              ],
            },
          },
        ],
      });
    }
    expect(objects.filter((o) => o.kind === "Ingress").map(kindAndName)).toEqual([
      "Ingress/main-api",
      "Ingress/web",
    ]);
  });

  it("get each public host a trusted certificate from Let's Encrypt through cert-manager (HTTP-01)", () => {
    expect(find(all, "ClusterIssuer", "acme")).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: {
        name: "acme",
        labels: { "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/managed-by": "pulumi" },
      },
      spec: {
        acme: {
          server: "https://acme-v02.api.letsencrypt.org/directory",
          privateKeySecretRef: { name: "acme-account-key" },
          solvers: [
            {
              http01: {
                ingress: {
                  ingressClassName: "webapprouting.kubernetes.azure.com",
                  podTemplate: {
                    spec: {
                      securityContext: {
                        runAsNonRoot: true,
                        runAsUser: 65532,
                        runAsGroup: 65532,
                        supplementalGroups: [65532],
                        fsGroup: 65532,
                        seccompProfile: { type: "RuntimeDefault" },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
    // The solver pods run in apps, behind its default-deny: NGINX must reach them on 8089.
    expect(find(objects, "NetworkPolicy", "acme-http01-solver").spec).toEqual({
      podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "app-routing-system" } } },
          ],
          ports: [{ protocol: "TCP", port: 8089 }],
        },
      ],
    });
  });

  it("validate against the Kubernetes OpenAPI schemas, every object", () => {
    expect(schemaProblems(all)).toEqual([]);
  });

  it("still validate once the deploy-time values are filled in", () => {
    const resolved = resolveDeployTimeValues(all, deployTimeValues);
    expect(JSON.stringify(resolved)).not.toContain("known after deploy");
    expect(schemaProblems(resolved)).toEqual([]);
  });

  it("list what a pod needs before the pod, and what names a workload after it", () => {
    const index = (kind: string, name: unknown, namespace?: string): number =>
      all.findIndex(
        (o) =>
          o.kind === kind &&
          o.metadata.name === name &&
          (namespace === undefined || o.metadata.namespace === namespace),
      );
    const before = (
      kind: string,
      name: unknown,
      namespace: string | undefined,
      user: KubeObject,
    ): string[] => {
      const at = index(kind, name, namespace);
      return at >= 0 && at < all.indexOf(user)
        ? []
        : [`${kind}/${String(name)} is not listed before ${kindAndName(user)}`];
    };
    const namesAt = (value: unknown, ...paths: string[][]): unknown[] =>
      (Array.isArray(value) ? value : [])
        .flatMap((item) => paths.map((path) => valueAt(item, path)))
        .filter(Boolean);
    const problems: string[] = [];
    let checked = 0;
    for (const object of all) {
      const namespace = object.metadata.namespace;
      const needs: [string, unknown][] = [];
      if (namespace !== undefined) {
        needs.push(["Namespace", namespace]);
        // Pods start only once their namespace's policies hold: never unrestricted.
        if (workloadKinds.includes(object.kind))
          for (const policy of all.filter(
            (o) => o.kind === "NetworkPolicy" && o.metadata.namespace === namespace,
          ))
            needs.push(["NetworkPolicy", policy.metadata.name]);
      }
      if (workloadKinds.includes(object.kind)) {
        const pod = podSpec(object);
        if (pod.serviceAccountName !== undefined) needs.push(["ServiceAccount", pod.serviceAccountName]);
        const podContainers = [
          ...((pod.initContainers as unknown[] | undefined) ?? []),
          ...((pod.containers as unknown[] | undefined) ?? []),
        ];
        for (const container of podContainers) {
          for (const name of namesAt(valueAt(container, ["envFrom"]), ["configMapRef", "name"]))
            needs.push(["ConfigMap", name]);
          for (const name of namesAt(valueAt(container, ["envFrom"]), ["secretRef", "name"]))
            needs.push(["Secret", name]);
          for (const name of namesAt(valueAt(container, ["env"]), ["valueFrom", "secretKeyRef", "name"]))
            needs.push(["Secret", name]);
        }
        for (const name of namesAt(pod.volumes, ["configMap", "name"])) needs.push(["ConfigMap", name]);
        for (const name of namesAt(pod.volumes, ["secret", "secretName"])) needs.push(["Secret", name]);
      }
      if (object.kind === "HorizontalPodAutoscaler")
        needs.push([
          String(valueAt(object, "spec.scaleTargetRef.kind")),
          valueAt(object, "spec.scaleTargetRef.name"),
        ]);
      if (object.kind === "Ingress") {
        needs.push(["ClusterIssuer", object.metadata.annotations?.["cert-manager.io/cluster-issuer"]]);
        for (const rule of (valueAt(object, "spec.rules") as unknown[] | undefined) ?? [])
          for (const name of namesAt(valueAt(rule, "http.paths"), ["backend", "service", "name"]))
            needs.push(["Service", name]);
      }
      for (const [kind, name] of needs) {
        checked += 1;
        problems.push(
          ...before(
            kind,
            name,
            kind === "Namespace" || kind === "ClusterIssuer" ? undefined : namespace,
            object,
          ),
        );
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it("list objects of one kind by namespace, then name, whatever order they were built in", () => {
    for (const kind of new Set(all.map((o) => o.kind))) {
      const keys = all
        .filter((o) => o.kind === kind)
        .map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`);
      expect(keys).toEqual([...keys].sort());
    }
    expect(sortObjects([...all].reverse())).toEqual(all);
    expect(rendered(environment)).toEqual(all);
  });
});

describe("image references", () => {
  const images = (objects: readonly KubeObject[]) =>
    workloads(objects.filter((o) => !isMysqlUsersObject(o))).flatMap((workload) =>
      ["initContainers", "containers"].flatMap((field) =>
        ((podSpec(workload)[field] as { image: string }[] | undefined) ?? []).map((container) => [
          workload.metadata.labels?.["app.kubernetes.io/name"],
          container.image,
        ]),
      ),
    );

  it("pin production to the registry's tag@digest of each app, exactly", () => {
    const references = images(rendered("production"));
    expect(references).toHaveLength(7);
    for (const [app, image] of references) {
      const name = app as AppName;
      expect(image).toBe(`contosoplatformacr.azurecr.io/${name}:${tags[name]}@${digests[name]}`);
    }
  });

  it("pin acceptance to the digest its own push reports, as a deploy-time token", () => {
    const references = images(rendered("acceptance"));
    expect(references).toHaveLength(7);
    for (const [app, image] of references) {
      const name = app as AppName;
      expect(image).toBe(
        `contosoplatformacr.azurecr.io/${name}:${tags[name]}@(known after deploy: image.${name}.digest)`,
      );
    }
  });

  it("resolve to the pushed digest at deploy time", () => {
    const resolved = resolveDeployTimeValues(rendered("acceptance", ["web"]), deployTimeValues);
    expect(containers(find(resolved, "Deployment", "web"))[0]?.image).toBe(
      `contosoplatformacr.azurecr.io/web:2.3.1@${digests.web}`,
    );
    expect(
      valueAt(find(resolved, "Deployment", "web"), ["spec", "template", "metadata", "annotations"]),
    ).toEqual({
      "platform/config-checksum": expect.stringMatching(/^[a-f0-9]{64}$/) as unknown,
    });
    expect(
      valueAt(find(resolved, "Job", "mysql-users"), ["spec", "template", "metadata", "annotations"]),
    ).toEqual({
      [secretChecksumAnnotation]: expect.stringMatching(/^[a-f0-9]{64}$/) as unknown,
    });
  });

  it("refuse to resolve while a deploy-time value is missing, naming it", () => {
    const resolve = () =>
      resolveDeployTimeValues(
        rendered("acceptance", ["web"]),
        Object.fromEntries(Object.entries(deployTimeValues).filter(([name]) => name !== "image.web.digest")),
      );
    expect(resolve).toThrow(MissingDeployTimeValueError);
    expect(resolve).toThrow("no value for (known after deploy: image.web.digest)");
  });
});

describe("replicas and autoscaling", () => {
  const replicas = (objects: readonly KubeObject[], name: string) =>
    valueAt(find(objects, "Deployment", name), ["spec", "replicas"]);

  it("autoscale main-api and web in production, leaving their replica count to the autoscaler", () => {
    const objects = rendered("production");
    expect(find(objects, "HorizontalPodAutoscaler", "main-api").spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "main-api" },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
    });
    expect(valueAt(find(objects, "HorizontalPodAutoscaler", "web"), ["spec", "maxReplicas"])).toBe(6);
    expect(objects.filter((o) => o.kind === "HorizontalPodAutoscaler").map(kindAndName)).toEqual([
      "HorizontalPodAutoscaler/main-api",
      "HorizontalPodAutoscaler/web",
    ]);
    expect(valueAt(find(objects, "Deployment", "main-api"), ["spec"])).not.toHaveProperty("replicas");
    expect(valueAt(find(objects, "Deployment", "web"), ["spec"])).not.toHaveProperty("replicas");
    expect(replicas(objects, "customer-api")).toBe(2);
    expect(replicas(objects, "main-api-queue")).toBe(2);
  });

  it("run fixed replica counts and no autoscaler in acceptance", () => {
    const objects = rendered("acceptance");
    expect(objects.filter((o) => o.kind === "HorizontalPodAutoscaler")).toEqual([]);
    expect(replicas(objects, "main-api")).toBe(1);
    expect(replicas(objects, "web")).toBe(1);
    expect(replicas(objects, "customer-api")).toBe(1);
    expect(replicas(objects, "main-api-queue")).toBe(1);
  });
});

describe("topology spread", () => {
  const selector = { matchLabels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web" } };
  const byHost = {
    maxSkew: 1,
    topologyKey: "kubernetes.io/hostname",
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: selector,
    matchLabelKeys: ["pod-template-hash"],
  };

  it("spreads production pods over the zones strictly and over nodes where it can", () => {
    expect(podSpec(find(rendered("production"), "Deployment", "web")).topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: selector,
        matchLabelKeys: ["pod-template-hash"],
      },
      byHost,
    ]);
  });

  it("spreads acceptance pods over nodes only: its cluster has no zones", () => {
    expect(podSpec(find(rendered("acceptance"), "Deployment", "web")).topologySpreadConstraints).toEqual([
      byHost,
    ]);
  });
});

describe("the migration Job", () => {
  it("is named after the release, so that a new tag runs a new migration", () => {
    const job = (tag: string) =>
      appObjects(apps["main-api"], environments.production, { tag }).filter((o) => o.kind === "Job");
    const [first] = job("1.5.0");
    const [next] = job("1.6.0-rc.1");
    expect(first?.metadata.name).toBe("main-api-migrate-1-5-0");
    expect(next?.metadata.name).toBe("main-api-migrate-1-6-0-rc-1");
    expect(valueAt(first, ["spec"])).toMatchObject({
      backoffLimit: 1,
      activeDeadlineSeconds: 900,
      template: { spec: { restartPolicy: "Never" } },
    });
  });

  it("exists only for apps that migrate", () => {
    const jobs = rendered("production")
      .filter((o) => o.kind === "Job" && o.metadata.namespace === "apps")
      .map(kindAndName);
    expect(jobs).toEqual(["Job/customer-api-migrate-0-9-0", "Job/main-api-migrate-1-5-0"]);
  });
});

describe("the scheduled tasks", () => {
  it("run as CronJobs that never overlap and keep little history", () => {
    const cronJob = find(rendered("production"), "CronJob", "main-api-scheduler");
    expect(cronJob.spec).toMatchObject({
      schedule: "* * * * *",
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never" } } } },
    });
  });
});

describe("an app without an images entry", () => {
  it("produces nothing: only the deployed app and the namespace are rendered", () => {
    const objects = rendered("production", ["customer-api"]);
    const owners = new Set(objects.map((o) => o.metadata.labels?.["app.kubernetes.io/name"] ?? "namespace"));
    expect([...owners].sort()).toEqual(["customer-api", "mysql-users", "namespace"]);
    expect(objects.map((o) => o.metadata.name).filter((name) => /^(main-api|web)(-|$)/.test(name))).toEqual(
      [],
    );
  });

  it("leaves only the namespace and the MySQL users' Job when no app is deployed", () => {
    expect(rendered("acceptance", []).map(kindAndName)).toEqual([
      "Namespace/apps",
      "Namespace/mysql-users",
      "NetworkPolicy/allow-dns",
      "NetworkPolicy/default-deny",
      "NetworkPolicy/mysql-users",
      "ServiceAccount/mysql-users",
      "Secret/mysql-users",
      "Job/mysql-users",
    ]);
  });
});

describe("the certificate objects", () => {
  it("exist only where a deployed app has a public host", () => {
    const kinds = (deployed: readonly AppName[]) =>
      rendered("production", deployed)
        .filter((o) => o.kind === "ClusterIssuer" || o.metadata.name === "acme-http01-solver")
        .map(kindAndName);
    expect(kinds(["customer-api"])).toEqual([]);
    expect(kinds(["web"])).toEqual(["NetworkPolicy/acme-http01-solver", "ClusterIssuer/acme"]);
    expect(certificateObjects(environments.production).map(kindAndName)).toEqual([
      "ClusterIssuer/acme",
      "NetworkPolicy/acme-http01-solver",
    ]);
  });

  it("register the contact address of the ACME account when the environment has one", () => {
    const issuer = clusterIssuer({
      ...environments.production,
      tls: { ...environments.production.tls, acmeEmail: "platform-team@contoso.com" },
    });
    expect(valueAt(issuer, ["spec", "acme", "email"])).toBe("platform-team@contoso.com");
    expect(valueAt(clusterIssuer(environments.production), ["spec", "acme"])).not.toHaveProperty("email");
  });

  it("are checked against cert-manager's schema: an issuer without ACME server is refused", () => {
    const issuer = clusterIssuer(environments.acceptance);
    const { server: _server, ...acme } = valueAt(issuer, ["spec", "acme"]) as Record<string, unknown>;
    expect(schemaProblems([{ ...issuer, spec: { acme } }])).toEqual([
      "ClusterIssuer/acme: /spec/acme/server: required field missing",
    ]);
    expect(
      schemaProblems([{ ...issuer, spec: { acme: { ...acme, server: "https://x", emial: "a@b.c" } } }]),
    ).toEqual(["ClusterIssuer/acme: /spec/acme/emial: unknown field"]);
  });
});

describe("namespaceObjects", () => {
  it("are the namespace and its two baseline policies", () => {
    expect(namespaceObjects(environments.acceptance).map(kindAndName)).toEqual([
      "Namespace/apps",
      "NetworkPolicy/default-deny",
      "NetworkPolicy/allow-dns",
    ]);
  });
});

describe("an app that uses neither MySQL nor Redis", () => {
  const app: AppDefinition = {
    ...apps["customer-api"],
    uses: { mysql: false, redis: false },
    migrate: undefined,
  };
  const objects = appObjects(app, environments.production, { tag: "1.0.0" });

  it("gets no Secret and reads none", () => {
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(containers(find(objects, "Deployment", "customer-api"))[0]?.envFrom).toEqual([
      { configMapRef: { name: "customer-api-config" } },
    ]);
    expect(find(objects, "ConfigMap", "customer-api-config").data).toEqual({
      APP_NAME: "customer-api",
      LOG_CHANNEL: "stderr",
      APP_ENV: "production",
    });
  });

  it("may reach only the other apps", () => {
    expect(valueAt(find(objects, "NetworkPolicy", "customer-api-egress"), ["spec", "egress"])).toEqual([
      { to: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
  });

  it("still validates against the Kubernetes schemas", () => {
    expect(schemaProblems(objects)).toEqual([]);
  });
});

describe("imageEntry", () => {
  it("pins an app to tag@digest in the registry", () => {
    expect(imageEntry("web", { tag: "2.3.1", digest: digests.web }, "acr.azurecr.io")).toEqual({
      name: "web",
      newName: "acr.azurecr.io/web",
      newTag: "2.3.1",
      digest: digests.web,
    });
  });

  it("leaves the digest of an image still to be built to the deploy", () => {
    expect(imageEntry("web", { tag: "2.3.1" }, "acr.azurecr.io")).toEqual({
      name: "web",
      newName: "acr.azurecr.io/web",
      newTag: "2.3.1",
      digest: "(known after deploy: image.web.digest)",
    });
  });
});
