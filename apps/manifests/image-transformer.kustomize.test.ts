import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual, promisify } from "node:util";
import fc from "fast-check";
import { appNames } from "../catalog";
import { applyImageEntry, transformImages, type ImageEntry } from "./image-transformer";
import type { KubeObject } from "./kube-object";
import { imageEntry } from "./environment-objects";
import { mysqlClientImage } from "./mysql-users";
import { readYamlStream } from "../../test/yaml-stream";

// The image transformer against the real `kubectl kustomize` (kustomize 5.5 in kubectl 1.32) on a
// generated matrix: each case is an `images:` list and a set of images, put at every kind of place
// kustomize treats differently. All cases go into four kustomizations (a sub-kustomization per
// case), built by four kubectl processes at once, and every object kustomize prints must equal
// what transformImages gives. The seed is fixed: the same matrix on every run.

const sha = (character: string) => `sha256:${character.repeat(64)}`;
const token = (app: string) => `(known after deploy: image.${app}.digest)`;

const registries = ["", "host:5000/", "docker.io/library/", "acr.azurecr.io/", "my.reg/"];
const repositories = ["app", "web", "team/app", "my.app", "myxapp", "app-x", "foo", "host:5000"];
const tags = ["", ":1.0", ":", ":v2_x", ":{b}", ":1:2"];
const digests = ["", `@${sha("a")}`, "@sha256:", "@sha512:abc", "@sha256:x:y", `@${token("app")}`];
const oddImages = [
  "",
  "/app:1",
  "app@b:c",
  "app:1@sha256:a@b",
  "a/b:c/d",
  "APP",
  "app/",
  mysqlClientImage("acr.azurecr.io"),
];

/** Mostly a tag and digest kustomize's match accepts, sometimes one it does not. */
const suffix = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constantFrom(":1.0", ""), weight: 3 },
      { arbitrary: fc.constantFrom(...tags), weight: 1 },
    ),
    fc.oneof(
      { arbitrary: fc.constantFrom(`@${sha("a")}`, ""), weight: 3 },
      { arbitrary: fc.constantFrom(...digests), weight: 1 },
    ),
  )
  .map(([tag, digest]) => tag + digest);
const structuredImage = fc
  .tuple(fc.constantFrom(...registries), fc.constantFrom(...repositories), suffix)
  .map((parts) => parts.join(""));
const anyName = fc.oneof(
  fc.constantFrom(...repositories),
  fc
    .tuple(fc.constantFrom(...registries), fc.constantFrom(...repositories))
    .map(([registry, name]) => registry + name),
  fc.constantFrom("app:1.0", `app@${sha("a")}`, "app:", "a.p", "....", "", "host", "app/", "a/b:c/d", "/app"),
);
/** An entry; its names mostly from `focus`, so that several entries of a list match one image. */
const entryOf = (focus: readonly string[]): fc.Arbitrary<ImageEntry> =>
  fc.record(
    {
      name: fc.oneof({ arbitrary: fc.constantFrom(...focus), weight: 3 }, { arbitrary: anyName, weight: 1 }),
      newName: fc.oneof(
        {
          arbitrary: fc.constantFrom(
            "",
            "other",
            "host:5000/app",
            "acr.azurecr.io/app",
            "app@x",
            ...repositories,
          ),
          weight: 1,
        },
        // Renamed so that the entry matches its own output again, split otherwise: `foo` -> `foo:1:1`.
        { arbitrary: fc.constantFrom(...focus).map((name) => `${name}:1`), weight: 1 },
      ),
      newTag: fc.constantFrom("", "1.0", "2.0", "v3", "1:2", "x@sha256:y"),
      digest: fc.constantFrom("", sha("b"), "sha256:", token("app"), "sha512:abc"),
    },
    { requiredKeys: ["name"] },
  );

