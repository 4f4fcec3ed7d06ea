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
