import { reviewInputs } from "./review";

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
