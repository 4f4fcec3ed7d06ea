import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import {
  crdSchemas,
  KubernetesSchema,
  schemaKubernetesVersion,
  schemaProblems,
  strictCustomResourceSchema,
  type JsonSchema,
} from "./kubernetes-schema";

/** A valid Deployment, the shape the platform renders, small enough to read. */
const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "apps", labels: { "app.kubernetes.io/name": "web" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { "app.kubernetes.io/name": "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "web" } },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "web",
            image: "acr.azurecr.io/web:2.3.1",
            ports: [{ name: "http", containerPort: 8080 }],
            readinessProbe: { httpGet: { path: "/health", port: "http" } },
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      },
    },
  },
});

describe("schemaProblems", () => {
  it("passes a valid Deployment", () => {
    expect(schemaProblems([deployment()])).toEqual([]);
  });

  it("names a misspelt field, the object and where it is", () => {
    const bad = deployment();
    const { securityContext, ...podSpec } = bad.spec.template.spec;
    const typo = {
      ...bad,
      spec: {
        ...bad.spec,
        template: { ...bad.spec.template, spec: { ...podSpec, securityContex: securityContext } },
      },
    };
    expect(schemaProblems([typo])).toEqual([
      "Deployment/web: /spec/template/spec/securityContex: unknown field",
    ]);
  });

  it("refuses an unknown field at any depth, metadata and list items included", () => {
    const bad = deployment();
    const container = { ...bad.spec.template.spec.containers[0]!, imagePullPolicey: "Always" };
    const objects = [
      { ...bad, metadata: { ...bad.metadata, label: { a: "b" } } },
      {
        ...bad,
        spec: {
          ...bad.spec,
          template: { ...bad.spec.template, spec: { ...bad.spec.template.spec, containers: [container] } },
        },
      },
    ];
    expect(schemaProblems(objects)).toEqual([
      "Deployment/web: /metadata/label: unknown field",
      "Deployment/web: /spec/template/spec/containers/0/imagePullPolicey: unknown field",
    ]);
  });

  it("names a wrong type", () => {
    const bad = deployment();
    expect(schemaProblems([{ ...bad, spec: { ...bad.spec, replicas: "3" } }])).toEqual([
      "Deployment/web: /spec/replicas: must be integer",
    ]);
  });

  it("names a missing required field", () => {
    const { selector: _selector, ...spec } = deployment().spec;
    expect(schemaProblems([{ ...deployment(), spec }])).toEqual([
      "Deployment/web: /spec/selector: required field missing",
    ]);
  });

  it("takes an integer or a string where Kubernetes takes either, and nothing else", () => {
    const service = (targetPort: unknown) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { ports: [{ port: 80, targetPort }] },
    });
    expect(schemaProblems([service("http"), service(8080)])).toEqual([]);
    expect(schemaProblems([service(true)])).toEqual([
      "Service/web: /spec/ports/0/targetPort: must be integer or string",
    ]);
  });

  it("takes a quantity as Kubernetes does: a number or a quantity string, nothing else", () => {
    const withResources = (resources: Record<string, unknown>) => {
      const valid = deployment();
      const container = { ...valid.spec.template.spec.containers[0]!, resources };
      const podSpec = { ...valid.spec.template.spec, containers: [container] };
      return { ...valid, spec: { ...valid.spec, template: { ...valid.spec.template, spec: podSpec } } };
    };
    const fine = [
      { cpu: 1, memory: "1.5Gi" },
      { cpu: "250m", memory: "128974848" },
      { cpu: "0.5", memory: "129e6" },
    ];
    expect(schemaProblems(fine.map((requests) => withResources({ requests })))).toEqual([]);
    expect(schemaProblems([withResources({ requests: { memory: "128MB" }, limits: { cpu: true } })])).toEqual(
      [
        "Deployment/web: /spec/template/spec/containers/0/resources/limits/cpu: must be string or number",
        "Deployment/web: /spec/template/spec/containers/0/resources/requests/memory: must be a quantity such as 250m, 1.5Gi or 2",
      ],
    );
  });

  it("keeps maps open to any key but not to any value", () => {
    const bad = deployment();
    expect(
      schemaProblems([{ ...bad, metadata: { ...bad.metadata, labels: { anything: "goes", replicas: 3 } } }]),
    ).toEqual(["Deployment/web: /metadata/labels/replicas: must be string"]);
  });

  it("keeps fields the schema leaves free-form open (managedFields' fieldsV1)", () => {
    const managedFields = [
      { manager: "pulumi", operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} } } },
    ];
    expect(
      schemaProblems([{ ...deployment(), metadata: { ...deployment().metadata, managedFields } }]),
    ).toEqual([]);
  });

  it("refuses a kind it has no schema for", () => {
    expect(schemaProblems([{ apiVersion: "v1", kind: "Endpoints", metadata: { name: "p" } }])).toEqual([
      "Endpoints/p: no schema for v1 Endpoints",
    ]);
    expect(
      schemaProblems([{ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "web" } }]),
    ).toEqual(["Certificate/web: no schema for cert-manager.io/v1 Certificate"]);
  });
});

