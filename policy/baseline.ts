import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { valueAt } from "../lib/values";
import { clusterIssuerAnnotation } from "../apps/manifests/certificates";
import { mysqlUsersNamespace } from "../apps/manifests/mysql-users";
import { untrustedAcmeHosts } from "../environments/environments";

/** The name the pack reports its violations under. */
export const baselinePackName = "platform-security-baseline";

/** Resource types the baseline speaks about. */
export const types = {
  managedCluster: "azure-native:containerservice:ManagedCluster",
  mysqlServer: "azure-native:dbformysql:Server",
  mysqlConfiguration: "azure-native:dbformysql:Configuration",
  redisCluster: "azure-native:redisenterprise:RedisEnterprise",
  redisDatabase: "azure-native:redisenterprise:Database",
  redisAccessPolicyAssignment: "azure-native:redisenterprise:AccessPolicyAssignment",
  /** Azure Cache for Redis (classic), the offering before Azure Managed Redis. */
  classicRedis: "azure-native:redis:Redis",
  mysqlDatabase: "azure-native:dbformysql:Database",
  privateZone: "azure-native:privatedns:PrivateZone",
  privateZoneLink: "azure-native:privatedns:VirtualNetworkLink",
  privateDnsZoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  subnet: "azure-native:network:Subnet",
  registry: "azure-native:containerregistry:Registry",
  randomPassword: "random:index/randomPassword:RandomPassword",
  kubernetesSecret: "kubernetes:core/v1:Secret",
  privateEndpoint: "azure-native:network:PrivateEndpoint",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
} as const;

type Props = Record<string, unknown>;

/** A resource validation that runs only on resources of one type. */
const forType =
  (type: string, validate: (props: Props, name: string, report: (message: string) => void) => void) =>
  (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
    if (args.type !== type) return;
    validate(args.props, args.name, (message) => reportViolation(message));
  };

const shown = (value: unknown): string => (value === undefined ? "nothing" : JSON.stringify(value));

const aksCluster: ResourceValidationPolicy = {
  name: "aks-cluster-baseline",
  description:
    "AKS: no local accounts, API server behind authorized ranges (or private), Azure RBAC, the Azure Policy add-on and Defender.",
  enforcementLevel: "mandatory",
  validateResource: forType(types.managedCluster, (props, name, report) => {
    const cluster = `ManagedCluster ${name}`;
    if (props["disableLocalAccounts"] !== true)
      report(`${cluster}: disableLocalAccounts must be true, found ${shown(props["disableLocalAccounts"])}`);
    if (valueAt(props, "apiServerAccessProfile.enablePrivateCluster") !== true) {
      const found = valueAt(props, "apiServerAccessProfile.authorizedIPRanges");
      const ranges = Array.isArray(found) ? found.map(String) : [];
      if (ranges.length === 0)
        report(
          `${cluster}: apiServerAccessProfile.authorizedIPRanges must list the addresses allowed to reach the API server (or enablePrivateCluster must be true), found ${shown(found)}`,
        );
      if (ranges.includes("0.0.0.0/0"))
        report(`${cluster}: apiServerAccessProfile.authorizedIPRanges must not contain 0.0.0.0/0`);
    }
    const azureRbac = valueAt(props, "aadProfile.enableAzureRBAC");
    if (azureRbac !== true)
      report(`${cluster}: aadProfile.enableAzureRBAC must be true, found ${shown(azureRbac)}`);
    const azurePolicy = valueAt(props, "addonProfiles.azurepolicy.enabled");
    if (azurePolicy !== true)
      report(`${cluster}: addonProfiles.azurepolicy.enabled must be true, found ${shown(azurePolicy)}`);
    const defender = valueAt(props, "securityProfile.defender");
    if (valueAt(defender, "securityMonitoring.enabled") !== true)
      report(
        `${cluster}: securityProfile.defender must be set with securityMonitoring.enabled true, found ${shown(defender)}`,
      );
  }),
};

