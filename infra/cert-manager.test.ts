import { kubernetesRefusal } from "../engine/kubernetes-contracts";
import { only, runIsolated } from "../test/program";

describe("the mock engine refuses what Kubernetes and cert-manager refuse", () => {
  const issuer = (acme: Record<string, unknown>) => ({
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: "acme" },
    spec: { acme },
  });
  const solvers = [{ http01: { ingress: { ingressClassName: "webapprouting.kubernetes.azure.com" } } }];

  test.each<[string, string, Record<string, unknown>, string | undefined]>([
    [
      "a Helm release into a namespace that does not exist",
      "kubernetes:helm.sh/v3:Release",
      { chart: "cert-manager", namespace: "cert-manager" },
      'create: failed to create: namespaces "cert-manager" not found',
    ],
    [
      "an ACME issuer without server",
      "kubernetes:cert-manager.io/v1:ClusterIssuer",
      issuer({ privateKeySecretRef: { name: "acme-account-key" }, solvers }),
      'admission webhook "webhook.cert-manager.io" denied the request: spec.acme.server: Required value: acme server URL is a required field',
    ],
    [
      "an ACME issuer without a Secret for its account key",
      "kubernetes:cert-manager.io/v1:ClusterIssuer",
      issuer({ server: "https://acme-v02.api.letsencrypt.org/directory", solvers }),
      'admission webhook "webhook.cert-manager.io" denied the request: spec.acme.privateKeySecretRef.name: Required value: private key secret name is a required field',
    ],
    [
      "nothing in a release into an existing namespace",
      "kubernetes:helm.sh/v3:Release",
      { chart: "cert-manager", namespace: "apps" },
      undefined,
    ],
    [
      "nothing in a release that creates its namespace",
      "kubernetes:helm.sh/v3:Release",
      { chart: "cert-manager", namespace: "cert-manager", createNamespace: true },
      undefined,
    ],
    [
      "nothing in a complete ACME issuer",
      "kubernetes:cert-manager.io/v1:ClusterIssuer",
      issuer({
        server: "https://acme-v02.api.letsencrypt.org/directory",
        privateKeySecretRef: { name: "acme-account-key" },
        solvers,
      }),
      undefined,
    ],
  ])("%s", (_case, type, inputs, refusal) => {
    expect(kubernetesRefusal(type, inputs, new Set(["apps"]))).toBe(refusal);
  });
});

test("CertManager creates its namespace before the release that installs into it", async () => {
  const run = await runIsolated(async () => {
    const { CertManager } = await import("./cert-manager");
    const certManager = new CertManager("cert-manager", { environment: "acceptance" });
    return { release: certManager.release.id };
  });
  const namespace = only(run, "kubernetes:core/v1:Namespace", "cert-manager-namespace");
  const release = only(run, "kubernetes:helm.sh/v3:Release", "cert-manager");
  expect(release.dependencies).toContain(namespace.urn);
  expect(release.inputs["namespace"]).toBe("cert-manager");
});
