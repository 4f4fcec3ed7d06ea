import { runStack } from "../test/program";
import { childTypes, dataComponents, uncheckedDataTypes, unviewedDataTypes } from "../test/policy-coverage";

describe("every resource type of a data component is checked by a policy", () => {
  test.each(["acceptance", "production"])(
    "%s: each child type of RedisCache and MySqlServer is read by a policy",
    async (stack) => {
      const run = await runStack(stack);
      for (const component of dataComponents)
        expect(childTypes(run.registrations, component).length).toBeGreaterThan(3);
      expect(await uncheckedDataTypes(run.registrations)).toEqual([]);
      // And the plan view shows each one that costs: its SKU, its minutes on the critical path.
      expect(unviewedDataTypes(run.registrations)).toEqual([]);
    },
  );
});
