// Validates rendered Kubernetes objects against the Kubernetes OpenAPI schema, strictly: a field
// the schema does not list is a problem (an API server not asked for strict field validation
// drops it with only a warning), as are a wrong type and a missing required field. Test code
// only (docs/decisions/0018).
//
// Adding a kind: a built-in is one line in `builtInKinds`; custom resources are one line in
// `customResources`, e.g. `...crdSchemas(readFileSync(<the CRDs' YAML>, "utf8"))` for every kind
// and served version a CustomResourceDefinition file defines (cert-manager's Certificate,
// ClusterIssuer, ...).
//
// The schema comes from @kubernetes/client-node, which OpenAPI Generator builds from Kubernetes'
// own OpenAPI document of one minor version (each model file names it, "release-1.36"): every
// model's fields with their types (`attributeTypeMap` in the .js) and which are required (no `?`
// in the .d.ts). We read those generated files as data rather than importing them: the package is
// ES modules only, which the tests' CommonJS jest setup cannot load.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { readYamlStream } from "./yaml-stream";
import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The Kubernetes minor version whose OpenAPI schema the objects are checked against. The clusters
 * follow AKS's `stable` channel (N-1: 1.35 while 1.36 is AKS's newest GA minor); no npm package
 * carries the 1.35 schema, so this is the nearest that does (docs/decisions/0018).
 */
export const schemaKubernetesVersion = "1.36";

const modelsDirectory = path.join(
  path.dirname(require.resolve("@kubernetes/client-node/package.json")),
  "dist",
  "gen",
  "models",
);

/**
 * The built-in kinds the platform renders, by `apiVersion/kind`, with the client-node model of
 * each. A kind not listed here (nor registered as a custom resource) is a problem, not a pass.
 */
const builtInKinds: Readonly<Record<string, string>> = {
  "v1/ConfigMap": "V1ConfigMap",
  "v1/Namespace": "V1Namespace",
  // Not rendered: the fake API server's pods (test/kubernetes-api-fixtures.ts) are checked too.
  "v1/Pod": "V1Pod",
  "v1/Secret": "V1Secret",
  "v1/Service": "V1Service",
  "v1/ServiceAccount": "V1ServiceAccount",
  "apps/v1/Deployment": "V1Deployment",
  "autoscaling/v2/HorizontalPodAutoscaler": "V2HorizontalPodAutoscaler",
  "batch/v1/CronJob": "V1CronJob",
  "batch/v1/Job": "V1Job",
  "networking.k8s.io/v1/Ingress": "V1Ingress",
  "networking.k8s.io/v1/NetworkPolicy": "V1NetworkPolicy",
  "policy/v1/PodDisruptionBudget": "V1PodDisruptionBudget",
};

/** A JSON Schema, as ajv takes it. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * Custom resources, by `apiVersion/kind`: the `openAPIV3Schema` of each served version of the
 * resource's CustomResourceDefinition (`crdSchemas` reads them from the CRD's YAML). Each is made
 * strict the way the API server prunes.
 */
const customResources = (): Readonly<Record<string, JsonSchema>> => ({
  ...crdSchemas(readFileSync(path.join(__dirname, "crds", "cert-manager-clusterissuer.yaml"), "utf8")),
});

/** The schema of every kind and served version that the CustomResourceDefinitions in `yaml` define. */
export function crdSchemas(yaml: string): Record<string, JsonSchema> {
  const entries: [string, JsonSchema][] = [];
  for (const document of readYamlStream(yaml)) {
    if (!isSchema(document) || document.kind !== "CustomResourceDefinition") continue;
    const spec = document.spec as CrdSpec;
    for (const version of spec.versions.filter((candidate) => candidate.served)) {
      entries.push([`${spec.group}/${version.name}/${spec.names.kind}`, version.schema.openAPIV3Schema]);
    }
  }
  return Object.fromEntries(entries);
}

interface CrdSpec {
  readonly group: string;
  readonly names: { readonly kind: string };
  readonly versions: readonly {
    readonly name: string;
    readonly served: boolean;
    readonly schema: { readonly openAPIV3Schema: JsonSchema };
  }[];
}

