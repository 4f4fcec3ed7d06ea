import type { ProgramRun, Registration } from "../engine/mock-engine";
import { diffPlans, formatDiff, isEmptyDiff, reviewInputs } from "./plan";

const resource = (overrides: Partial<Registration> = {}): Registration => ({
  urn: "urn:pulumi:production::platform::azure-native:dbformysql:Server::mysql-server",
  type: "azure-native:dbformysql:Server",
  name: "mysql-server",
  inputs: { sku: { name: "Standard_D2ads_v5", tier: "GeneralPurpose" } },
  dependencies: [],
  custom: true,
  protect: true,
  retainOnDelete: false,
  ...overrides,
});
const run = (...registrations: Registration[]): ProgramRun => ({
  registrations,
  invocations: [],
  reads: [],
  outputs: {},
});

describe("diffPlans", () => {
  test("equal plans have no difference", () => {
    expect(isEmptyDiff(diffPlans(run(resource()), run(resource())))).toBe(true);
  });

  test("a changed input, old → new", () => {
    const after = resource({ inputs: { sku: { name: "Standard_D4ads_v5", tier: "GeneralPurpose" } } });
    expect(formatDiff(diffPlans(run(resource()), run(after)))).toBe(
      "~ azure-native:dbformysql:Server mysql-server\n    sku.name: Standard_D2ads_v5 → Standard_D4ads_v5\n",
    );
  });

  test("dropping protect is a change, though no input moved", () => {
    expect(formatDiff(diffPlans(run(resource()), run(resource({ protect: false }))))).toBe(
      "~ azure-native:dbformysql:Server mysql-server\n    (protect): true → false\n",
    );
  });

  test("added and removed resources", () => {
    const job = (name: string) =>
      resource({
        urn: `urn:pulumi:production::platform::kubernetes:batch/v1:Job::${name}`,
        type: "kubernetes:batch/v1:Job",
        name,
        inputs: {},
      });
    expect(
      formatDiff(diffPlans(run(job("main-api-migrate-1-4-0")), run(job("main-api-migrate-1-5-0")))),
    ).toBe(
      "+ kubernetes:batch/v1:Job main-api-migrate-1-5-0\n- kubernetes:batch/v1:Job main-api-migrate-1-4-0\n",
    );
  });
});

describe("reviewInputs", () => {
  test("names a role assignment's role and scope instead of the definition id", () => {
    const assignment = {
      type: "azure-native:authorization:RoleAssignment",
      inputs: {
        roleDefinitionId:
          "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
        scope: "registry",
      },
    };
    expect(reviewInputs(assignment)).toEqual([
      ["role", "acrPull"],
      ["scope", "registry"],
    ]);
  });

  test("lists every container image of a workload", () => {
    const deployment = {
      type: "kubernetes:apps/v1:Deployment",
      inputs: {
        spec: {
          replicas: 2,
          template: { spec: { initContainers: [{ image: "a:1" }], containers: [{ image: "b:2" }] } },
        },
      },
    };
    expect(reviewInputs(deployment)).toEqual([
      ["spec.replicas", 2],
      ["image", "a:1"],
      ["image", "b:2"],
    ]);
  });
});
