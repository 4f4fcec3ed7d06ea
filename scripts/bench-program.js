// One measured run of the Pulumi program under the mock engine, loaded the way Pulumi's Node.js
// runtime loads a TypeScript program (see @pulumi/pulumi/cmd/run/run.js): ts-node registered
// with the project's tsconfig. Mode "default" is what Pulumi does for a project whose tsconfig
// does not opt out of type-checking; mode "project" is what this repository's tsconfig selects
// ("noCheck": true, so ts-node only transpiles). Prints one JSON line.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [stack, mode] = process.argv.slice(2);
const root = path.join(__dirname, "..");
process.chdir(root);

const ts = require("typescript");
const tsconfig = ts.parseConfigFileTextToJson(
  "tsconfig.json",
  fs.readFileSync("tsconfig.json", "utf8"),
).config;
const compilerOptions = { ...tsconfig.compilerOptions };
if (mode === "default") delete compilerOptions.noCheck;
require("ts-node").register({
  compiler: "typescript",
  transpileOnly: mode === "default" ? undefined : compilerOptions.noCheck,
  ...(mode === "default" ? { swc: false } : {}),
  project: "tsconfig.json",
  compilerOptions: {
    target: "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: "true",
    ...compilerOptions,
  },
});

const { parse } = require("yaml");
const config = Object.fromEntries(
  Object.entries(parse(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")).config).map(([key, value]) => [
    key,
    typeof value === "string" ? value : JSON.stringify(value),
  ]),
);
const { runProgram } = require("../engine/mock-engine.ts");
runProgram({ stack, config, pulumi: require("@pulumi/pulumi"), load: async () => require("../index.ts") })
  .then((run) => {
    const seconds = process.uptime();
    process.stdout.write(
      JSON.stringify({
        seconds,
        maxRssMb: process.resourceUsage().maxRSS / 1024,
        resources: run.registrations.length,
      }) + "\n",
    );
  })
  .catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
