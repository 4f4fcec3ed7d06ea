import { composeFakes, noOutputs, type Fakes } from "./mock-engine";
import { platformFakes } from "../infra/fakes";
import { ofType, runIsolated } from "../test/program";
import { runCli } from "../test/run-cli";
import { syntheticProject } from "../test/synthetic-project";

describe("composing the components' fakes", () => {
  test("two components may share one fake of a type; two different fakes of one type are refused", () => {
    const shared = noOutputs;
    const a: Fakes = { source: "infra/a.mock.ts", resources: { "azure-native:x:Y": shared } };
    const b: Fakes = { source: "infra/b.mock.ts", resources: { "azure-native:x:Y": shared } };
    expect(composeFakes([a, b]).resources.get("azure-native:x:Y")).toBe(shared);
    const c: Fakes = { source: "infra/c.mock.ts", resources: { "azure-native:x:Y": () => ({ a: 1 }) } };
    expect(() => composeFakes([a, c])).toThrow(
      "two different fakes for azure-native:x:Y: in infra/a.mock.ts and infra/c.mock.ts; share one",
    );
  });

  test("the program's fakes compose", () => {
    expect(composeFakes(platformFakes).packages).toEqual(
      new Set(["azure-native", "random", "docker-build", "github"]),
    );
  });
});

describe("a resource the fakes do not know", () => {
  test("of another provider gets its inputs and a name back (a synthetic program's resources)", async () => {
    const run = await runIsolated((pulumi) => {
      class Thing extends pulumi.CustomResource {
        declare readonly size: import("@pulumi/pulumi").Output<number>;
        constructor(name: string) {
          super("test:index:Thing", name, { size: 3, name: undefined });
        }
      }
      const thing = new Thing("thing");
      return Promise.resolve({ size: thing.size });
    });
    expect(ofType(run, "test:index:Thing").map((r) => r.name)).toEqual(["thing"]);
    expect(run.outputs).toEqual({ size: 3 });
  });
});

test("`platform plan` fails naming a resource of a faked provider that has no fake, before any workload is dropped", async () => {
  // What a swap of the cache whose fake was not written beside it looks like to the plan.
  const project = syntheticProject(`const { pulumi, Thing } = require("./resources");
const cache = new pulumi.CustomResource("azure-native:redis:Redis", "redis-cluster", { hostName: undefined });
new Thing("web-config", { host: cache.hostName });
`);
  try {
    expect(await runCli(["plan", "acceptance"], project.dir, { PATH: process.env["PATH"] ?? "" })).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'error: the program failed for acceptance: error serializing property "host": failed to register new resource redis-cluster [azure-native:redis:Redis]: the mock engine has no fake for azure-native:redis:Redis (redis-cluster): say what the service returns for it (or noOutputs) in the *.mock.ts beside the component that creates it, and list that file with the program\'s fakes; never registered: azure-native:redis:Redis redis-cluster, test:index:Thing web-config\n',
    });
  } finally {
    project.remove();
  }
});
