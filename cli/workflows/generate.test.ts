import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { environmentNames } from "../../environments";
import { root } from "../../test/program";
import { expandTemplate, generateWorkflows, requiredChecks } from "./generate";

const read = (file: string): string => readFileSync(path.join(root, file), "utf8");

describe("the CI files are generated from the pipeline (platform workflows)", () => {
  test("each committed file is what `npx platform workflows` writes from its template and environments/pipeline.ts", () => {
    const stale = [...generateWorkflows(read, environmentNames)]
      .filter(([file, text]) => read(file) !== text)
      .map(
        ([file]) =>
          `${file}: differs from what \`npx platform workflows\` generates; run it and commit the result`,
      );
    expect(stale).toEqual([]);
  });

  test("a third environment gets its own jobs: preview, deploy after every upstream deploy, promotion from its upstream", () => {
    const names = ["first-env", "middle-env", "last-env"];
    const deploy = parse(generateWorkflows(read, names).get(".github/workflows/deploy.yml")!) as {
      jobs: Record<
        string,
        { needs?: unknown; environment?: string; steps: { run?: string; name?: string }[] }
      >;
    };
    expect(Object.keys(deploy.jobs)).toEqual([
      "changes",
      "deploy-first-env",
      "promote-middle-env",
      "deploy-middle-env",
      "promote-last-env",
      "deploy-last-env",
    ]);
    expect(deploy.jobs["deploy-last-env"]!.needs).toEqual([
      "changes",
      "deploy-first-env",
      "deploy-middle-env",
    ]);
    const runs = (job: string) => deploy.jobs[job]!.steps.map((step) => step.run ?? "").join("\n");
    expect(runs("promote-middle-env")).toContain("npx platform promote first-env middle-env --outputs");
    expect(runs("deploy-middle-env")).toContain("npx platform gate middle-env --base");
    // The middle one both records with its own outputs and saves them for the next promotion.
    expect(runs("deploy-middle-env")).toContain(
      'npx platform record middle-env --outputs "$RUNNER_TEMP/middle-env-outputs/outputs.json"',
    );
    expect(runs("deploy-middle-env")).toContain("ref=tags/deployed/middle-env");
    expect(requiredChecks(names)).toBe(
      '["test", "preview (first-env)", "preview (middle-env)", "preview (last-env)", "diff", "gate"]\n',
    );
  });

  test("a template line that is not a directive, an unclosed block and an unknown placeholder are named by line", () => {
    expect(() => expandTemplate("a\n# @for each stack\n# @end\n", ["x"], "t.yml.in")).toThrow(
      "t.yml.in:2: '# @for each stack' is not a directive; expected # @for each environment | downstream environment, # @if first | not first | promotes | last or # @end",
    );
    expect(() => expandTemplate("# @for each environment\n__ENV__\n", ["x"], "t.yml.in")).toThrow(
      "t.yml.in:1: # @for without # @end",
    );
    expect(() => expandTemplate("__ENV__\n", ["x"], "t.yml.in")).toThrow(
      "t.yml.in:1: __ENV__ is not a placeholder outside a # @for",
    );
    expect(() => expandTemplate("# @if last\n# @end\n", ["x"], "t.yml.in")).toThrow(
      "t.yml.in:1: # @if last outside a # @for",
    );
  });
});
