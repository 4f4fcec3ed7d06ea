// One measured run of the Pulumi program under the mock engine, loaded the way Pulumi's Node.js
// runtime loads a TypeScript program (engine/typescript-loader.ts). Mode "default" is Pulumi's
// default for a tsconfig that does not opt out of type-checking; mode "project" is what this
// repository's tsconfig selects. Prints one JSON line. Needs `npm run build` (dist/).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [stack, mode] = process.argv.slice(2);
const root = path.join(__dirname, "..");
const dist = path.join(root, "dist");
process.chdir(root);

async function main() {
  await require(path.join(dist, "engine", "typescript-loader.js")).registerTypeScript(root, {
    typeCheck: mode === "default",
  });
  const { pulumiConfig } = require(path.join(dist, "cli", "program-runs.js"));
  const { runProgram } = require(path.join(dist, "engine", "mock-engine.js"));
  const run = await runProgram({
    stack,
    config: pulumiConfig(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")),
    pulumi: require("@pulumi/pulumi"),
    load: async () => require(path.join(root, "index.ts")),
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
