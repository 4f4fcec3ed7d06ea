import type { EnvironmentSettings } from "../../environments/settings";
import { networkLayout } from "../../environments/network-layout";
import type { AppDefinition } from "../app-definition";
import { databaseName, persistentNames } from "../persistent-names";
import { deployTimeValue } from "./deploy-time-values";
import {
  replaceUnreadyAnnotations,
  restrictedPodSecurityContext,
  runAsId,
  type KubeObject,
} from "./kube-object";
import { appLabels, restrictedNamespace, workloadLabels } from "./labels";
import { clusterDnsEgress, mysqlPort } from "./network-policies";

/**
 * The namespace of the Job that creates the apps' MySQL users. It alone holds the server's
 * administrator password: no app's pod can mount a Secret of another namespace.
 */
export const mysqlUsersNamespace = "mysql-users";

/** The name of the Job, its Secret, ServiceAccount and NetworkPolicy, and their `app.kubernetes.io/name`. */
export const mysqlUsersName = "mysql-users";

/**
 * Annotation on a workload (`<namespace>/<name>` of a Job): the workload is applied only once
 * that Job has completed. The apps that use MySQL wait so for {@link mysqlUsersName}.
 */
export const waitsForJobAnnotation = "platform/waits-for-job";

/**
 * Job annotation: rerun the Job (a new pod template, so Pulumi replaces the Job) when the data of
 * the Secrets it reads through `envFrom` changes. Migrations do not carry it.
 */
export const rerunOnSecretChangeAnnotation = "platform/rerun-on-secret-change";

/**
 * The Job's MySQL client: Docker's official `mysql` image 8.4.11 (the 8.4 LTS client speaks to the
 * 8.0 server; the official 8.0 image is no longer built), which the bootstrap runbook imports into
 * the shared registry by this digest (`az acr import` keeps it), so that the Job, which holds the
 * administrator's password, runs exactly these bytes and pulls them privately. The digest is the
 * OCI index of `mysql:8.4.11` as docker-library/repo-info records it (`repos/mysql/remote/
 * 8.4.11.md`, commit 0f0c69aa), the same in independent pins (docs/decisions/0033).
 */
export const mysqlClientMirror = {
  source: "docker.io/library/mysql",
  repository: "mirror/mysql",
  tag: "8.4.11",
  digest: "sha256:85b9bf2e29cf836ecb8c2a15a935d4ba0c606631dff1dd79531a11983c638f2a",
} as const;

/** The Job's image in the shared registry: `<registry>/mirror/mysql:8.4.11@sha256:…`. */
export function mysqlClientImage(registryLoginServer: string): string {
  const { repository, tag, digest } = mysqlClientMirror;
  return `${registryLoginServer}/${repository}:${tag}@${digest}`;
}

/** The runbook's command that imports the client image into the shared registry, by digest. */
export function mysqlClientImportCommand(registryName: string): string {
  const { source, repository, tag, digest } = mysqlClientMirror;
  return `az acr import --name ${registryName} --source ${source}@${digest} --image ${repository}:${tag}`;
}

/**
 * Where the MySQL image keeps the system's CA bundle: its base, oraclelinux:9-slim, has the
 * `ca-certificates` package (docker-library/repo-info `repos/oraclelinux/local/9-slim.md`), which
 * on EL9 provides this path; the image's own build fetches over HTTPS with it before installing
 * anything (`curl -fL https://github.com/...` in `repos/mysql/remote/8.4.11.md`).
 */
const caBundle = "/etc/pki/tls/certs/ca-bundle.crt";

/** The MySQL user of an app: the name of its database (`main-api` and `main_api` → `main_api`). */
export function mysqlUserName(app: string): string {
  return databaseName(app);
}

/** The deploy-time value of an app's MySQL password: `mysql.main-api.password`. */
export function mysqlPasswordValue(app: string): string {
  return `mysql.${app}.password`;
}

/**
 * What the Job runs, for every app that uses MySQL: create the app's user if it does not exist,
 * set its password (so that a rotated password takes effect) and grant it every right on its own
 * database and nothing else. Passwords are generated from a set without quotes or backslashes.
 *
 * @param database the database (and user) of each app: its persistent name.
 */
export function mysqlUsersScript(
  appNames: readonly string[],
  database: (app: string) => string = databaseName,
): string {
  return appNames
    .flatMap((app) => {
      const user = `'${mysqlUserName(database(app))}'@'%'`;
      const password = deployTimeValue(mysqlPasswordValue(app));
      return [
        `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY '${password}';`,
        `ALTER USER ${user} IDENTIFIED BY '${password}';`,
        `GRANT ALL ON \`${database(app)}\`.* TO ${user};`,
      ];
    })
    .join("\n");
}

/**
 * The namespace, Secret, ServiceAccount, NetworkPolicy and Job that create one MySQL user per app
 * that uses MySQL (all apps of the catalog, deployed or not, as the server has a database for
 * each). None when no app uses MySQL.
 */
export function mysqlUsersObjects(
  catalog: Readonly<Record<string, AppDefinition>>,
  environment: EnvironmentSettings,
  registryLoginServer: string,
): KubeObject[] {
  const users = Object.values(catalog)
    .filter((app) => app.uses.mysql)
    .map((app) => app.name);
  if (users.length === 0) return [];
  const labels = () => appLabels(mysqlUsersName);
  const metadata = () => ({ name: mysqlUsersName, namespace: mysqlUsersNamespace, labels: labels() });
  const jobLabels = () => workloadLabels(mysqlUsersName, mysqlUsersName, "migrate");
  return [
    restrictedNamespace(mysqlUsersNamespace, environment.name),
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata(),
      // Nothing in; out only to the cluster DNS and the MySQL server.
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        egress: [
          clusterDnsEgress,
          {
            to: [{ ipBlock: { cidr: networkLayout(environment.addressSpace).mysql } }],
            ports: [{ protocol: "TCP", port: mysqlPort }],
          },
        ],
      },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(), automountServiceAccountToken: false },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(),
      type: "Opaque",
      stringData: {
        DB_HOST: deployTimeValue("mysql.host"),
        DB_USERNAME: deployTimeValue("mysql.admin.username"),
        // The mysql client reads its password from MYSQL_PWD: it never appears in the pod's spec.
        MYSQL_PWD: deployTimeValue("mysql.admin.password"),
        USERS_SQL: mysqlUsersScript(users, (app) => persistentNames(catalog[app]!).database),
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        ...metadata(),
        labels: jobLabels(),
        annotations: { [rerunOnSecretChangeAnnotation]: "true", ...replaceUnreadyAnnotations },
      },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 600,
        template: {
          metadata: { labels: jobLabels() },
          spec: {
            serviceAccountName: mysqlUsersName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: "Never",
            securityContext: restrictedPodSecurityContext(runAsId),
            containers: [
              {
                name: "mysql",
                image: mysqlClientImage(registryLoginServer),
                // $(NAME) is expanded by the kubelet from the container's environment.
                command: [
                  "mysql",
                  "--host=$(DB_HOST)",
                  "--user=$(DB_USERNAME)",
                  "--ssl-mode=VERIFY_IDENTITY",
                  `--ssl-ca=${caBundle}`,
                  "--execute=$(USERS_SQL)",
                ],
                envFrom: [{ secretRef: { name: mysqlUsersName } }],
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ["ALL"] },
                },
              },
            ],
          },
        },
      },
    },
  ];
}
