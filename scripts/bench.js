// The benchmark: measures, side by side in one run, what this project does against the way it
// replaces. `npm run bench` (builds dist/ first). Figures vary on a shared machine: compare the
// columns of one run, not runs of different days. Each figure is the median of several runs.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const { mkdtempSync, mkdirSync, writeFileSync, existsSync } = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..");
const node = process.execPath;
const stacks = ["acceptance", "production"];
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const time = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Wall seconds and peak memory (MB) of a command, by GNU time, median of `repeats` runs. */
function measureCommand(command, args, options = {}) {
  const seconds = [];
  const megabytes = [];
  for (let run = 0; run < repeats; run += 1) {
    if (time) {
      const result = spawnSync(time, ["-f", "%e %M", command, ...args], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "ignore", "pipe"],
        ...options,
      });
      const [wall, kilobytes] = result.stderr.trim().split("\n").pop().split(" ").map(Number);
      seconds.push(wall);
      megabytes.push(kilobytes / 1024);
    } else {
      const start = process.hrtime.bigint();
      spawnSync(command, args, { cwd: root, stdio: "ignore", ...options });
      seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return { seconds: median(seconds), mb: megabytes.length > 0 ? Math.round(median(megabytes)) : "n/a" };
}

/** A script of ours that reports its own time and memory as JSON, median of `repeats` runs. */
function measureScript(script, args) {
  const runs = [];
  for (let run = 0; run < repeats; run += 1) {
    const output = execFileSync(node, [path.join(__dirname, script), ...args], {
      cwd: root,
      encoding: "utf8",
    });
    runs.push(JSON.parse(output.trim().split("\n").pop()));
  }
  return {
    seconds: median(runs.map((r) => r.seconds)),
    mb: Math.round(median(runs.map((r) => r.maxRssMb))),
    resources: runs[0].resources,
  };
}

/** A kustomize overlay of `count` apps (Deployment + Service each, an images: entry per app). */
function kustomizeOverlay(count) {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-kustomize-${count}-`));
  mkdirSync(path.join(dir, "base"));
  const names = Array.from({ length: count }, (_, index) => `app-${String(index + 1).padStart(3, "0")}`);
  for (const name of names) {
    writeFileSync(
      path.join(dir, "base", `${name}.yaml`),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  replicas: 2\n  selector: { matchLabels: { app: ${name} } }\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec:\n      containers:\n        - name: ${name}\n          image: ${name}\n          ports: [{ containerPort: 8080 }]\n---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  selector: { app: ${name} }\n  ports: [{ port: 80, targetPort: 8080 }]\n`,
    );
  }
  writeFileSync(
    path.join(dir, "base", "kustomization.yaml"),
    `resources:\n${names.map((n) => `  - ${n}.yaml\n`).join("")}`,
  );
  writeFileSync(
    path.join(dir, "kustomization.yaml"),
    `resources: [base]\nimages:\n${names.map((n, i) => `  - name: ${n}\n    newName: registry.example.com/${n}\n    newTag: "1.0.0"\n    digest: sha256:${(i + 1).toString(16).padStart(64, "0")}\n`).join("")}`,
  );
  return dir;
}

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
const cell = (m) => `${m.seconds.toFixed(2)} s / ${m.mb} MB`;

execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
console.log(
  `node ${process.version}, ${repeats} runs each, median; kubectl ${hasKubectl ? "found" : "not installed: no kustomize column"}`,
);

const programRows = stacks.map((stack) => {
  const project = measureScript("bench-program.js", [stack, "project"]);
  const pulumiDefault = measureScript("bench-program.js", [stack, "default"]);
  return {
    stack,
    resources: project.resources,
    "this project (compiled)": cell(project),
    "Pulumi default (type-check)": cell(pulumiDefault),
    speedup: `${(pulumiDefault.seconds / project.seconds).toFixed(1)}x`,
  };
});
console.log(
  "\nProgram start to last registration under the mock engine (target: <= 1.5 s, <= 250 MB, >= 5x)",
);
console.table(programRows);

const renderRows = [];
for (const stack of stacks) {
  renderRows.push({
    what: `platform render ${stack}`,
    "platform render": cell(measureCommand(node, ["bin/platform.js", "render", stack])),
    "kustomize build": "",
  });
}
for (const count of [3, 100, 300]) {
  const ours = measureCommand(node, ["scripts/bench-render.js", String(count)]);
  const theirs = hasKubectl ? measureCommand("kubectl", ["kustomize", kustomizeOverlay(count)]) : undefined;
  renderRows.push({
    what: `synthetic, ${count} apps`,
    "platform render": cell(ours),
    "kustomize build": theirs ? cell(theirs) : "n/a",
    ratio: theirs ? `${(theirs.seconds / ours.seconds).toFixed(1)}x` : "",
  });
}
console.log("\nRender (target: no slower than kustomize at 3 apps, >= 5x faster at 100, linear)");
console.log(
  "platform render prints ~13 objects per app (workloads, policies, PDB, HPA...); the kustomize overlay 2.",
);
console.table(renderRows);

const planRows = stacks.map((stack) => ({
  stack,
  "platform plan": cell(measureCommand(node, ["bin/platform.js", "plan", stack])),
}));
console.log(
  "\nplatform plan, whole command (target: <= 2 s, <= 300 MB per environment; the program runs in a child process)",
);
console.table(planRows);
