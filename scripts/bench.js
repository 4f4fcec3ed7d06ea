// The benchmark: measures, side by side in one run, the ways this project does things against
// the alternative it replaces. Run with `npm run bench`. Figures vary on a shared machine: compare
// the columns of one run, not runs of different days.
"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const node = process.execPath;
const stacks = ["acceptance", "production"];

function measure(script, args) {
  const output = execFileSync(node, [path.join(__dirname, script), ...args], { encoding: "utf8" });
  return JSON.parse(output.trim().split("\n").pop());
}

function table(title, rows) {
  console.log(`\n${title}`);
  console.table(rows);
}

const programRows = [];
for (const stack of stacks) {
  const project = measure("bench-program.js", [stack, "project"]);
  const pulumiDefault = measure("bench-program.js", [stack, "default"]);
  programRows.push({
    stack,
    resources: project.resources,
    "project: s": project.seconds.toFixed(2),
    "project: MB": Math.round(project.maxRssMb),
    "Pulumi default (type-check): s": pulumiDefault.seconds.toFixed(2),
    "Pulumi default: MB": Math.round(pulumiDefault.maxRssMb),
    speedup: `${(pulumiDefault.seconds / project.seconds).toFixed(1)}x`,
  });
}
table(
  "Program under the mock engine, start to last registration (target: <= 1.5 s, <= 250 MB, >= 5x)",
  programRows,
);