const mysqlServerPrivate: ResourceValidationPolicy = {
  name: "mysql-server-private",
  description: "MySQL Flexible Server: no public network access.",
  enforcementLevel: "mandatory",
  validateResource: forType(types.mysqlServer, (props, name, report) => {
    const access = valueAt(props, "network.publicNetworkAccess");
    if (access !== "Disabled")
      report(`Server ${name}: network.publicNetworkAccess must be "Disabled", found ${shown(access)}`);
  }),
};

/** True when `resource` depends on `on`, directly or through its inputs. */
const dependsOn = (resource: PolicyResource, on: PolicyResource): boolean =>
  resource.dependencies.some((dependency) => dependency.urn === on.urn) ||
  (resource.props["serverName"] !== undefined && resource.props["serverName"] === on.props["name"]);

const mysqlSecureTransport: StackValidationPolicy = {
  name: "mysql-require-secure-transport",
  description: "MySQL Flexible Server: a Configuration sets require_secure_transport to ON.",
  enforcementLevel: "mandatory",
  validateStack: ({ resources }, reportViolation) => {
    const configurations = resources.filter((resource) => resource.type === types.mysqlConfiguration);
    for (const server of resources.filter((resource) => resource.type === types.mysqlServer)) {
      const secure = configurations.some(
        (configuration) =>
          dependsOn(configuration, server) &&
          configuration.props["configurationName"] === "require_secure_transport" &&
          String(configuration.props["value"]).toUpperCase() === "ON",
      );
      if (!secure)
        reportViolation(
          `Server ${server.name}: no Configuration sets require_secure_transport to ON`,
          server.urn,
        );
    }
  },
};

const redisEntraOnly: ResourceValidationPolicy = {
  name: "redis-private-entra-tls",
  description:
    "Redis (Azure Managed Redis, or Azure Cache for Redis): no public access, no access keys, TLS only; an identity gets only the default access policy.",
  enforcementLevel: "mandatory",
  validateResource: [
    // Azure Cache for Redis: azure-native redis.Redis inputs (Microsoft.Cache/redis, 2024-11-01).
    forType(types.classicRedis, (props, name, report) => {
      if (props["publicNetworkAccess"] !== "Disabled")
        report(
          `Redis ${name}: publicNetworkAccess must be "Disabled", found ${shown(props["publicNetworkAccess"])}`,
        );
      if (props["disableAccessKeyAuthentication"] !== true)
        report(
          `Redis ${name}: disableAccessKeyAuthentication must be true, found ${shown(props["disableAccessKeyAuthentication"])}`,
        );
      if (props["enableNonSslPort"] === true) report(`Redis ${name}: enableNonSslPort must not be true`);
    }),
    forType(types.redisAccessPolicyAssignment, (props, name, report) => {
      // Azure Managed Redis has one access policy, `default` (what an access key allowed).
      if (props["accessPolicyName"] !== "default")
        report(
          `AccessPolicyAssignment ${name}: accessPolicyName must be "default", found ${shown(props["accessPolicyName"])}`,
        );
      const objectId = valueAt(props, "user.objectId");
      if (typeof objectId !== "string" || objectId === "")
        report(
          `AccessPolicyAssignment ${name}: user.objectId must name an identity, found ${shown(objectId)}`,
        );
    }),
    forType(types.redisDatabase, (props, name, report) => {
      if (props["accessKeysAuthentication"] !== "Disabled")
        report(
          `Database ${name}: accessKeysAuthentication must be "Disabled", found ${shown(props["accessKeysAuthentication"])}`,
        );
      if (props["clientProtocol"] !== "Encrypted")
        report(
          `Database ${name}: clientProtocol must be "Encrypted", found ${shown(props["clientProtocol"])}`,
        );
    }),
    forType(types.redisCluster, (props, name, report) => {
      if (props["publicNetworkAccess"] !== "Disabled")
        report(
          `RedisEnterprise ${name}: publicNetworkAccess must be "Disabled", found ${shown(props["publicNetworkAccess"])}`,
        );
    }),
  ],
};

const mysqlDatabaseKept: ResourceValidationPolicy = {
  name: "mysql-database-kept",
  description:
    "An app's MySQL database is protected: removing or renaming the app cannot delete it (docs/decisions/0031).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== types.mysqlDatabase) return;
    if (args.opts.protect !== true)
      reportViolation(
        `Database ${args.name}: must be protected (protect: true), found ${shown(args.opts.protect)}`,
      );
  },
};

