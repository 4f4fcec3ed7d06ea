// One measured run of the Pulumi program under the mock engine. Mode "project" loads it as this
// repository's Pulumi.yaml tells Pulumi to (bin/pulumi-program.js: compiled JavaScript, no
// TypeScript compiler); mode "default" as Pulumi loads a TypeScript program by default: ts-node,
// type-checking index.ts (engine/typescript-loader.ts). Prints one JSON line. Needs dist/.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [stack, mode] = process.argv.slice(2);
const root = path.join(__dirname, "..");
const dist = path.join(root, "dist");
process.chdir(root);

async function main() {
  if (mode === "default") {
    await require(path.join(dist, "engine", "typescript-loader.js")).registerTypeScript(root, {
      typeCheck: true,
    });
  }
  const { pulumiConfig } = require(path.join(dist, "stack-config", "from-file.js"));
  const { runProgram } = require(path.join(dist, "engine", "mock-engine.js"));
  const { projectWorld } = require(path.join(dist, "engine", "world.js"));
  const { stackFileName } = require(path.join(dist, "stack-config", "stack-files.js"));
  const config = pulumiConfig(fs.readFileSync(stackFileName(stack), "utf8"));
  const run = await runProgram({
    stack,
    config,
    // The world after docs/deploying.md's first-deploy steps (the bootstrap stack's outputs, registry
    // login and images), as `platform plan` runs the program.
    world: projectWorld(root, config),
    pulumi: require("@pulumi/pulumi"),
    fakes: require(path.join(dist, "infra", "fakes.js")).platformFakes,
    load: async () => require(path.join(root, mode === "default" ? "index.ts" : "bin/pulumi-program.js")),
  });
  const seconds = process.uptime();
  process.stdout.write(
    `${JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, resources: run.registrations.length })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
