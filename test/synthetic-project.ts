import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { root } from "./program";
import { stackFiles } from "./project-copy";

/**
 * The resource classes a synthetic program uses (`require("./resources")`): `Thing`, a custom
 * resource, and `Group`, a component. Every construction appends `type name` to
 * `constructed.txt`, so a test can compare the plan with what the program constructed.
 */
const resourcesModule = `const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");

const constructed = (type, name) =>
  fs.appendFileSync(path.join(__dirname, "constructed.txt"), \`\${type} \${name}\\n\`);

class Thing extends pulumi.CustomResource {
  constructor(name, args, opts) {
    constructed("test:index:Thing", name);
    super("test:index:Thing", name, args, opts);
  }
}

class Group extends pulumi.ComponentResource {
  constructor(name, count, opts) {
    constructed("test:index:Group", name);
    super("test:index:Group", name, {}, opts);
    this.members = Array.from({ length: count }, (_, i) => new Thing(\`\${name}-\${i}\`, { index: i }, { parent: this }));
    this.registerOutputs({});
  }
}

module.exports = { pulumi, Thing, Group };
`;

/** A Pulumi project in a temporary directory whose program is a few lines of JavaScript. */
export interface SyntheticProject {
  readonly dir: string;
  /** `type name` of every resource the program constructed, in order. */
  constructed(): string[];
  remove(): void;
}

/**
 * A project whose `index.js` is `program` (plain JavaScript, no compiler), with this checkout's
 * node_modules linked in and the repository's stack files, so that `platform plan` accepts it.
 */
export function syntheticProject(program: string): SyntheticProject {
  const dir = mkdtempSync(path.join(tmpdir(), "platform-synthetic-"));
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const stackFile of stackFiles()) {
    copyFileSync(path.join(root, stackFile), path.join(dir, stackFile));
  }
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: synthetic\nmain: index.js\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
  );
  writeFileSync(path.join(dir, "resources.js"), resourcesModule);
  writeFileSync(path.join(dir, "index.js"), program);
  return {
    dir,
    constructed: () => readFileSync(path.join(dir, "constructed.txt"), "utf8").split("\n").filter(Boolean),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
