import { projectWorld } from "../engine/world";
import {
  decodeRun,
  encodeRun,
  root,
  runIsolated,
  runStack,
  sharedRunsVariable,
  stackConfig,
} from "./program";

test("a run survives the text the suites share it as, undefined values included", () => {
  const run = {
    registrations: [{ type: "t", name: "n", provider: undefined, inputs: { list: [1, undefined, "x"] } }],
    invocations: [],
    reads: [],
    outputs: { nothing: null, text: "\u0000undefined-looking but not the mark" },
  };
  expect(decodeRun(encodeRun(run as never))).toStrictEqual(run);
});

test("a run after other runs in the same file is exactly the first: no state carries over", async () => {
  // test/jest-runtime.js shares node_modules between the runs of one file: the first run here
  // loads @pulumi/pulumi, the later ones reuse it.
  const pulumiLoaded = () => Object.keys(require.cache).some((file) => file.includes("/@pulumi/pulumi/"));
  const run = (stack: string) => {
    const config = stackConfig(stack);
    return runIsolated(() => import("../index"), { stack, config, world: projectWorld(root, config) });
  };
  expect(pulumiLoaded()).toBe(false);
  const first = await run("acceptance");
  expect(pulumiLoaded()).toBe(true);
  const production = await run("production");
  expect(production.outputs).not.toEqual(first.outputs);
  expect(await run("acceptance")).toStrictEqual(first);
});

test("a shared run of the shipped acceptance stack is exactly a fresh one", async () => {
  expect(process.env[sharedRunsVariable]).toBeDefined();
  const config = stackConfig("acceptance");
  const shared = await runStack("acceptance");
  const again = await runStack("acceptance");
  const fresh = await runIsolated(() => import("../index"), {
    stack: "acceptance",
    config,
    world: projectWorld(root, config),
  });
  expect(shared).toStrictEqual(fresh);
  expect(again).toStrictEqual(fresh);
  // Each caller gets its own copy.
  expect(again).not.toBe(shared);
});