interface Attribute {
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

const modelName = /^[A-Z]\w*$/;
const arrayOf = /^Array<(.+)>$/;
const mapOf = /^\{ \[key: string\]: (.+); \}$/;

/**
 * The fields that Kubernetes types as a `resource.Quantity`, among the models the registered kinds
 * reach. client-node's generator flattens a Quantity to a string; the API server also takes a
 * number, and refuses a string that is no quantity. Listed from the 1.36 API types
 * (kubernetes-models 5.1's generated types reference Quantity exactly there); a listed field the
 * model lacks is an error, so the list cannot go stale silently.
 */
const quantityFields: Readonly<Record<string, readonly string[]>> = {
  V1ContainerStatus: ["allocatedResources"],
  V1EmptyDirVolumeSource: ["sizeLimit"],
  V1NodeAllocatableResourceClaimStatus: ["resources"],
  V1PersistentVolumeClaimStatus: ["allocatedResources", "capacity"],
  V1PodSpec: ["overhead"],
  V1PodStatus: ["allocatedResources"],
  V1ResourceFieldSelector: ["divisor"],
  V1ResourceRequirements: ["limits", "requests"],
  V1VolumeResourceRequirements: ["limits", "requests"],
  V2HPAScalingRules: ["tolerance"],
  V2MetricTarget: ["averageValue", "value"],
  V2MetricValueStatus: ["averageValue", "value"],
};

/**
 * A quantity as apimachinery parses it (pkg/api/resource: quantity.go, suffix.go): a signed
 * decimal number, then a binary (Ki..Ei), decimal (n, u, m, k..E) or exponent (e3) suffix.
 */
const quantityPattern = "^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";

/** The JSON Schema of one client-node attribute type, and the models it refers to. */
function typeSchema(
  type: string,
  format: string,
  quantity = false,
): { schema: JsonSchema; models: string[] } {
  const array = arrayOf.exec(type);
  if (array) {
    const items = typeSchema(array[1]!, format, quantity);
    return { schema: { type: "array", items: items.schema }, models: items.models };
  }
  const map = mapOf.exec(type);
  if (map) {
    const values = typeSchema(map[1]!, format, quantity);
    return { schema: { type: "object", additionalProperties: values.schema }, models: values.models };
  }
  if (quantity && type === "string") {
    return { schema: { type: ["string", "number"], pattern: quantityPattern }, models: [] };
  }
  switch (type) {
    case "string":
    case "Date": // date-time, serialized as an RFC 3339 string
      return { schema: { type: "string" }, models: [] };
    case "number":
      return { schema: { type: format === "double" ? "number" : "integer" }, models: [] };
    case "boolean":
      return { schema: { type: "boolean" }, models: [] };
    case "IntOrString": // x-kubernetes-int-or-string: the API server takes either
      return { schema: { type: ["integer", "string"] }, models: [] };
    case "any": // RawExtension, JSON, x-kubernetes-preserve-unknown-fields: open by definition
      return { schema: {}, models: [] };
  }
  if (!modelName.test(type)) throw new Error(`client-node attribute type ${type} has no schema`);
  return { schema: { $ref: `#/definitions/${type}` }, models: [type] };
}

function readModel(model: string): { attributes: Attribute[]; required: string[] } {
  const code = readFileSync(path.join(modelsDirectory, `${model}.js`), "utf8");
  const table = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(code);
  if (!table) throw new Error(`client-node model ${model} has no attribute table`);
  const attributes = JSON.parse(table[1]!) as Attribute[];
  // The .d.ts declares each field once in the class body; a required one has no `?`.
  const declaration = readFileSync(path.join(modelsDirectory, `${model}.d.ts`), "utf8");
  const required = [...declaration.matchAll(/^ {4}'([^']+)': /gm)].map((match) => match[1]!);
  return { attributes, required };
}

/** The definitions of every model reachable from the roots: closed objects, as kubectl's strict mode. */
function modelDefinitions(roots: readonly string[]): Record<string, JsonSchema> {
  const definitions: Record<string, JsonSchema> = {};
  const pending = [...roots];
  for (let model = pending.pop(); model !== undefined; model = pending.pop()) {
    if (model in definitions) continue;
    const { attributes, required } = readModel(model);
    const quantities = quantityFields[model] ?? [];
    const stale = quantities.filter((field) => !attributes.some((attribute) => attribute.baseName === field));
    if (stale.length > 0) throw new Error(`client-node model ${model} has no field ${stale.join(", ")}`);
    const properties: Record<string, JsonSchema> = {};
    for (const attribute of attributes) {
      const quantity = quantities.includes(attribute.baseName);
      const { schema, models } = typeSchema(attribute.type, attribute.format, quantity);
      properties[attribute.baseName] = schema;
      pending.push(...models);
    }
    definitions[model] = {
      type: "object",
      properties,
      additionalProperties: false,
      ...(required.length > 0 ? { required } : {}),
    };
  }
  return definitions;
}

/**
 * A CRD's structural schema made strict as the API server prunes: an object takes only the
 * properties it lists (none when it lists none) unless it is a map (`additionalProperties`) or says
 * `x-kubernetes-preserve-unknown-fields`; `x-kubernetes-int-or-string` takes an integer or a
 * string; `nullable` takes null. Inside `allOf`/`anyOf`/`oneOf`/`not` a structural schema holds
 * value validations only, so nothing is closed there.
 */
export function strictCustomResourceSchema(schema: JsonSchema, structural = true): JsonSchema {
  const strict: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword.startsWith("x-kubernetes-") || keyword === "nullable") continue;
    if (keyword === "properties" && isSchemaMap(value)) {
      strict.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [
          name,
          strictCustomResourceSchema(property, structural),
        ]),
      );
    } else if ((keyword === "items" || keyword === "additionalProperties") && isSchema(value)) {
      strict[keyword] = strictCustomResourceSchema(value, structural);
    } else if (combinators.has(keyword)) {
      strict[keyword] = Array.isArray(value)
        ? (value as unknown[]).map((item) =>
            isSchema(item) ? strictCustomResourceSchema(item, false) : item,
          )
        : isSchema(value)
          ? strictCustomResourceSchema(value, false)
          : value;
    } else {
      strict[keyword] = value;
    }
  }
  if (schema["x-kubernetes-int-or-string"] === true) strict.type = ["integer", "string"];
  if (schema.nullable === true && typeof strict.type === "string") strict.type = [strict.type, "null"];
  if (schema["x-kubernetes-embedded-resource"] === true) {
    strict.properties = { ...(isSchemaMap(strict.properties) ? strict.properties : {}), ...resourceHeader };
  }
  const open = "additionalProperties" in schema || schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (structural && schema.type === "object" && !open) strict.additionalProperties = false;
  return strict;
}

