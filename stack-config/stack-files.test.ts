import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { environmentNames } from "../environments/settings";
import { bootstrapStack, bootstrapStackFile, stackFileName } from "./stack-files";

const root = path.join(__dirname, "..");

/** The one module that builds stack file paths. */
const home = "stack-config/stack-files.ts";

const isTest = (file: string) => /\.test\.ts$/.test(file);
const isTestHelper = (file: string) => file.startsWith("test/");

/** The string pieces of a source file (literals and the text parts of templates), with their lines. */
function stringsOf(file: string, text: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Every place in `files` (path → text) outside stack-config/stack-files.ts that builds a stack
 * file's path (a string piece ending in `Pulumi.`: `Pulumi.${stack}.yaml`, `"Pulumi." + stack`)
 * or, in the platform's own sources, writes one out (`bootstrap/Pulumi.shared.yaml`,
 * `Pulumi.*.yaml`), as `file:line: what`. Tests and their fixtures may write the names out:
 * they pin the convention independently of the code they check.
 */
function stackFilePathCopies(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of files) {
    // Parsing every file takes seconds; only a file that mentions `Pulumi.` can hold a copy.
    if (file === home || isTest(file) || !text.includes("Pulumi.")) continue;
    for (const piece of stringsOf(file, text)) {
      const at = `${file}:${piece.line}: ${JSON.stringify(piece.text)}`;
      if (/(^|[^\w.])Pulumi\.$/.test(piece.text)) {
        problems.push(`${at} builds a stack file's path; use stackFileName or bootstrapStackFile (${home})`);
      } else if (!isTestHelper(file) && /Pulumi\.(?!yaml\b)/.test(piece.text)) {
        problems.push(`${at} names a stack file; use stackFileName or bootstrapStackFile (${home})`);
      }
    }
  }
  return problems;
}

/** The TypeScript and JavaScript sources of the project, by path relative to the root. */
function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const skip = new Set(["node_modules", "dist", "coverage", ".git"]);
  const visit = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory() && !skip.has(entry.name) && !entry.name.startsWith(".")) visit(relative);
      else if (entry.isFile() && /\.[mc]?[tj]s$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.set(relative, readFileSync(path.join(root, relative), "utf8"));
      }
    }
  };
  visit("");
  return files;
}

describe("the stack files' paths", () => {
  test("are Pulumi's names for the stacks' settings files, and the repository holds them", () => {
    expect(stackFileName("acceptance")).toBe("Pulumi.acceptance.yaml");
    expect(bootstrapStack).toBe("shared");
    expect(bootstrapStackFile).toBe("bootstrap/Pulumi.shared.yaml");
    for (const file of [bootstrapStackFile, ...environmentNames.map(stackFileName)]) {
      expect([file, existsSync(path.join(root, file))]).toEqual([file, true]);
    }
  });

  test("are built only in stack-config/stack-files.ts", () => {
    const files = sources();
    expect(files.has(home) && files.has("scripts/bench-program.js")).toBe(true);
    expect(stackFilePathCopies(files)).toEqual([]);
  });

  test("a copy is named with the file, the line and the string", () => {
    const files = new Map([
      [home, "export const f = (stack: string) => `Pulumi.${stack}.yaml`;\n"],
      [
        "engine/world.ts",
        'const a = 1;\nconst file = path.join(dir, "bootstrap", `Pulumi.${bootstrapStack}.yaml`);\n',
      ],
      ["scripts/bench.js", 'const file = "Pulumi." + stack + ".yaml";\n'],
      [
        "cli/deploy-skew.ts",
        'const pathspec = ":(top,exclude,glob)Pulumi.*.yaml";\n// Pulumi.acceptance.yaml\n',
      ],
      [
        "test/program.ts",
        'const fixture = "Pulumi.acceptance.yaml";\nconst built = `Pulumi.${stack}.yaml`;\n',
      ],
      ["cli/plan.test.ts", "const expected = `Pulumi.${environment}.yaml`;\n"],
      ["index.ts", 'const project = "Pulumi.yaml";\n'],
    ]);
    const use = `use stackFileName or bootstrapStackFile (${home})`;
    expect(stackFilePathCopies(files)).toEqual([
      `engine/world.ts:2: "Pulumi." builds a stack file's path; ${use}`,
      `scripts/bench.js:1: "Pulumi." builds a stack file's path; ${use}`,
      `cli/deploy-skew.ts:1: ":(top,exclude,glob)Pulumi.*.yaml" names a stack file; ${use}`,
      `test/program.ts:2: "Pulumi." builds a stack file's path; ${use}`,
    ]);
  });
});