/** An images: list and images to run it on, most of them named as its entries are or rename to. */
const caseOf = fc.uniqueArray(anyName, { minLength: 1, maxLength: 2 }).chain((focus) =>
  fc.array(entryOf(focus), { minLength: 1, maxLength: 5 }).chain((entries) => {
    const names = [...focus, ...entries.flatMap((item) => [item.name, item.newName ?? item.name])];
    return fc.record({
      entries: fc.constant(entries),
      images: fc.uniqueArray(
        fc.oneof(
          {
            arbitrary: fc.tuple(fc.constantFrom(...names), suffix).map(([name, rest]) => name + rest),
            weight: 4,
          },
          { arbitrary: structuredImage, weight: 1 },
          { arbitrary: fc.constantFrom(...oddImages), weight: 1 },
        ),
        { minLength: 1, maxLength: 12 },
      ),
    });
  }),
);

interface Case {
  readonly entries: readonly ImageEntry[];
  readonly images: readonly string[];
}

/** What the product gives the transformer: the apps' logical names, pinned with deploy-time digests. */
const productCase: Case = {
  entries: appNames.map((app, index) =>
    imageEntry(app, index === 0 ? { tag: "1.5.0", digest: sha("c") } : { tag: "2.3.1" }, "acr.azurecr.io"),
  ),
  images: [...appNames, mysqlClientImage("acr.azurecr.io")],
};

/** Cases chosen by hand (the outcome still comes from kubectl): the rules the unit tests name. */
const chosenCases: readonly Case[] = [
  { entries: [{ name: "foo", newName: "foo:1" }], images: ["foo", `foo@${sha("a")}`, "foo:2", "foo:"] },
  {
    entries: [
      { name: "a", newName: "b" },
      { name: "b", newTag: "2" },
      { name: "a", newTag: "3" },
      { name: "c", newName: "d" },
      { name: "c", newTag: "9" },
    ],
    images: ["a:1", "a", "b", `b@${sha("a")}`, "c:1"],
  },
  { entries: [{ name: "my.app", newTag: "7" }], images: ["myxapp:1", "my.app", "my/app", "myapp"] },
  {
    entries: [
      { name: "host:5000", newTag: "5" },
      { name: "host:5000/app", newName: "other:6000/app" },
      { name: "nginx:1", newName: "haproxy" },
    ],
    images: ["host:5000", `host:5000/app:1.0@${sha("a")}`, "host/app", "nginx:1:2", "nginx:1", "nginx"],
  },
];

const cases: readonly Case[] = [
  productCase,
  ...chosenCases,
  ...fc.sample(caseOf, { seed: 20261130, numRuns: 200 }),
];
const imageCount = cases.reduce((sum, { images }) => sum + images.length, 0);

const containers = (images: readonly string[]) =>
  images.map((image, index) => ({ name: `c${index}`, image }));

/**
 * The objects of one case. Every image is in a Deployment's pod template, where kustomize applies
 * each entry twice, and in a CronJob's, where it applies it once. The first image also goes to the
 * places kustomize treats otherwise (a Pod carries them all: its kind does not matter to kustomize),
 * and, in every eighth case, to a CustomResourceDefinition, which kustomize leaves alone.
 */
function objectsOf({ images }: Case, index: number): KubeObject[] {
  const name = `case-${index}`;
  const [first = ""] = images;
  const objects: KubeObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: { template: { spec: { containers: containers(images), initContainers: containers([first]) } } },
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name },
      spec: { jobTemplate: { spec: { template: { spec: { initContainers: containers(images) } } } } },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: {
        containers: [...containers([first]), { name: "no-image" }],
        initContainers: { image: first },
        ephemeralContainers: containers([first]),
        template: [
          { spec: { initContainers: containers([first]) } },
          { spec: { containers: { image: first } } },
        ],
        nested: { deeper: { containers: containers([first]) } },
        image: first,
      },
    },
  ];
  if (index % 8 === 0) {
    objects.push({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name },
      spec: { containers: containers([first]) },
    });
  }
  return objects;
}

const execFileAsync = promisify(execFile);

/** `kubectl kustomize <dir>`; fails saying what to do when kubectl is missing. */
async function kustomize(directory: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync("kubectl", ["kustomize", directory], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        "kubectl is not installed: this test compares the image transformer with `kubectl kustomize`. " +
          "Install kubectl (https://kubernetes.io/docs/tasks/tools/); CI machines have it.",
        { cause: error },
      );
    }
    throw error;
  }
}