const privateDnsForData: StackValidationPolicy = {
  name: "private-dns-for-data",
  description:
    "A data service's private DNS zone is linked to the virtual network without auto-registration, and each private endpoint's zone group names a zone: the cluster resolves the service to its private address.",
  enforcementLevel: "mandatory",
  validateStack: ({ resources }, reportViolation) => {
    const links = resources.filter((resource) => resource.type === types.privateZoneLink);
    for (const link of links)
      if (link.props["registrationEnabled"] === true)
        reportViolation(
          `VirtualNetworkLink ${link.name}: registrationEnabled must be false; auto-registration would write the network's machines into the service's zone`,
          link.urn,
        );
    for (const zone of resources.filter((resource) => resource.type === types.privateZone)) {
      const zoneName: unknown = zone.props["privateZoneName"];
      const linked = links.some(
        (link) =>
          link.dependencies.some((dependency) => dependency.urn === zone.urn) ||
          (zoneName !== undefined && link.props["privateZoneName"] === zoneName),
      );
      if (!linked)
        reportViolation(
          `PrivateZone ${zone.name}: no VirtualNetworkLink links ${shown(zoneName)} to a virtual network; the cluster would resolve the service's public name`,
          zone.urn,
        );
    }
    for (const group of resources.filter((resource) => resource.type === types.privateDnsZoneGroup)) {
      const configs: unknown = group.props["privateDnsZoneConfigs"];
      if (
        !Array.isArray(configs) ||
        configs.length === 0 ||
        configs.some((config) => !valueAt(config, "privateDnsZoneId"))
      )
        reportViolation(
          `PrivateDnsZoneGroup ${group.name}: privateDnsZoneConfigs must name a privateDnsZoneId, found ${shown(configs)}`,
          group.urn,
        );
    }
  },
};

const diagnosticsToWorkspace: ResourceValidationPolicy = {
  name: "diagnostics-to-workspace",
  description: "A diagnostic setting sends logs or metrics to the Log Analytics workspace.",
  enforcementLevel: "mandatory",
  validateResource: forType(types.diagnosticSetting, (props, name, report) => {
    if (typeof props["workspaceId"] !== "string" || props["workspaceId"] === "")
      report(
        `DiagnosticSetting ${name}: workspaceId must name the Log Analytics workspace, found ${shown(props["workspaceId"])}`,
      );
    const sent = [props["logs"], props["metrics"]].flatMap((entries): unknown[] =>
      Array.isArray(entries) ? (entries as unknown[]) : [],
    );
    if (!sent.some((entry) => valueAt(entry, "enabled") === true))
      report(`DiagnosticSetting ${name}: no logs or metrics enabled; it would send nothing`);
  }),
};

const subnetNsg: ResourceValidationPolicy = {
  name: "subnet-has-nsg",
  description: "Every subnet has a network security group.",
  enforcementLevel: "mandatory",
  validateResource: forType(types.subnet, (props, name, report) => {
    if (!valueAt(props, "networkSecurityGroup.id"))
      report(
        `Subnet ${name}: networkSecurityGroup.id must be set, found ${shown(props["networkSecurityGroup"])}`,
      );
  }),
};

const registryNoSharedAccess: ResourceValidationPolicy = {
  name: "registry-no-admin-no-anonymous",
  description: "Container registry: no admin user, no anonymous pull.",
  enforcementLevel: "mandatory",
  validateResource: forType(types.registry, (props, name, report) => {
    if (props["adminUserEnabled"] !== false)
      report(`Registry ${name}: adminUserEnabled must be false, found ${shown(props["adminUserEnabled"])}`);
    if (props["anonymousPullEnabled"] === true)
      report(`Registry ${name}: anonymousPullEnabled must not be true`);
  }),
};

/** The entries of a Kubernetes Secret as text: `stringData` as is, `data` base64-decoded. */
export function secretEntries(props: Props): [string, string][] {
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries((props["stringData"] ?? {}) as Props))
    entries.push([`stringData.${key}`, String(value)]);
  for (const [key, value] of Object.entries((props["data"] ?? {}) as Props))
    entries.push([`data.${key}`, Buffer.from(String(value), "base64").toString("utf8")]);
  return entries;
}

