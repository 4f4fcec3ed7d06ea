import { applyImageEntry, transformImages, type ImageEntry } from "./image-transformer";
import type { KubeObject } from "./kube-object";

const oldDigest = `sha256:${"a".repeat(64)}`;
const newDigest = `sha256:${"b".repeat(64)}`;

describe("applyImageEntry follows kustomize's images: rules for one entry", () => {
  const cases: ReadonlyArray<[behaviour: string, image: string, entry: ImageEntry, expected: string]> = [
    [
      "newName replaces the name and keeps the tag",
      "nginx:1.7.9",
      { name: "nginx", newName: "registry.example.com/nginx" },
      "registry.example.com/nginx:1.7.9",
    ],
    [
      "newName keeps both the tag and the digest",
      `nginx:1.7.9@${oldDigest}`,
      { name: "nginx", newName: "registry.example.com/nginx" },
      `registry.example.com/nginx:1.7.9@${oldDigest}`,
    ],
    [
      "newName on an untagged image leaves it untagged",
      "nginx",
      { name: "nginx", newName: "haproxy" },
      "haproxy",
    ],
    ["newTag alone sets the tag", "nginx:1.7.9", { name: "nginx", newTag: "1.8.0" }, "nginx:1.8.0"],
    ["newTag alone tags an untagged image", "nginx", { name: "nginx", newTag: "1.8.0" }, "nginx:1.8.0"],
    [
      "newTag alone drops an existing digest",
      `nginx:1.7.9@${oldDigest}`,
      { name: "nginx", newTag: "1.8.0" },
      "nginx:1.8.0",
    ],
    [
      "digest alone sets the digest and drops the tag",
      "nginx:1.7.9",
      { name: "nginx", digest: newDigest },
      `nginx@${newDigest}`,
    ],
    [
      "digest alone replaces an existing digest and drops the tag",
      `nginx:1.7.9@${oldDigest}`,
      { name: "nginx", digest: newDigest },
      `nginx@${newDigest}`,
    ],
    [
      "newTag and digest together give name:tag@digest",
      "nginx:1.7.9",
      { name: "nginx", newTag: "1.8.0", digest: newDigest },
      `nginx:1.8.0@${newDigest}`,
    ],
    [
      "newName, newTag and digest together pin a logical name to the registry",
      "main-api",
      { name: "main-api", newName: "acr.azurecr.io/main-api", newTag: "1.5.0", digest: newDigest },
      `acr.azurecr.io/main-api:1.5.0@${newDigest}`,
    ],
    [
      "a deploy-time token is taken as the digest as it is",
      "web",
      {
        name: "web",
        newName: "acr.azurecr.io/web",
        newTag: "2.3.1",
        digest: "(known after deploy: image.web.digest)",
      },
      "acr.azurecr.io/web:2.3.1@(known after deploy: image.web.digest)",
    ],
    [
      "the name matches an image that has both a tag and a digest",
      `nginx:1.7.9@${oldDigest}`,
      { name: "nginx", newTag: "2.0.0", digest: newDigest },
      `nginx:2.0.0@${newDigest}`,
    ],
    [
      "the name matches a digest-only image",
      `nginx@${oldDigest}`,
      { name: "nginx", newTag: "2.0.0" },
      "nginx:2.0.0",
    ],
    [
      "the name does not match a digest other than sha256",
      "nginx@sha512:abc",
      { name: "nginx", newTag: "2.0.0" },
      "nginx@sha512:abc",
    ],
    [
      "the name does not match a tag with a character outside [a-zA-Z0-9_.{}-]",
      "nginx:1:2",
      { name: "nginx", newTag: "2.0.0" },
      "nginx:1:2",
    ],
    [
      "a name with a tag matches that tag only",
      "nginx:1.7.9",
      { name: "nginx:1.7.9", newTag: "2.0.0" },
      "nginx:2.0.0",
    ],
    [
      "a name with a tag does not match another tag",
      "nginx:1.8",
      { name: "nginx:1.7.9", newTag: "2.0.0" },
      "nginx:1.8",
    ],
    [
      "after the first ':' past the registry comes the tag, further ':' included",
      "nginx:1:2",
      { name: "nginx:1", newName: "haproxy" },
      "haproxy:1:2",
    ],
    [
      "a registry host with a port stays in the name",
      "host:5000/team/app:1.0",
      { name: "host:5000/team/app", newTag: "2.0" },
      "host:5000/team/app:2.0",
    ],
    [
      "a registry port is not taken for a tag on an untagged image",
      "host:5000/app",
      { name: "host:5000/app", newTag: "2.0" },
      "host:5000/app:2.0",
    ],
    [
      "a registry host with a port matches with tag and digest present",
      `host:5000/app:1.0@${oldDigest}`,
      { name: "host:5000/app", newName: "other:6000/app" },
      `other:6000/app:1.0@${oldDigest}`,
    ],
    [
      "without a '/', what follows a ':' is a tag, a port included",
      "host:5000",
      { name: "host:5000", newTag: "2.0" },
      "host:2.0",
    ],
    [
      "the name without the port does not match a host with a port",
      "host:5000/app:1.0",
      { name: "host/app", newTag: "2.0" },
      "host:5000/app:1.0",
    ],
    [
      "the name must include the registry host",
      "docker.io/library/nginx:1.7.9",
      { name: "nginx", newTag: "1.8.0" },
      "docker.io/library/nginx:1.7.9",
    ],
    [
      "a name that is only a prefix of the name does not match",
      "nginx-unprivileged:1.7.9",
      { name: "nginx", newTag: "1.8.0" },
      "nginx-unprivileged:1.7.9",
    ],
    [
      "a '.' in the name matches any character, as in a regular expression",
      "myxapp:1",
      { name: "my.app", newTag: "2" },
      "myxapp:2",
    ],
    ["an empty tag after ':' is dropped", "nginx:", { name: "nginx", newName: "haproxy" }, "haproxy"],
    [
      "an entry that matches nothing changes nothing",
      "nginx:1.7.9",
      { name: "redis", newTag: "7" },
      "nginx:1.7.9",
    ],
    [
      "empty strings count as absent",
      `nginx:1.7.9@${oldDigest}`,
      { name: "nginx", newName: "", newTag: "", digest: "" },
      `nginx:1.7.9@${oldDigest}`,
    ],
  ];

  it.each(cases)("%s", (_behaviour, image, entry, expected) => {
    expect(applyImageEntry(image, entry)).toBe(expected);
  });

  it.each(["nginx+", "ngin[x]", "a|b", "*", "nginx$", "my app"])(
    "refuses the name %j, which kustomize would read as more than a literal",
    (name) => {
      expect(() => applyImageEntry("nginx", { name, newTag: "2" })).toThrow(
        `image entry name '${name}' may hold only letters, digits and . _ - : / @ (kustomize reads it as a regular expression)`,
      );
      expect(() => transformImages([], [{ name: "nginx" }, { name }])).toThrow(`image entry name '${name}'`);
    },
  );
});

