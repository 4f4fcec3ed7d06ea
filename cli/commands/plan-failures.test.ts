import { readFileSync } from "node:fs";
import * as path from "node:path";
import { runCli, type CliRun } from "../../test/run-cli";
import { syntheticProject } from "../../test/synthetic-project";

const env = { PATH: process.env["PATH"] ?? "" };

/** `platform plan acceptance` (plus `args`) of a project whose program is `program`. */
async function plan(program: string, args: readonly string[] = []): Promise<CliRun> {
  const project = syntheticProject(program);
  try {
    return await runCli(["plan", "acceptance", ...args], project.dir, env);
  } finally {
    project.remove();
  }
}

const header = 'const { pulumi, Thing, Group } = require("./resources");\n';

/** A resource of `plan --json`, with its children. */
interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly children: readonly PlannedResource[];
}
const flatten = (resource: PlannedResource): string[] => [
  `${resource.type} ${resource.name}`,
  ...resource.children.flatMap(flatten),
];

/** What a runner answers for a successful run: a program can print it too, and it means nothing. */
const okLine = JSON.stringify({ ok: true, run: { registrations: [], invocations: [], outputs: {} } });

// First: the runner a success leaves idle serves the failures after it (a failed run that is over
// keeps its runner, docs/decisions/0065); the two that end their process come last.
describe("a plan that succeeds lists exactly the resources the program registered", () => {
  test("components, children and a resource created late: counted as constructed, despite lines the program prints", async () => {
    const project = syntheticProject(
      `${header}
const network = new Thing("network", {});
new Group("pool", 3);
// Created in an apply, after the program's first turn, still in the plan.
network.id.apply((id) => new Thing("route", { network: id }));
pulumi.log.info("planning the network");
console.log(${JSON.stringify(okLine)});
process.stdout.write("progress: 50% (no line break)");
`,
    );
    try {
      const { code, stdout, stderr } = await runCli(["plan", "acceptance", "--json"], project.dir, env);
      expect([code, stderr]).toEqual([0, ""]);
      const constructed = project.constructed();
      expect(constructed).toHaveLength(6);
      const planned = (JSON.parse(stdout) as { resources: PlannedResource[] }).resources.flatMap(flatten);
      expect(planned.sort()).toEqual(constructed.sort());
    } finally {
      project.remove();
    }
  });
});

describe("platform plan never shows a partial plan as a success", () => {
  test("an apply that throws: the program's message, the resource left out named, exit 1", async () => {
    const run = await plan(
      `${header}
const network = new Thing("network", { cidr: "10.0.0.0/16" });
const subnet = network.id.apply(() => { throw new Error("the subnet layout does not fit"); });
new Thing("pool", { subnet });
`,
    );
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'error: the program failed for acceptance: error serializing property "subnet": the subnet layout does not fit; never registered: test:index:Thing pool\n',
    });
  });

  test("a resource constructed only on a path that throws first: the error, no plan", async () => {
    const run = await plan(
      `${header}
const network = new Thing("network", {});
network.id.apply((id) => {
  if (id) throw new Error("no address space left for the pool");
  return new Thing("pool", {});
});
`,
    );
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: the program failed for acceptance: no address space left for the pool\n",
    });
  });

  test("a resource whose registration fails without an error: named as never registered", async () => {
    // A monitor error Pulumi treats as "shutting down" (CANCELLED) is swallowed by the SDK.
    const run = await plan(
      `${header}
const monitor = pulumi.runtime.getMonitor();
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (request, callback) =>
  request.getName() === "pool"
    ? callback(Object.assign(new Error("cancelled"), { code: 1 }))
    : register(request, callback);
new Thing("network", {});
new Thing("pool", {});
`,
    );
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: the program failed for acceptance: the program ended, but some resources were never registered: test:index:Thing pool\n",
    });
  });

  test.each([
    ["a rejected promise nobody handles", 'Promise.reject(new Error("the vault is sealed"));'],
    [
      "an exception thrown outside the program's first turn",
      'setImmediate(() => { throw new Error("the vault is sealed"); });',
    ],
  ])("%s: the program's message, exit 1", async (_name, failure) => {
    const run = await plan(`${header}new Thing("network", {});\n${failure}\n`);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: the program failed for acceptance: the vault is sealed\n",
    });
  });

  // In the runner the failures above left idle: it took the request, so the program's end is
  // the run's, and the program is not run again in a fresh runner.
  test("a program that prints a runner's ok line and exits: no plan, the exit code, its last line and stderr; run once", async () => {
    const project = syntheticProject(
      `${header}new Thing("network", {});
require("node:fs").appendFileSync(require("node:path").join(__dirname, "runs"), "run\\n");
process.stdout.write(${JSON.stringify(`${okLine}\n`)});
process.stderr.write("out of disk space\\n");
process.exit(4);
`,
    );
    try {
      const run = await runCli(["plan", "acceptance"], project.dir, env);
      expect(run).toEqual({
        code: 1,
        stdout: "",
        stderr: `error: the program run for acceptance exited with code 4 without a result; its last line of output: ${okLine}; its stderr:\n  out of disk space\n`,
      });
      expect(readFileSync(path.join(project.dir, "runs"), "utf8")).toBe("run\n");
    } finally {
      project.remove();
    }
  });

  test("a program that prints a runner's ok line and is killed: no plan, the signal", async () => {
    const run = await plan(
      `${header}new Thing("network", {});
process.stdout.write(${JSON.stringify(`${okLine}\n`)});
process.kill(process.pid, "SIGKILL");
`,
    );
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: the program run for acceptance was ended by SIGKILL without a result; its last line of output: ${okLine}\n`,
    });
  });
});
