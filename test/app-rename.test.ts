/**
 * An app renamed in a throwaway copy (customer-api → customers-api, decision 0068) with its
 * persistent names pinned to the old ones: every resource of the old plan is still there (same
 * URN, or aliased from it) and none is replaced, in `platform diff`'s own terms. Before the
 * persistent names, the rename deleted the database and created an empty one, and made the
 * identity, the image repository and the cluster's objects new (../shared/reviews/change-cost.md,
 * section 1.4).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { plannedOperations } from "../engine/azure-operations";
import type { ProgramRun } from "../engine/mock-engine";
import { projectWorld } from "../engine/world";
import { diffPlans } from "../cli/plan-view/diff";
import { runPlan } from "../cli/program-runs";
import { renameCustomerApi, renamed } from "./app-rename";
import { runIsolated, runStack, stackConfig } from "./program";
import { projectCopy, promotedProductionStackFile } from "./project-copy";

const promoted = stackConfig("production", promotedProductionStackFile);

describe("an app renamed with its persistent names pinned", () => {
  let copy: ReturnType<typeof projectCopy>;
  const plans: Record<string, { before: ProgramRun; after: ProgramRun }> = {};
  beforeAll(async () => {
    copy = projectCopy({ "Pulumi.production.yaml": promotedProductionStackFile });
    renameCustomerApi(copy.dir);
    const plan = (stack: string, config: Record<string, string>, world = projectWorld(copy.dir, config)) =>
      runIsolated(() => import(path.join(copy.dir, "index.ts")), { stack, config, world });
    const renamedConfig = (stack: string) => stackConfig(stack, readCopy(copy.dir, `Pulumi.${stack}.yaml`));
    // Production as `platform plan production` runs it, in a plan runner: its registry holds the
    // pinned digests in the repository the copy's catalog names, the old one (engine/world.ts).
    const [acceptance, production] = [
      await plan("acceptance", renamedConfig("acceptance")),
      await runPlan({
        dir: copy.dir,
        stack: "production",
        config: renamedConfig("production"),
        timeoutSeconds: 120,
      }),
    ];
    plans["acceptance"] = { before: await runStack("acceptance"), after: acceptance };
    plans["production"] = { before: await runStack("production", promoted), after: production };
  }, 180_000);
  afterAll(() => copy.remove());

  test("the copy's stack files and catalog name customers-api only", () => {
    for (const stack of ["acceptance", "production"]) {
      const images: Record<string, unknown> = JSON.parse(
        stackConfig(stack, readCopy(copy.dir, `Pulumi.${stack}.yaml`))["platform:images"]!,
      );
      expect(Object.keys(images)).toContain(renamed.to);
      expect(Object.keys(images)).not.toContain(renamed.from);
    }
  });

  test.each(["acceptance", "production"])("%s: no resource is deleted or replaced", (stack) => {
    const { before, after } = plans[stack]!;
    const operations = plannedOperations(before, after);
    expect(
      operations
        .filter((o) => o.kind === "delete" || o.kind === "replace")
        .map((o) => `${o.kind} ${o.resource.urn}`),
    ).toEqual([]);
    expect(operations.filter((o) => o.kind === "create").map((o) => o.resource.urn)).toEqual([]);
    const diff = diffPlans(before, after);
    expect([diff.removed.map((r) => r.urn), diff.added.map((r) => r.urn)]).toEqual([[], []]);
  });

  test("production deploys the digest it ran, from the old repository", () => {
    const { after } = plans["production"]!;
    const images = after.outputs["images"] as Record<string, { image: string }>;
    expect(images[renamed.to]?.image).toMatch(/\/customer-api:0\.9\.3@sha256:0a1b2c3d/);
  });
});

function readCopy(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), "utf8");
}