const combinators = new Set(["allOf", "anyOf", "oneOf", "not"]);

/** What every resource has, whatever its schema says: `metadata` is the usual ObjectMeta. */
const resourceHeader: Readonly<Record<string, JsonSchema>> = {
  apiVersion: { type: "string" },
  kind: { type: "string" },
  metadata: { $ref: "kubernetes#/definitions/V1ObjectMeta" },
};

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isSchemaMap = (value: unknown): value is Record<string, JsonSchema> =>
  isSchema(value) && Object.values(value).every(isSchema);

/** A custom resource: its CRD's schema, strict, with the usual header. */
function customResourceSchema(schema: JsonSchema): JsonSchema {
  const strict = strictCustomResourceSchema(schema);
  const properties = isSchemaMap(strict.properties) ? strict.properties : {};
  return { ...strict, properties: { ...properties, ...resourceHeader } };
}

export interface KubernetesObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: unknown;
  readonly [field: string]: unknown;
}

/**
 * A validator for every registered kind: built once per process (about 0.4 s in a jest worker on a
 * quiet machine), then a few milliseconds for all the objects of both environments.
 */
export class KubernetesSchema {
  private readonly validators: ReadonlyMap<string, ValidateFunction>;

  constructor(custom: Readonly<Record<string, JsonSchema>> = customResources()) {
    const definitions = modelDefinitions([...Object.values(builtInKinds), "V1ObjectMeta"]);
    // Not strict: CRD schemas carry keywords ajv's strict mode refuses (`example`, formats such as
    // int32). Formats are not checked: client-node's tables carry none the API server enforces.
    // Each definition compiled once (no inlining) and unoptimized: quicker to build, same verdicts.
    const ajv = new Ajv({
      allErrors: true,
      strict: false,
      validateFormats: false,
      inlineRefs: false,
      code: { optimize: false },
    });
    ajv.addSchema({ $id: "kubernetes", definitions });
    const compile = (schema: JsonSchema): ValidateFunction => ajv.compile(schema);
    this.validators = new Map([
      ...Object.entries(builtInKinds).map(
        ([key, model]) => [key, compile({ $ref: `kubernetes#/definitions/${model}` })] as const,
      ),
      ...Object.entries(custom).map(([key, schema]) => [key, compile(customResourceSchema(schema))] as const),
    ]);
  }

  /** One line per problem, `Kind/name: /json/path: problem`; none when the object is valid. */
  problems(object: KubernetesObject): string[] {
    const name = isSchema(object.metadata) ? object.metadata.name : undefined;
    const subject = `${String(object.kind)}/${String(name)}`;
    const validate = this.validators.get(`${String(object.apiVersion)}/${String(object.kind)}`);
    if (validate === undefined)
      return [`${subject}: no schema for ${String(object.apiVersion)} ${String(object.kind)}`];
    if (validate(object)) return [];
    return [...new Set((validate.errors ?? []).map((error) => `${subject}: ${describe(error)}`))];
  }
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return `${error.instancePath}/${String(params.additionalProperty)}: unknown field`;
    case "required":
      return `${error.instancePath}/${String(params.missingProperty)}: required field missing`;
    case "type":
      return `${error.instancePath || "/"}: must be ${[params.type].flat().join(" or ")}`;
    case "pattern":
      return params.pattern === quantityPattern
        ? `${error.instancePath}: must be a quantity such as 250m, 1.5Gi or 2`
        : `${error.instancePath}: must match ${String(params.pattern)}`;
    default:
      return `${error.instancePath || "/"}: ${error.message ?? error.keyword}`;
  }
}

let shared: KubernetesSchema | undefined;

/** Every problem of the objects against the schema of `schemaKubernetesVersion`; empty when all are valid. */
export function schemaProblems(objects: readonly KubernetesObject[]): string[] {
  shared ??= new KubernetesSchema();
  return objects.flatMap((object) => shared!.problems(object));
}