const deployment = (image: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "app" },
  spec: { template: { spec: { containers: [{ name: "main", image }] } } },
});

const deploymentImage = (object: KubeObject | undefined): unknown =>
  (object?.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]
    ?.image;

describe("transformImages with several entries, as kustomize", () => {
  const cases: ReadonlyArray<[behaviour: string, image: string, entries: ImageEntry[], expected: string]> = [
    [
      "applies every matching entry, in order",
      "nginx:1.7.9",
      [
        { name: "redis", newTag: "7" },
        { name: "nginx", newTag: "1.8.0" },
        { name: "nginx", newName: "registry.example.com/nginx" },
      ],
      "registry.example.com/nginx:1.8.0",
    ],
    [
      "lets a later entry set what an earlier one set",
      "nginx:1.7.9",
      [
        { name: "nginx", newTag: "1.8.0" },
        { name: "nginx", newTag: "9.9.9" },
      ],
      "nginx:9.9.9",
    ],
    [
      "matches a later entry against the image as the earlier ones left it",
      "a:1",
      [
        { name: "a", newName: "b" },
        { name: "b", newTag: "2" },
      ],
      "b:2",
    ],
    [
      "does not match a later entry against the original name once it is renamed",
      "c:1",
      [
        { name: "c", newName: "d" },
        { name: "c", newTag: "9" },
      ],
      "d:1",
    ],
    [
      "does not go back to an earlier entry",
      "b:1",
      [
        { name: "a", newTag: "3" },
        { name: "b", newName: "a" },
      ],
      "a:1",
    ],
  ];

  it.each(cases)("%s", (_behaviour, image, entries, expected) => {
    expect(deploymentImage(transformImages([deployment(image)], entries)[0])).toBe(expected);
  });

  it("applies each entry twice to pod-template images, once to a CronJob's", () => {
    // kustomize runs each entry over every container list, then again over its default image field
    // paths (spec/containers, spec/template/spec/containers, ...). Only an entry whose output it
    // matches again with another split shows it: `foo` -> `foo:1` (tag 1) -> `foo:1:1`.
    const entries: ImageEntry[] = [{ name: "foo", newName: "foo:1" }];
    const cronJob: KubeObject = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "app" },
      spec: {
        jobTemplate: { spec: { template: { spec: { containers: [{ name: "main", image: "foo" }] } } } },
      },
    };
    const [transformedDeployment, transformedCronJob] = transformImages(
      [deployment("foo"), cronJob],
      entries,
    );
    expect(deploymentImage(transformedDeployment)).toBe("foo:1:1");
    expect(transformedCronJob?.spec).toEqual({
      jobTemplate: { spec: { template: { spec: { containers: [{ name: "main", image: "foo:1" }] } } } },
    });
  });
});

