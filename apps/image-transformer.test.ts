import { transformImage, transformImages, type ImageEntry } from "./image-transformer";
import type { KubeObject } from "./kube-object";

const oldDigest = `sha256:${"a".repeat(64)}`;
const newDigest = `sha256:${"b".repeat(64)}`;

describe("transformImage follows kustomize's images: rules", () => {
  const cases: ReadonlyArray<[behaviour: string, image: string, entries: ImageEntry[], expected: string]> = [
    [
      "newName replaces the repository and keeps the tag",
      "nginx:1.7.9",
      [{ name: "nginx", newName: "registry.example.com/nginx" }],
      "registry.example.com/nginx:1.7.9",
    ],
    [
      "newName keeps both the tag and the digest",
      `nginx:1.7.9@${oldDigest}`,
      [{ name: "nginx", newName: "registry.example.com/nginx" }],
      `registry.example.com/nginx:1.7.9@${oldDigest}`,
    ],
    [
      "newName on an untagged image leaves it untagged",
      "nginx",
      [{ name: "nginx", newName: "haproxy" }],
      "haproxy",
    ],
    ["newTag alone sets the tag", "nginx:1.7.9", [{ name: "nginx", newTag: "1.8.0" }], "nginx:1.8.0"],
    ["newTag alone tags an untagged image", "nginx", [{ name: "nginx", newTag: "1.8.0" }], "nginx:1.8.0"],
    [
      "newTag alone drops an existing digest",
      `nginx:1.7.9@${oldDigest}`,
      [{ name: "nginx", newTag: "1.8.0" }],
      "nginx:1.8.0",
    ],
    [
      "digest alone sets the digest and drops the tag",
      "nginx:1.7.9",
      [{ name: "nginx", digest: newDigest }],
      `nginx@${newDigest}`,
    ],
    [
      "digest alone replaces an existing digest and drops the tag",
      `nginx:1.7.9@${oldDigest}`,
      [{ name: "nginx", digest: newDigest }],
      `nginx@${newDigest}`,
    ],
    [
      "newTag and digest together give repo:tag@digest",
      "nginx:1.7.9",
      [{ name: "nginx", newTag: "1.8.0", digest: newDigest }],
      `nginx:1.8.0@${newDigest}`,
    ],
    [
      "newName, newTag and digest together pin a logical name to the registry",
      "main-api",
      [{ name: "main-api", newName: "acr.azurecr.io/main-api", newTag: "1.5.0", digest: newDigest }],
      `acr.azurecr.io/main-api:1.5.0@${newDigest}`,
    ],
    [
      "the name matches an image that has both a tag and a digest",
      `nginx:1.7.9@${oldDigest}`,
      [{ name: "nginx", newTag: "2.0.0", digest: newDigest }],
      `nginx:2.0.0@${newDigest}`,
    ],
    [
      "the name matches a digest-only image",
      `nginx@${oldDigest}`,
      [{ name: "nginx", newTag: "2.0.0" }],
      "nginx:2.0.0",
    ],
    [
      "a registry host with a port stays in the repository",
      "host:5000/team/app:1.0",
      [{ name: "host:5000/team/app", newTag: "2.0" }],
      "host:5000/team/app:2.0",
    ],
    [
      "a registry port is not taken for a tag on an untagged image",
      "host:5000/app",
      [{ name: "host:5000/app", newTag: "2.0" }],
      "host:5000/app:2.0",
    ],
    [
      "a registry host with a port matches with tag and digest present",
      `host:5000/app:1.0@${oldDigest}`,
      [{ name: "host:5000/app", newName: "other:6000/app" }],
      `other:6000/app:1.0@${oldDigest}`,
    ],
    [
      "the name without the port does not match a host with a port",
      "host:5000/app:1.0",
      [{ name: "host/app", newTag: "2.0" }],
      "host:5000/app:1.0",
    ],
    [
      "the name must include the registry host",
      "docker.io/library/nginx:1.7.9",
      [{ name: "nginx", newTag: "1.8.0" }],
      "docker.io/library/nginx:1.7.9",
    ],
    [
      "a name that is only a prefix of the repository does not match",
      "nginx-unprivileged:1.7.9",
      [{ name: "nginx", newTag: "1.8.0" }],
      "nginx-unprivileged:1.7.9",
    ],
    ["a dot in the name matches only a dot", "myxapp:1", [{ name: "my.app", newTag: "2" }], "myxapp:1"],
    [
      "an entry that matches nothing changes nothing",
      "nginx:1.7.9",
      [{ name: "redis", newTag: "7" }],
      "nginx:1.7.9",
    ],
    [
      "the first matching entry wins",
      "nginx:1.7.9",
      [
        { name: "redis", newTag: "7" },
        { name: "nginx", newTag: "1.8.0" },
        { name: "nginx", newTag: "9.9.9" },
      ],
      "nginx:1.8.0",
    ],
    [
      "empty strings count as absent",
      `nginx:1.7.9@${oldDigest}`,
      [{ name: "nginx", newName: "", newTag: "", digest: "" }],
      `nginx:1.7.9@${oldDigest}`,
    ],
  ];

  it.each(cases)("%s", (_behaviour, image, entries, expected) => {
    expect(transformImage(image, entries)).toBe(expected);
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
