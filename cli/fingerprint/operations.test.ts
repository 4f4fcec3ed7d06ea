import { readFileSync } from "node:fs";
import * as path from "node:path";
import { zipOf } from "../../test/github-server";
import {
  compareOperations,
  describeOperation,
  fingerprintDocument,
  fingerprintOf,
  operationsOf,
  readFingerprintDocument,
  type PreviewStep,
} from "./operations";
import { changedPropertyPaths } from "./runs";
import { filesInZip } from "./zip";
import { InputError } from "../errors";

/** What `run` threw. */
function caught(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    return error as InputError;
  }
  throw new Error("it did not throw");
}

/** A `pulumi preview --json` of acceptance whose only change is the MySQL SKU (B1ms → B2ms). */
const fixture = JSON.parse(
  readFileSync(path.join(__dirname, "fixtures", "preview-mysql-sku.json"), "utf8"),
) as { steps: PreviewStep[] };
const mysqlServer =
  "urn:pulumi:acceptance::platform::platform:azure:MySqlServer$azure-native:dbformysql:Server::mysql-server";
const web = "urn:pulumi:acceptance::platform::platform:apps:AppWorkloads$kubernetes:apps/v1:Deployment::web";

test("a real preview reads as its operations: the SKU update, not the stack's same or the stack reference's read", () => {
  const operations = operationsOf(fixture, "acceptance", "preview.json");
  expect(operations).toEqual([{ op: "update", urn: mysqlServer, paths: ["sku.name"] }]);
  expect(fingerprintOf(operations)).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(describeOperation(operations[0]!)).toBe(`update ${mysqlServer} (sku.name)`);
});

describe("the fingerprint depends on the operations only", () => {
  const steps: PreviewStep[] = [
    {
      op: "update",
      urn: web,
      detailedDiff: { "spec.template.spec.containers[0].image": { kind: "update" } },
    },
    ...fixture.steps,
    { op: "create", urn: `${web}-canary`, newState: { custom: true }, detailedDiff: null },
  ];
  const expected = fingerprintOf(operationsOf({ steps }, "acceptance", "a"));

  test("not on the order of the steps or of their paths", () => {
    const reordered = [...steps]
      .reverse()
      .map((step) =>
        step.detailedDiff
          ? { ...step, detailedDiff: Object.fromEntries(Object.entries(step.detailedDiff).reverse()) }
          : step,
      );
    expect(fingerprintOf(operationsOf({ steps: reordered }, "acceptance", "b"))).toBe(expected);
  });

  test("not on values: old and new states, values known only after apply, the duration", () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const known = steps.map((step) =>
      step.newState ? { ...step, newState: { ...step.newState, outputs: { fqdn: unknown } } } : step,
    );
    expect(fingerprintOf(operationsOf({ steps: known, duration: 1 }, "acceptance", "c"))).toBe(expected);
  });

  test("but on a changed path, an operation or a resource", () => {
    const other = steps.map((step) =>
      step.urn === mysqlServer ? { ...step, detailedDiff: { "sku.tier": { kind: "update" } } } : step,
    );
    expect(fingerprintOf(operationsOf({ steps: other }, "acceptance", "d"))).not.toBe(expected);
    const replaced = steps.map((step) => (step.urn === mysqlServer ? { ...step, op: "replace" } : step));
    expect(fingerprintOf(operationsOf({ steps: replaced }, "acceptance", "e"))).not.toBe(expected);
  });
});

test("the steps of a replacement shown one by one count as one replace; components count for nothing", () => {
  const diff = { "networkProfile.podCidr": { kind: "update-replace" } };
  const cluster =
    "urn:pulumi:acceptance::platform::platform:azure:AksCluster$azure-native:containerservice:ManagedCluster::cluster";
  const operations = operationsOf(
    {
      steps: [
        { op: "create-replacement", urn: cluster, detailedDiff: diff },
        { op: "replace", urn: cluster, detailedDiff: diff },
        { op: "delete-replaced", urn: cluster, detailedDiff: diff },
        {
          op: "create",
          urn: "urn:pulumi:acceptance::platform::platform:azure:Redis::redis",
          newState: { custom: false },
        },
      ],
    },
    "acceptance",
    "replace.json",
  );
  expect(operations).toEqual([{ op: "replace", urn: cluster, paths: ["networkProfile.podCidr"] }]);
});

test("without a detailed diff, the keys a step names as reasons are its paths", () => {
  expect(
    operationsOf(
      {
        steps: [{ op: "update", urn: web, diffReasons: ["spec"], replaceReasons: null, detailedDiff: null }],
      },
      "acceptance",
      "x",
    ),
  ).toEqual([{ op: "update", urn: web, paths: ["spec"] }]);
});

