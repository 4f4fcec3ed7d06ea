import { apps, isAppName, type AppName } from "../../apps/catalog";
import type { ImageVersion } from "../../apps/image-reference";
import { environmentObjects } from "../../apps/manifests/environment-objects";
import type { StackConfig } from "../../stack-config/schema";
import type { DeployedImages } from "../deployed-images";
import { formatVersion } from "../stack-file/read-images";
import type { ProxyRequest } from "./cluster-snapshot";
import type { Finding } from "./judge";

/** A workload verify expects: a Deployment or a Job, and the app it belongs to. */
export interface ExpectedObject {
  /** The app, or `mysql-users` for the Job that creates the apps' MySQL users. */
  readonly app: string;
  readonly namespace: string;
  readonly name: string;
}

/** The smoke checks of one app, through its Service. */
export interface ExpectedSmoke {
  readonly app: AppName;
  /** Answers 2xx: the app's readiness path. */
  readonly health: ProxyRequest;
  /** Answers 200 with every data path of `uses` ok; absent when the app declares no deep endpoint. */
  readonly deep?: ProxyRequest;
  readonly uses: { readonly mysql: boolean; readonly redis: boolean };
}

/** Everything an environment should run after a successful deploy: what `platform verify` checks. */
export interface Expectations {
  readonly deployments: readonly ExpectedObject[];
  readonly jobs: readonly ExpectedObject[];
  /** The digest each deployed app's pods must run, from the stack's `images` output. */
  readonly digests: Readonly<Partial<Record<AppName, string>>>;
  readonly smoke: readonly ExpectedSmoke[];
  /** The namespaces the cluster adapter lists objects in. */
  readonly namespaces: readonly string[];
}

/** The name of the port of every app's Service (apps/manifests/workload-objects.ts). */
const servicePortName = "http";

/**
 * The stack file's entries against the stack's `images` output: an app deployed without output,
 * an output of another tag or digest (the outputs are of another stack file: deploy first), an
 * output of an app the file no longer has.
 */
function outputFindings(images: StackConfig["images"], outputs: DeployedImages): Finding[] {
  const findings: Finding[] = [];
  const names = [...new Set([...Object.keys(images), ...Object.keys(outputs)])].filter(isAppName);
  for (const app of names) {
    const entry: ImageVersion | undefined = images[app];
    const output = outputs[app];
    const expected = formatVersion(entry);
    const check = "stack outputs";
    if (entry === undefined) {
      findings.push({ app, check, object: "images output", expected, found: formatVersion(output) });
    } else if (output === undefined) {
      findings.push({ app, check, object: "images output", expected, found: "no images output" });
    } else if (entry.tag !== output.tag || (entry.digest !== undefined && entry.digest !== output.digest)) {
      findings.push({ app, check, object: "images output", expected, found: formatVersion(output) });
    }
  }
  return findings;
}

/**
 * What an environment should run, from its stack file (`config`) and its stack's `images` output:
 * the Deployments and Jobs its manifests hold (the same pure builders the program deploys), each
 * deployed app's digest, and its smoke checks. Pure.
 *
 * @returns the expectations, and findings where the outputs do not match the stack file.
 */
export function expectationsOf(
  config: Pick<StackConfig, "environment" | "images">,
  outputs: DeployedImages,
): { expectations: Expectations; findings: Finding[] } {
  // The registry's name does not matter here: verify compares digests, not repositories.
  const objects = environmentObjects(config, "registry.invalid");
  const appOf = (labels: Readonly<Record<string, string>> | undefined) =>
    labels?.["app.kubernetes.io/name"] ?? "";
  const workloads = (kind: string): ExpectedObject[] =>
    objects
      .filter((object) => object.kind === kind)
      .map((object) => ({
        app: appOf(object.metadata.labels),
        namespace: object.metadata.namespace ?? "default",
        name: object.metadata.name,
      }));
  const deployments = workloads("Deployment");
  const jobs = workloads("Job");
  const deployed = Object.keys(config.images).filter(isAppName);
  const digests = Object.fromEntries(
    deployed.flatMap((app) => {
      const digest = outputs[app]?.digest ?? config.images[app]?.digest;
      return digest === undefined ? [] : [[app, digest]];
    }),
  ) as Partial<Record<AppName, string>>;
  const smoke = deployed.map((app): ExpectedSmoke => {
    const definition = apps[app];
    const namespace = deployments.find((deployment) => deployment.name === app)?.namespace ?? "apps";
    const request = (path: string): ProxyRequest => ({
      namespace,
      service: app,
      port: servicePortName,
      path,
    });
    return {
      app,
      health: request(definition.health.readiness),
      ...(definition.health.deep !== undefined ? { deep: request(definition.health.deep) } : {}),
      uses: definition.uses,
    };
  });
  const namespaces = [...new Set([...deployments, ...jobs].map((object) => object.namespace))].sort();
  return {
    expectations: { deployments, jobs, digests, smoke, namespaces },
    findings: outputFindings(config.images, outputs),
  };
}
