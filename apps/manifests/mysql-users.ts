import type { EnvironmentSettings } from "../../environments/settings";
import { networkLayout } from "../../environments/network-layout";
import type { AppDefinition } from "../app-definition";
import { databaseName } from "../catalog";
import { deployTimeValue } from "./deploy-time-values";
import { replaceUnreadyAnnotations, runAsId, type KubeObject } from "./kube-object";
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
 * The image of the Job: the MySQL client of the server's major version, from Microsoft's mirror of
 * Docker Hub's official image (MCR, which AKS nodes reach without Docker Hub's pull limits).
 */
export const mysqlClientImage = "mcr.microsoft.com/mirror/docker/library/mysql:8.0";

/** Where the MySQL image (Oracle Linux) keeps the system's CA bundle. */
const caBundle = "/etc/pki/tls/certs/ca-bundle.crt";

/** The MySQL user of an app: the name of its database (`main-api` → `main_api`). */
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
 */
export function mysqlUsersScript(appNames: readonly string[]): string {
  return appNames
    .flatMap((app) => {
      const user = `'${mysqlUserName(app)}'@'%'`;
      const password = deployTimeValue(mysqlPasswordValue(app));
      return [
        `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY '${password}';`,
        `ALTER USER ${user} IDENTIFIED BY '${password}';`,
        `GRANT ALL ON \`${databaseName(app)}\`.* TO ${user};`,
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
        USERS_SQL: mysqlUsersScript(users),
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
            securityContext: {
              runAsNonRoot: true,
              runAsUser: runAsId,
              runAsGroup: runAsId,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "mysql",
                image: mysqlClientImage,
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
