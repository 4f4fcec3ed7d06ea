import type { ProgramRun, Registration } from "../../engine/mock-engine";
import { diffPlans, formatDiff, isEmptyDiff, refusedDeletes } from "./diff";

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
        protect: false,
      });
    expect(
      formatDiff(diffPlans(run(job("main-api-migrate-1-4-0")), run(job("main-api-migrate-1-5-0")))),
    ).toBe(
      "+ kubernetes:batch/v1:Job main-api-migrate-1-5-0\n- kubernetes:batch/v1:Job main-api-migrate-1-4-0\n",
    );
  });

  test("a removed protected resource carries the engine's refusal; retained on delete says it stays", () => {
    const database = resource({
      urn: "urn:pulumi:production::platform::platform:azure:MySqlServer$azure-native:dbformysql:Database::mysql-db-web",
      type: "azure-native:dbformysql:Database",
      name: "mysql-db-web",
      retainOnDelete: true,
    });
    const diff = diffPlans(run(resource(), database), run(resource()));
    expect(refusedDeletes(diff)).toEqual([database]);
    expect(formatDiff(diff)).toBe(
      [
        "- azure-native:dbformysql:Database mysql-db-web",
        `    refused, the update stops: resource "${database.urn}" cannot be deleted`,
        "      because it is protected. To unprotect the resource, either remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, or use the command:",
        `      \`pulumi state unprotect '${database.urn}'\``,
        "    retainOnDelete: once deleted from the stack it stays in its service; Pulumi only forgets it",
        "",
      ].join("\n"),
    );
  });
});