describe("a preview that cannot be fingerprinted is bad input (exit 2), named", () => {
  const read =
    (preview: unknown, stack = "acceptance") =>
    () =>
      operationsOf(preview, stack, "preview.json");

  test("a failed preview: its error diagnostics", () => {
    expect(
      read({
        diagnostics: [
          { message: "info only", severity: "info" },
          {
            urn: mysqlServer,
            message: "error: resource partially failed: 409 Conflict\n",
            severity: "error",
          },
        ],
      }),
    ).toThrow(
      "preview.json: the preview failed, so it plans nothing that can be compared:\n  error: resource partially failed: 409 Conflict",
    );
    expect(caught(read({ diagnostics: [{ severity: "error" }] }))).toBeInstanceOf(InputError);
  });

  test("a step op Pulumi does not have, a URN that is none, a preview of another stack", () => {
    expect(read({ steps: [{ op: "upsert", urn: web }] })).toThrow(
      "preview.json: steps[0].op is 'upsert'; expected one of Pulumi's step ops: same, create, update,",
    );
    expect(read({ steps: [{ op: "update", urn: "web" }] })).toThrow(
      "preview.json: steps[0].urn is 'web', not a Pulumi URN (urn:pulumi:<stack>::…)",
    );
    expect(read(fixture, "production")).toThrow(
      `preview.json: steps[2].urn is '${mysqlServer}', a resource of another stack than production`,
    );
    expect(read([])).toThrow("preview.json: [] is not a preview (pulumi preview --json prints an object)");
  });
});

describe("a fingerprint document", () => {
  const operations = operationsOf(fixture, "acceptance", "p");
  const document = JSON.parse(JSON.stringify(fingerprintDocument("acceptance", operations))) as Record<
    string,
    unknown
  >;

  test("reads back as itself", () => {
    expect(readFingerprintDocument(document, "acceptance", "f.json")).toEqual(document);
  });

  test("is malformed when its hash is not of its operations, of another form, or of another environment", () => {
    const tampered = { ...document, operations: [{ op: "update", urn: mysqlServer, paths: [] }] };
    const error = caught(() => readFingerprintDocument(tampered, "acceptance", "f.json"));
    expect([error.exitCode, error.message]).toEqual([
      2,
      `f.json: malformed fingerprint: its fingerprint ${String(document["fingerprint"])} is not the hash of its operations (${fingerprintOf([{ op: "update", urn: mysqlServer, paths: [] }])})`,
    ]);
    expect(() =>
      readFingerprintDocument({ ...document, fingerprint: "sha256:12" }, "acceptance", "f.json"),
    ).toThrow("f.json: malformed fingerprint: fingerprint is 'sha256:12', not sha256:<64 lowercase hex>");
    expect(() => readFingerprintDocument(document, "production", "f.json")).toThrow(
      "f.json: malformed fingerprint: environment is 'acceptance', expected 'production'",
    );
  });
});

test("compareOperations lists what was added and what went missing", () => {
  const sku = { op: "update" as const, urn: mysqlServer, paths: ["sku.name"] };
  const image = { op: "update" as const, urn: web, paths: ["spec.template.spec.containers[0].image"] };
  expect(compareOperations([image], [image, sku])).toEqual({ added: [sku], missing: [] });
  expect(compareOperations([image, sku], [{ ...sku, paths: ["sku.name", "sku.tier"] }])).toEqual({
    added: [{ ...sku, paths: ["sku.name", "sku.tier"] }],
    missing: [image, sku],
  });
});

test.each([
  [{ sku: { name: "a", tier: "b" } }, { sku: { name: "c", tier: "b" } }, ["sku.name"]],
  [
    { containers: [{ image: "a" }] },
    { containers: [{ image: "b" }, { image: "c" }] },
    ["containers[0].image", "containers[1]"],
  ],
  [
    { tags: { "app.kubernetes.io/name": "a" } },
    { tags: { "app.kubernetes.io/name": "b" } },
    ['tags["app.kubernetes.io/name"]'],
  ],
  [{ backup: { days: 7 } }, {}, ["backup"]],
  [{ same: [1, { a: 2 }] }, { same: [1, { a: 2 }] }, []],
])("changedPropertyPaths(%j, %j) is %j, as Pulumi writes property paths", (before, after, paths) => {
  expect(changedPropertyPaths(before, after)).toEqual(paths);
});

test("filesInZip reads the deflated entries of an artifact's archive; other bytes are refused", () => {
  const files = filesInZip(zipOf({ "fingerprint.json": '{"a":1}\n', "b/c.txt": "x".repeat(1000) }));
  expect(Object.fromEntries([...files].map(([name, data]) => [name, data.toString("utf8")]))).toEqual({
    "fingerprint.json": '{"a":1}\n',
    "b/c.txt": "x".repeat(1000),
  });
  expect(() => filesInZip(Buffer.from("<html>not found</html>"))).toThrow(
    "not a zip archive it can read (invalid zip data)",
  );
});