const entries: ImageEntry[] = [{ name: "app", newName: "acr.azurecr.io/app", newTag: "1.5.0" }];
const pinned = "acr.azurecr.io/app:1.5.0";

const podSpec = () => ({
  initContainers: [{ name: "init", image: "app:0.1" }],
  containers: [
    { name: "main", image: "app" },
    { name: "sidecar", image: "busybox:1.36" },
  ],
});

const workload = (apiVersion: string, kind: string, spec: object): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: "app" },
  spec,
});

describe("transformImages", () => {
  const kinds: ReadonlyArray<[kind: string, object: KubeObject, path: readonly string[]]> = [
    ["Pod", workload("v1", "Pod", podSpec()), ["spec"]],
    [
      "Deployment",
      workload("apps/v1", "Deployment", { template: { spec: podSpec() } }),
      ["spec", "template", "spec"],
    ],
    [
      "StatefulSet",
      workload("apps/v1", "StatefulSet", { template: { spec: podSpec() } }),
      ["spec", "template", "spec"],
    ],
    [
      "DaemonSet",
      workload("apps/v1", "DaemonSet", { template: { spec: podSpec() } }),
      ["spec", "template", "spec"],
    ],
    [
      "ReplicaSet",
      workload("apps/v1", "ReplicaSet", { template: { spec: podSpec() } }),
      ["spec", "template", "spec"],
    ],
    ["Job", workload("batch/v1", "Job", { template: { spec: podSpec() } }), ["spec", "template", "spec"]],
    [
      "CronJob",
      workload("batch/v1", "CronJob", { jobTemplate: { spec: { template: { spec: podSpec() } } } }),
      ["spec", "jobTemplate", "spec", "template", "spec"],
    ],
  ];

  it.each(kinds)("rewrites containers and initContainers of a %s", (_kind, object, path) => {
    const [transformed] = transformImages([object], entries);
    const spec = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], transformed);
    expect(spec).toEqual({
      initContainers: [{ name: "init", image: "acr.azurecr.io/app:1.5.0" }],
      containers: [
        { name: "main", image: pinned },
        { name: "sidecar", image: "busybox:1.36" },
      ],
    });
  });

  it("leaves ephemeralContainers untouched", () => {
    const pod = workload("v1", "Pod", {
      containers: [{ name: "main", image: "app" }],
      ephemeralContainers: [{ name: "debug", image: "app" }],
    });
    const [transformed] = transformImages([pod], entries);
    expect(transformed?.spec).toEqual({
      containers: [{ name: "main", image: pinned }],
      ephemeralContainers: [{ name: "debug", image: "app" }],
    });
  });

  it("leaves image fields outside container lists alone", () => {
    const configMap: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app", annotations: { image: "app" } },
      data: { image: "app", containers: "app" },
    };
    expect(transformImages([configMap], entries)).toEqual([configMap]);
  });

  it("leaves CustomResourceDefinitions alone, as kustomize does", () => {
    const definition: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "things.example.com" },
      spec: { example: { containers: [{ name: "main", image: "app" }] } },
    };
    expect(transformImages([definition], entries)).toEqual([definition]);
  });

  it("changes nothing when no entry matches", () => {
    const deployment = workload("apps/v1", "Deployment", { template: { spec: podSpec() } });
    expect(transformImages([deployment], [{ name: "other", newTag: "2" }])).toEqual([deployment]);
  });

  it("returns new objects and never changes its input", () => {
    const deployment = workload("apps/v1", "Deployment", { template: { spec: podSpec() } });
    const before = structuredClone(deployment);
    const [transformed] = transformImages([deployment], entries);
    expect(deployment).toEqual(before);
    expect(transformed).not.toBe(deployment);
    expect(transformed?.spec).not.toBe(deployment.spec);
  });
});

test("only the image field is rewritten: a container named like an entry keeps its name (mutation-gate.md #10)", () => {
  const [deployment] = transformImages(
    [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web" },
        spec: {
          template: {
            spec: {
              containers: [{ name: "web", image: "web", workingDir: "web", imagePullPolicy: "web" }],
            },
          },
        },
      },
    ],
    [{ name: "web", newTag: "1" }],
  );
  expect(deployment!["spec"]).toEqual({
    template: {
      spec: { containers: [{ name: "web", image: "web:1", workingDir: "web", imagePullPolicy: "web" }] },
    },
  });
});
