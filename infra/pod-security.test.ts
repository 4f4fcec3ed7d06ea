import { clusterIssuer } from "../apps/manifests/certificates";
import { environmentObjects } from "../apps/manifests/environment-objects";
import type { KubeObject } from "../apps/manifests/kube-object";
import { environments } from "../environments/environments";
import { environmentNames } from "../environments/settings";
import { parseStackConfig } from "../stack-config/schema";
import { acmeSolverPod, certManagerImages, certManagerPods, certManagerValues } from "./cert-manager";
import { restrictedStandardViolations, type ReviewedPod } from "./policy-definitions";

/** The pod every workload object makes, named by its kind and name. */
function podOf(object: KubeObject): ReviewedPod[] {
  const spec = object["spec"] as Record<string, any> | undefined;
  const pod =
    object.kind === "CronJob" ? spec?.["jobTemplate"]?.spec?.template?.spec : spec?.["template"]?.spec;
  return pod === undefined
    ? []
    : [{ name: `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`, spec: pod }];
}

describe.each(environmentNames)(
  "%s: every pod meets the restricted initiative, group fields included",
  (name) => {
    const environment = environments[name];
    const versions = {
      "main-api": { tag: "1.5.0", digest: `sha256:${"1".repeat(64)}` },
      web: { tag: "2.3.1", digest: `sha256:${"2".repeat(64)}` },
      "customer-api": { tag: "0.9.0", digest: `sha256:${"3".repeat(64)}` },
    };
    const config = parseStackConfig(name, {
      "azure-native:location": "westeurope",
      "platform:images": versions,
    });
    const objects = environmentObjects(
      { environment, images: config.images },
      "contosoplatformacr.azurecr.io",
    );
    const pods = objects.flatMap(podOf);

    test("the apps' Deployments and CronJobs, their migration Jobs and the mysql-users Job", () => {
      expect(pods.map((pod) => pod.name).filter((pod) => pod.startsWith("Job "))).toEqual(
        expect.arrayContaining(["Job mysql-users/mysql-users", "Job apps/main-api-migrate-1-5-0"]),
      );
      expect(pods.flatMap(restrictedStandardViolations)).toEqual([]);
    });

    test("cert-manager's HTTP-01 solver pod, with the ClusterIssuer's pod template", () => {
      const solverImage = certManagerImages(certManagerValues)["acmesolver"]!;
      expect(restrictedStandardViolations(acmeSolverPod(clusterIssuer(environment), solverImage))).toEqual(
        [],
      );
    });
  },
);

test("cert-manager's chart pods, with the platform's values", () => {
  expect(certManagerPods(certManagerValues).map((pod) => pod.name)).toEqual([
    "cert-manager controller",
    "cert-manager webhook",
    "cert-manager cainjector",
    "cert-manager startupapicheck",
  ]);
  expect(certManagerPods(certManagerValues).flatMap(restrictedStandardViolations)).toEqual([]);
});

describe("the rules as the initiative's policies state them", () => {
  const compliant = {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      supplementalGroups: [10001],
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      { name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
    ],
  };
  const without = (field: string) => ({
    ...compliant,
    securityContext: Object.fromEntries(
      Object.entries(compliant.securityContext).filter(([key]) => key !== field),
    ),
  });

  test("a compliant pod", () => {
    expect(restrictedStandardViolations({ name: "p", spec: compliant })).toEqual([]);
  });

  test.each([
    [
      "supplementalGroups",
      'p: Container app is attempting to run without a required securityContext/supplementalGroups. Allowed supplementalGroups: {"ranges":[{"min":1,"max":65535}],"rule":"MustRunAs"}',
    ],
    [
      "fsGroup",
      'p: Container app is attempting to run without a required securityContext/fsGroup. Allowed fsGroup: {"ranges":[{"min":1,"max":65535}],"rule":"MustRunAs"}',
    ],
    [
      "runAsGroup",
      'p: Container app is attempting to run without a required securityContext/runAsGroup. Allowed runAsGroup: {"ranges":[{"min":1,"max":65535}],"rule":"MustRunAs"}',
    ],
    [
      "seccompProfile",
      "p: Seccomp profile 'not configured' is not allowed for container 'app'. Allowed profiles: runtime/default, docker/default",
    ],
  ])("without %s", (field, message) => {
    expect(restrictedStandardViolations({ name: "p", spec: without(field) })).toEqual([message]);
  });

  test("group 0, root, escalation and a hostPath volume", () => {
    const spec = {
      ...compliant,
      securityContext: { ...compliant.securityContext, runAsUser: 0, supplementalGroups: [0] },
      volumes: [{ name: "host", hostPath: { path: "/" } }],
      containers: [{ name: "app" }],
    };
    expect(restrictedStandardViolations({ name: "p", spec })).toEqual([
      "p: The volume type hostPath of volume host is not allowed; allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret",
      "p: Privilege escalation container is not allowed: app, securityContext/allowPrivilegeEscalation must be false",
      'p: Container app is attempting to run as disallowed user 0. Allowed runAsUser: {"ranges":[],"rule":"MustRunAsNonRoot"}',
      'p: Container app is attempting to run with disallowed supplementalGroups [0]. Allowed supplementalGroups: {"ranges":[{"min":1,"max":65535}],"rule":"MustRunAs"}',
    ]);
  });
});