/** `namespace/name` of a Kubernetes object, or the resource's name when it has no metadata. */
const objectName = (secret: { name: string; props: Props }): string => {
  const name = valueAt(secret.props, "metadata.name");
  const namespace = valueAt(secret.props, "metadata.namespace");
  return typeof name === "string"
    ? `${typeof namespace === "string" ? namespace : "default"}/${name}`
    : secret.name;
};

const secretsWithoutAdminPassword: StackValidationPolicy = {
  name: "secrets-without-mysql-admin-password",
  description: `Only the Secret in namespace ${mysqlUsersNamespace} holds the MySQL administrator password.`,
  enforcementLevel: "mandatory",
  validateStack: ({ resources }, reportViolation) => {
    const adminPasswords = new Set<string>();
    for (const resource of resources) {
      // Props are read only of the types this policy checks (policy/coverage.test.ts counts reads).
      const password: unknown =
        resource.type === types.mysqlServer ? resource.props["administratorLoginPassword"] : undefined;
      if (typeof password === "string") adminPasswords.add(password);
      // The password's own resource (MySqlServer's `<name>-admin-password`); its result is known after an update.
      if (
        resource.type === types.randomPassword &&
        resource.name.endsWith("-admin-password") &&
        typeof resource.props["result"] === "string"
      )
        adminPasswords.add(resource.props["result"]);
    }
    for (const secret of resources.filter((resource) => resource.type === types.kubernetesSecret)) {
      if (valueAt(secret.props, "metadata.namespace") === mysqlUsersNamespace) continue;
      for (const [key, value] of secretEntries(secret.props)) {
        if (adminPasswords.has(value))
          reportViolation(
            `Secret ${objectName(secret)}: ${key} holds the MySQL administrator password; only the Secret in namespace ${mysqlUsersNamespace} may`,
            secret.urn,
          );
      }
    }
  },
};

/** Key names that would carry a Redis access key or password. */
const redisKeyName = /redis.*(key|password|pass|secret)/i;

const secretsWithoutRedisKeys: ResourceValidationPolicy = {
  name: "secrets-without-redis-keys",
  description:
    "No Kubernetes Secret carries a Redis key or password: apps sign in to Redis with Entra tokens.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== types.kubernetesSecret) return;
    for (const [key] of secretEntries(args.props)) {
      if (redisKeyName.test(key))
        reportViolation(
          `Secret ${objectName(args)}: ${key} is named like a Redis key or password; Redis takes Entra tokens only`,
        );
    }
  },
};

const registryPrivateEndpoint: StackValidationPolicy = {
  name: "registry-private-endpoint",
  description:
    "A stack with a cluster has a private endpoint to the container registry: the nodes pull privately.",
  enforcementLevel: "mandatory",
  validateStack: ({ resources }, reportViolation) => {
    const toRegistry = resources.some(
      (resource) =>
        resource.type === types.privateEndpoint &&
        (Array.isArray(resource.props["privateLinkServiceConnections"])
          ? (resource.props["privateLinkServiceConnections"] as Props[])
          : []
        ).some(
          (connection) =>
            Array.isArray(connection["groupIds"]) && connection["groupIds"].includes("registry"),
        ),
    );
    for (const cluster of resources.filter((resource) => resource.type === types.managedCluster))
      if (!toRegistry)
        reportViolation(
          `ManagedCluster ${cluster.name}: no PrivateEndpoint with groupIds ["registry"]; its nodes would pull images over the internet`,
          cluster.urn,
        );
  },
};

/** The app routing add-on's annotation for a certificate from Key Vault (the other real source). */
const keyVaultCertificateAnnotation = "kubernetes.azure.com/tls-cert-keyvault-uri";

