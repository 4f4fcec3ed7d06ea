import { environmentObjects } from "../apps/manifests/environment-objects";
import type { KubeObject } from "../apps/manifests/kube-object";
import { environments } from "../environments/environments";
import { environmentNames } from "../environments/settings";
import { parseStackConfig } from "../stack-config/schema";
import { certManagerImages, certManagerValues } from "./cert-manager";

const registry = "contosoplatformacr.azurecr.io";

/**
 * Images the platform runs that are neither in its registry nor pinned by digest, each with why.
 * cert-manager's: the public records of their v1.21.1 digests disagree (docs/decisions/0033), so
 * they stay at the chart's `quay.io/jetstack/...:v1.21.1` until someone resolves the digests
 * against quay.io and imports them.
 */
const unpinnedImageAllowlist: Readonly<Record<string, string>> = {
  "quay.io/jetstack/cert-manager-controller:v1.21.1":
    "cert-manager chart default; digest not verified offline (0033)",
  "quay.io/jetstack/cert-manager-webhook:v1.21.1":
    "cert-manager chart default; digest not verified offline (0033)",
  "quay.io/jetstack/cert-manager-cainjector:v1.21.1":
    "cert-manager chart default; digest not verified offline (0033)",
  "quay.io/jetstack/cert-manager-acmesolver:v1.21.1":
    "cert-manager chart default; digest not verified offline (0033)",
  "quay.io/jetstack/cert-manager-startupapicheck:v1.21.1":
    "cert-manager chart default; digest not verified offline (0033)",
};

/** Every container image of a workload object, by where it sits. */
function podImages(object: KubeObject): [string, string][] {
  const spec = object["spec"] as Record<string, any> | undefined;
  const pod =
    object.kind === "CronJob" ? spec?.["jobTemplate"]?.spec?.template?.spec : spec?.["template"]?.spec;
  if (pod === undefined) return [];
  return ["initContainers", "containers"].flatMap((list) =>
    ((pod[list] ?? []) as { name: string; image: string }[]).map((container): [string, string] => [
      `${object.kind}/${object.metadata.name} ${list}.${container.name}`,
      container.image,
    ]),
  );
}

/** Why an image may not run, or undefined: a digest, and the platform's registry. */
function imageProblem(image: string): string | undefined {
  const digest = /@[a-z0-9]+:[0-9a-f]{64}$|@\(known after deploy: [^)]+\)$/.test(image);
  const ours = image.startsWith(`${registry}/`);
  if (digest && ours) return undefined;
  if (unpinnedImageAllowlist[image] !== undefined) return undefined;
  return [!digest ? "no digest" : undefined, !ours ? `not in ${registry}` : undefined]
    .filter((reason) => reason !== undefined)
    .join(", ");
}

describe.each(environmentNames)(
  "every image %s runs is pinned by digest in the platform's registry",
  (name) => {
    const images = {
      "main-api": { tag: "1.5.0", digest: `sha256:${"1".repeat(64)}` },
      web: { tag: "2.3.1", digest: `sha256:${"2".repeat(64)}` },
      "customer-api": { tag: "0.9.0", digest: `sha256:${"3".repeat(64)}` },
    };
    const environment = environments[name];
    const config = parseStackConfig(name, {
      "azure-native:location": "westeurope",
      "platform:images": environment.buildsImages
        ? Object.fromEntries(Object.entries(images).map(([app, { tag }]) => [app, { tag }]))
        : images,
    });
    const rendered = environmentObjects({ environment, images: config.images }, registry).flatMap(podImages);
    const chart = Object.entries(certManagerImages(certManagerValues)).map(
      ([component, image]): [string, string] => [`cert-manager ${component}`, image],
    );

    test("apps, their Jobs and the mysql-users Job", () => {
      expect(rendered.length).toBeGreaterThan(5);
      expect(
        rendered.flatMap(([where, image]) =>
          imageProblem(image) ? [`${where}: ${image}: ${imageProblem(image)}`] : [],
        ),
      ).toEqual([]);
    });

    test("cert-manager's chart: only the documented allowlist", () => {
      expect(
        chart.flatMap(([where, image]) =>
          imageProblem(image) ? [`${where}: ${image}: ${imageProblem(image)}`] : [],
        ),
      ).toEqual([]);
      // The allowlist names nothing the chart does not run.
      expect(Object.keys(unpinnedImageAllowlist).sort()).toEqual(chart.map(([, image]) => image).sort());
    });
  },
);

test("the chart's image helper: digest and tag, repository override, defaults", () => {
  expect(
    certManagerImages({
      image: { digest: `sha256:${"a".repeat(64)}` },
      webhook: {
        image: { repository: "acr.io/mirror/webhook", tag: "v1", digest: `sha256:${"b".repeat(64)}` },
      },
      imageRegistry: "acr.io",
      imageNamespace: "",
    }),
  ).toEqual({
    controller: `acr.io/cert-manager-controller@sha256:${"a".repeat(64)}`,
    webhook: `acr.io/mirror/webhook:v1@sha256:${"b".repeat(64)}`,
    cainjector: "acr.io/cert-manager-cainjector:v1.21.1",
    acmesolver: "acr.io/cert-manager-acmesolver:v1.21.1",
    startupapicheck: "acr.io/cert-manager-startupapicheck:v1.21.1",
  });
});
