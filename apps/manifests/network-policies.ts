import { cacheContract, clientsNeedEntraId } from "../../infra/redis-cache.contract";
import type { EnvironmentSettings } from "../../environments/settings";
import { networkLayout } from "../../environments/network-layout";
import { publicHostOf, type AppDefinition } from "../app-definition";
import { apps } from "../catalog";
import { persistentNames } from "../persistent-names";
import { acmeSolverLabel, acmeSolverPort } from "./certificates";
import { appLabels, platformLabels, selectorLabels } from "./labels";
import { appsNamespace, type KubeObject } from "./kube-object";

/** The name of the app's objects in the cluster, which a renamed app keeps (apps/persistent-names.ts). */
const kubernetesName = (app: AppDefinition): string => persistentNames(app).kubernetes;

/** The namespace of the AKS application routing add-on's ingress controller. */
export const ingressControllerNamespace = "app-routing-system";

/** The port Azure Database for MySQL listens on. */
export const mysqlPort = 3306;

/** The private IPv4 ranges (RFC 1918): the virtual network, the pods and the services are among them. */
const privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

function networkPolicy(name: string, labels: Record<string, string>, spec: object): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: appsNamespace, labels },
    spec,
  };
}

const namespaceNamed = (name: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});

/** The egress rule that lets a pod ask the cluster DNS (CoreDNS in kube-system), UDP and TCP. */
export const clusterDnsEgress = {
  to: [{ ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
} as const;

/**
 * The policies of the `apps` namespace: deny all traffic in and out of every pod, then allow
 * every pod to ask the cluster DNS (CoreDNS in kube-system). The apps open the rest themselves.
 */
export function namespacePolicies(): KubeObject[] {
  return [
    networkPolicy("default-deny", platformLabels(), {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    }),
    networkPolicy("allow-dns", platformLabels(), {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [clusterDnsEgress],
    }),
  ];
}

/**
 * The pods through which AKS's API server reaches pods (konnectivity, kube-system, labelled
 * `app: konnectivity-agent`): its service proxy arrives from them, with a pod source address.
 * `platform verify` asks each app's health through that proxy (tigera/operator#5212: "On AKS and
 * GKE the API server reaches in-cluster webhooks through konnectivity agent pods … AKS labels
 * them `app: konnectivity-agent`").
 */
export const apiServerProxyPeer = {
  ...namespaceNamed("kube-system"),
  podSelector: { matchLabels: { app: "konnectivity-agent" } },
} as const;

/**
 * Lets the ingress controller reach cert-manager's HTTP-01 solver pods, which cert-manager starts
 * in the namespace of the Ingress whose certificate it is getting (and stops once it has it); the
 * certificate authority's request for `/.well-known/acme-challenge/` arrives through NGINX.
 */
export function acmeSolverPolicy(): KubeObject {
  return networkPolicy("acme-http01-solver", platformLabels(), {
    podSelector: { matchLabels: { [acmeSolverLabel]: "true" } },
    policyTypes: ["Ingress"],
    ingress: [
      {
        from: [namespaceNamed(ingressControllerNamespace)],
        ports: [{ protocol: "TCP", port: acmeSolverPort }],
      },
    ],
  });
}

/**
 * The policies of one app: its web pods accept HTTP from the pods of the namespace, from the API
 * server's proxy (`platform verify`'s smoke checks) and, when the app is public, from the ingress
 * controller; all its pods may reach its MySQL server, the
 * Redis private endpoint and the other apps.
 */
export function appPolicies(app: AppDefinition, environment: EnvironmentSettings): KubeObject[] {
  const layout = networkLayout(environment.addressSpace);
  const isPublic = publicHostOf(app, environment.name) !== undefined;
  // Egress is checked against the destination pod's port, after the Service has translated 80.
  const appPorts = [...new Set(Object.values(apps).map((other) => other.port))].sort((a, b) => a - b);

  return [
    networkPolicy(`${kubernetesName(app)}-ingress`, appLabels(kubernetesName(app)), {
      podSelector: { matchLabels: selectorLabels(kubernetesName(app), kubernetesName(app)) },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: {} },
            ...(isPublic ? [namespaceNamed(ingressControllerNamespace)] : []),
            apiServerProxyPeer,
          ],
          ports: [{ protocol: "TCP", port: app.port }],
        },
      ],
    }),
    networkPolicy(`${kubernetesName(app)}-egress`, appLabels(kubernetesName(app)), {
      podSelector: { matchLabels: { "app.kubernetes.io/name": kubernetesName(app) } },
      policyTypes: ["Egress"],
      egress: [
        ...(app.uses.mysql
          ? [{ to: [{ ipBlock: { cidr: layout.mysql } }], ports: [{ protocol: "TCP", port: mysqlPort }] }]
          : []),
        ...(app.uses.redis
          ? [
              {
                to: [{ ipBlock: { cidr: layout[cacheContract.subnet] } }],
                ports: [{ protocol: "TCP", port: cacheContract.port }],
              },
              // The cache takes an Entra token, which the pod gets from Entra ID's public endpoint
              // (login.microsoftonline.com). A NetworkPolicy cannot name a host: HTTPS to any
              // public address (docs/decisions/0014).
              ...(clientsNeedEntraId(cacheContract)
                ? [
                    {
                      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...privateRanges] } }],
                      ports: [{ protocol: "TCP", port: 443 }],
                    },
                  ]
                : []),
            ]
          : []),
        { to: [{ podSelector: {} }], ports: appPorts.map((port) => ({ protocol: "TCP", port })) },
      ],
    }),
  ];
}