/** What keeps an ACME ClusterIssuer from giving browser-trusted certificates; undefined when nothing. */
function untrustedIssuerProblem(props: Props): string | undefined {
  const acme = valueAt(props, "spec.acme");
  if (acme === undefined)
    return `spec.acme must be set (an ACME certificate authority), found ${shown(props["spec"])}`;
  const server = valueAt(acme, "server");
  const url = typeof server === "string" && URL.canParse(server) ? new URL(server) : undefined;
  if (url?.protocol !== "https:" || untrustedAcmeHosts.includes(url.hostname))
    return `spec.acme.server must be the https URL of an ACME directory whose certificates browsers trust, found ${shown(server)}`;
  return undefined;
}

const ingressTrustedCertificate: StackValidationPolicy = {
  name: "ingress-trusted-certificate",
  description:
    "Every host of an Ingress is served over TLS with a certificate browsers trust: a spec.tls secret filled by cert-manager from an ACME ClusterIssuer (or from Key Vault), never NGINX's self-signed default.",
  enforcementLevel: "mandatory",
  validateStack: ({ resources }, reportViolation) => {
    const issuers = new Map(
      resources
        .filter((resource) => resource.type === types.clusterIssuer)
        .map((issuer) => [valueAt(issuer.props, "metadata.name"), issuer]),
    );
    const reported = new Set<string>();
    for (const ingress of resources.filter((resource) => resource.type === types.ingress)) {
      const report = (message: string) =>
        reportViolation(`Ingress ${objectName(ingress)}: ${message}`, ingress.urn);
      const rules = valueAt(ingress.props, "spec.rules");
      const tls = valueAt(ingress.props, "spec.tls");
      const covered = (Array.isArray(tls) ? (tls as Props[]) : [])
        .filter((entry) => typeof entry["secretName"] === "string" && entry["secretName"] !== "")
        .flatMap((entry) => (Array.isArray(entry["hosts"]) ? entry["hosts"].map(String) : []));
      for (const rule of Array.isArray(rules) ? (rules as Props[]) : []) {
        const host = rule["host"];
        if (typeof host !== "string")
          report("a rule without host answers every name; it cannot have a certificate");
        else if (!covered.includes(host))
          report(
            `host ${JSON.stringify(host)} has no spec.tls entry with a secretName; NGINX would serve its self-signed default certificate`,
          );
      }
      const annotations = (valueAt(ingress.props, "metadata.annotations") ?? {}) as Props;
      const issuerName = annotations[clusterIssuerAnnotation];
      const keyVaultUri = annotations[keyVaultCertificateAnnotation];
      if (typeof issuerName === "string") {
        const issuer = issuers.get(issuerName);
        if (issuer === undefined) {
          report(
            `${clusterIssuerAnnotation} names ${JSON.stringify(issuerName)}, which is no ClusterIssuer of this stack`,
          );
          continue;
        }
        const problem = untrustedIssuerProblem(issuer.props);
        if (problem !== undefined && !reported.has(issuer.urn)) {
          reported.add(issuer.urn);
          reportViolation(`ClusterIssuer ${issuerName}: ${problem}`, issuer.urn);
        }
      } else if (
        typeof keyVaultUri !== "string" ||
        !/^https:\/\/[^/]+\.vault\.azure\.net\/certificates\//.test(keyVaultUri)
      ) {
        report(
          `nothing issues the certificate of its spec.tls secret; annotate it with ${clusterIssuerAnnotation} naming an ACME ClusterIssuer (or ${keyVaultCertificateAnnotation} with a Key Vault certificate)`,
        );
      }
    }
  },
};

/**
 * The security baseline. docker-build `Image`'s retainOnDelete is not among them: Pulumi gives
 * policies `protect`, `ignoreChanges`, aliases and timeouts of a resource's options, not
 * `retainOnDelete` (PolicyResourceOptions in @pulumi/policy 1.21).
 */
export const baselinePolicies: readonly (ResourceValidationPolicy | StackValidationPolicy)[] = [
  aksCluster,
  mysqlServerPrivate,
  mysqlSecureTransport,
  redisEntraOnly,
  mysqlDatabaseKept,
  privateDnsForData,
  diagnosticsToWorkspace,
  subnetNsg,
  registryNoSharedAccess,
  secretsWithoutAdminPassword,
  secretsWithoutRedisKeys,
  registryPrivateEndpoint,
  ingressTrustedCertificate,
];