/** An excerpt of cert-manager's Certificate CRD (`spec.versions[v1].schema.openAPIV3Schema`). */
const certificateSchema: JsonSchema = {
  type: "object",
  required: ["spec"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      required: ["issuerRef", "secretName"],
      properties: {
        dnsNames: { type: "array", items: { type: "string" } },
        issuerRef: {
          type: "object",
          required: ["name"],
          properties: { group: { type: "string" }, kind: { type: "string" }, name: { type: "string" } },
        },
        secretName: { type: "string" },
        secretTemplate: {
          type: "object",
          properties: { annotations: { type: "object", additionalProperties: { type: "string" } } },
        },
        keystores: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: {} },
        renewBeforePercentage: { "x-kubernetes-int-or-string": true },
      },
    },
    status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  },
};

/** A CRD file as cert-manager ships them: several documents, one version served. */
const certificateCrdYaml = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "cert-manager" } },
  {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "certificates.cert-manager.io" },
    spec: {
      group: "cert-manager.io",
      names: { kind: "Certificate", plural: "certificates" },
      scope: "Namespaced",
      versions: [
        { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: certificateSchema } },
        { name: "v1alpha2", served: false, storage: false, schema: { openAPIV3Schema: { type: "object" } } },
      ],
    },
  },
]
  .map((document) => stringify(document))
  .join("---\n");

describe("crdSchemas", () => {
  it("gives the schema of every served version of every CRD in a YAML file", () => {
    expect(crdSchemas(certificateCrdYaml)).toEqual({ "cert-manager.io/v1/Certificate": certificateSchema });
  });
});

describe("a registered custom resource", () => {
  const schema = new KubernetesSchema(crdSchemas(certificateCrdYaml));
  const certificate = (
    spec: Record<string, unknown>,
    metadata: Record<string, unknown> = { name: "web" },
  ) => ({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata,
    spec: { secretName: "web-tls", issuerRef: { name: "letsencrypt", kind: "ClusterIssuer" }, ...spec },
  });

  it("passes a valid one, free-form parts included", () => {
    expect(
      schema.problems(certificate({ dnsNames: ["web.example.com"], keystores: { anything: { goes: 1 } } })),
    ).toEqual([]);
  });

  it("refuses an unknown field in the spec and in the metadata, which is the usual ObjectMeta", () => {
    expect(
      schema.problems(certificate({ dnsName: ["web.example.com"] }, { name: "web", label: {} })),
    ).toEqual([
      "Certificate/web: /metadata/label: unknown field",
      "Certificate/web: /spec/dnsName: unknown field",
    ]);
  });

  it("names a wrong type and a missing required field", () => {
    expect(
      schema.problems(certificate({ issuerRef: { kind: "ClusterIssuer" }, renewBeforePercentage: 1.5 })),
    ).toEqual([
      "Certificate/web: /spec/issuerRef/name: required field missing",
      "Certificate/web: /spec/renewBeforePercentage: must be integer or string",
    ]);
  });

  it("is made strict the way the API server prunes", () => {
    expect(
      strictCustomResourceSchema({
        type: "object",
        properties: {
          closed: { type: "object", properties: { a: { type: "string" } } },
          empty: { type: "object" },
          open: {
            type: "object",
            "x-kubernetes-preserve-unknown-fields": true,
            properties: { a: { type: "string" } },
          },
          map: { type: "object", additionalProperties: { type: "string" } },
          port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
          note: { type: "string", nullable: true },
          either: {
            type: "object",
            properties: { a: { type: "string" }, b: { type: "string" } },
            oneOf: [{ required: ["a"] }, { required: ["b"] }],
          },
        },
      }),
    ).toEqual({
      type: "object",
      additionalProperties: false,
      properties: {
        closed: { type: "object", additionalProperties: false, properties: { a: { type: "string" } } },
        empty: { type: "object", additionalProperties: false },
        open: { type: "object", properties: { a: { type: "string" } } },
        map: { type: "object", additionalProperties: { type: "string" } },
        port: { type: ["integer", "string"], anyOf: [{ type: "integer" }, { type: "string" }] },
        note: { type: ["string", "null"] },
        either: {
          type: "object",
          additionalProperties: false,
          properties: { a: { type: "string" }, b: { type: "string" } },
          oneOf: [{ required: ["a"] }, { required: ["b"] }],
        },
      },
    });
  });
});

describe("the schema's Kubernetes version", () => {
  it("is the one client-node was generated from, so a bump of the package cannot change it silently", () => {
    const model = require.resolve("@kubernetes/client-node/dist/gen/models/V1Deployment.js");
    expect(readFileSync(model, "utf8")).toContain(
      `OpenAPI spec version: release-${schemaKubernetesVersion}\n`,
    );
  });
});
