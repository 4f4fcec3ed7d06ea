import { environments } from "../../environments/environments";
import type { AppDefinition } from "../app-definition";
import { apps } from "../catalog";
import { replaceDeployTimeValues } from "./deploy-time-values";
import { isRecord } from "../../lib/values";
import type { KubeObject } from "./kube-object";
import {
  mysqlClientImage,
  mysqlClientImportCommand,
  mysqlUsersObjects,
  mysqlUsersScript,
} from "./mysql-users";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { secretChecksumAnnotation, withRolloutChecksums } from "./rollout-checksums";

const dig = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
const find = (objects: readonly KubeObject[], kind: string): KubeObject =>
  objects.find((object) => object.kind === kind)!;

const objects = mysqlUsersObjects(apps, environments.production, "contosoplatformacr.azurecr.io");
const values = (mainApiPassword: string) => ({
  "mysql.host": "mysql.example.com",
  "mysql.admin.username": "platformadmin",
  "mysql.admin.password": "adm1n",
  "mysql.main-api.password": mainApiPassword,
  "mysql.customer-api.password": "c-s3cret",
});

describe("mysqlUsersScript", () => {
  it("creates each app's user, sets its password and grants it its own database only", () => {
    expect(mysqlUsersScript(["main-api"]).split("\n")).toEqual([
      "CREATE USER IF NOT EXISTS 'main_api'@'%' IDENTIFIED BY '(known after deploy: mysql.main-api.password)';",
      "ALTER USER 'main_api'@'%' IDENTIFIED BY '(known after deploy: mysql.main-api.password)';",
      "GRANT ALL ON `main_api`.* TO 'main_api'@'%';",
    ]);
  });
});

describe("mysqlUsersObjects", () => {
  it("are a namespace of their own with its policy, account, Secret and Job, all in that namespace", () => {
    expect(objects.map((o) => [o.kind, o.metadata.name, o.metadata.namespace])).toEqual([
      ["Namespace", "mysql-users", undefined],
      ["NetworkPolicy", "mysql-users", "mysql-users"],
      ["ServiceAccount", "mysql-users", "mysql-users"],
      ["Secret", "mysql-users", "mysql-users"],
      ["Job", "mysql-users", "mysql-users"],
    ]);
  });

  it("hold the administrator's credentials and a user for every app of the catalog that uses MySQL", () => {
    expect(find(objects, "Secret").stringData).toEqual({
      DB_HOST: "(known after deploy: mysql.host)",
      DB_USERNAME: "(known after deploy: mysql.admin.username)",
      MYSQL_PWD: "(known after deploy: mysql.admin.password)",
      USERS_SQL: mysqlUsersScript(["main-api", "customer-api"]),
    });
  });

  it("let the Job reach only DNS and the MySQL subnet, and nothing reach it", () => {
    expect(dig(find(objects, "NetworkPolicy"), "spec", "policyTypes")).toEqual(["Ingress", "Egress"]);
    expect(dig(find(objects, "NetworkPolicy"), "spec", "egress")).toContainEqual({
      to: [{ ipBlock: { cidr: "10.20.4.0/27" } }],
      ports: [{ protocol: "TCP", port: 3306 }],
    });
  });

  it("run the mysql client over verified TLS, with the password only in its environment", () => {
    const container = (dig(find(objects, "Job"), "spec", "template", "spec", "containers") as unknown[])[0];
    expect(dig(container, "command")).toEqual([
      "mysql",
      "--host=$(DB_HOST)",
      "--user=$(DB_USERNAME)",
      "--ssl-mode=VERIFY_IDENTITY",
      "--ssl-ca=/etc/pki/tls/certs/ca-bundle.crt",
      "--execute=$(USERS_SQL)",
    ]);
    expect(dig(container, "envFrom")).toEqual([{ secretRef: { name: "mysql-users" } }]);
  });

  it("rerun (a new pod template) when a password changes, and only then", () => {
    const checksum = (password: string) =>
      dig(
        find(withRolloutChecksums(replaceDeployTimeValues(objects, values(password))), "Job"),
        "spec",
        "template",
        "metadata",
        "annotations",
        secretChecksumAnnotation,
      );
    expect(checksum("one")).toMatch(/^[a-f0-9]{64}$/);
    expect(checksum("one")).toBe(checksum("one"));
    expect(checksum("two")).not.toBe(checksum("one"));
  });

  it("are none when no app uses MySQL", () => {
    const web: AppDefinition = apps.web;
    expect(mysqlUsersObjects({ web }, environments.production, "contosoplatformacr.azurecr.io")).toEqual([]);
  });
});

test("the Job pulls its client from the shared registry by digest, and the deploy runbook imports exactly that", () => {
  const registry = "contosoplatformacr.azurecr.io";
  expect(mysqlClientImage(registry)).toBe(
    `${registry}/mirror/mysql:8.4.11@sha256:85b9bf2e29cf836ecb8c2a15a935d4ba0c606631dff1dd79531a11983c638f2a`,
  );
  const runbook = readFileSync(path.join(__dirname, "..", "..", "docs", "deploying.md"), "utf8");
  expect(runbook).toContain(`   ${mysqlClientImportCommand("<registry>")}\n`);
});