/** JSON is YAML, and every string in it stays a string whatever YAML 1.1 would make of it. */
const yamlOf = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value)).join("\n---\n");

const groups = 4;

/** Builds every case through kubectl, `groups` kustomizations at once; the objects it printed. */
async function kustomizeAll(root: string): Promise<KubeObject[]> {
  const directory = (index: number) => path.join(root, `group-${index % groups}`, `case-${index}`);
  await Promise.all(
    cases.map(async (item, index) => {
      await mkdir(directory(index), { recursive: true });
      await writeFile(path.join(directory(index), "objects.yaml"), yamlOf(objectsOf(item, index)));
      await writeFile(
        path.join(directory(index), "kustomization.yaml"),
        yamlOf([{ resources: ["objects.yaml"], images: item.entries }]),
      );
    }),
  );
  const outputs = await Promise.all(
    Array.from({ length: groups }, async (_, group) => {
      const resources = cases
        .map((_item, index) => `case-${index}`)
        .filter((_name, index) => index % groups === group);
      await writeFile(path.join(root, `group-${group}`, "kustomization.yaml"), yamlOf([{ resources }]));
      return kustomize(path.join(root, `group-${group}`));
    }),
  );
  // Every scalar read as a string: the objects hold nothing else.
  return outputs.flatMap((output) => readYamlStream(output, { schema: "failsafe" }) as KubeObject[]);
}

type Workload = { spec: { template: { spec: { containers: { image: string }[] } } } };
type Scheduled = {
  spec: { jobTemplate: { spec: { template: { spec: { initContainers: { image: string }[] } } } } };
};

describe("transformImages gives what kubectl kustomize gives", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "image-transformer-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it(`on ${cases.length} images: lists and ${imageCount} images, each at every kind of place`, async () => {
    const printed = await kustomizeAll(root);
    const byId = new Map(printed.map((object) => [`${object.kind}/${object.metadata.name}`, object]));

    const mismatches = cases.flatMap((item, index) =>
      transformImages(objectsOf(item, index), item.entries).flatMap((ours) => {
        const theirs = byId.get(`${ours.kind}/${ours.metadata.name}`);
        return isDeepStrictEqual(theirs, ours)
          ? []
          : [{ entries: item.entries, kind: ours.kind, ours: ours.spec, kustomize: theirs?.spec }];
      }),
    );
    expect(printed).toHaveLength(cases.reduce((sum, item, index) => sum + objectsOf(item, index).length, 0));
    expect(mismatches.slice(0, 5)).toEqual([]);

    // The matrix is worth something only if kustomize rewrote many of its images, several entries
    // one image often enough, and an entry applied twice came out otherwise than once.
    const figures = { rewritten: 0, bySeveralEntries: 0, twiceDiffersFromOnce: 0 };
    cases.forEach((item, index) => {
      const workload = byId.get(`Deployment/case-${index}`) as unknown as Workload;
      const scheduled = byId.get(`CronJob/case-${index}`) as unknown as Scheduled;
      item.images.forEach((image, position) => {
        const twice = workload.spec.template.spec.containers[position]?.image;
        const once = scheduled.spec.jobTemplate.spec.template.spec.initContainers[position]?.image;
        if (once !== image) figures.rewritten += 1;
        if (twice !== once) figures.twiceDiffersFromOnce += 1;
        const rewrites = item.entries.reduce(
          ({ current, count }, entry) => {
            const next = applyImageEntry(current, entry);
            return { current: next, count: count + (next === current ? 0 : 1) };
          },
          { current: image, count: 0 },
        );
        if (rewrites.count >= 2) figures.bySeveralEntries += 1;
      });
    });
    expect(figures.rewritten).toBeGreaterThan(imageCount / 4);
    expect(figures.bySeveralEntries).toBeGreaterThanOrEqual(20);
    expect(figures.twiceDiffersFromOnce).toBeGreaterThanOrEqual(3);
  });
});
