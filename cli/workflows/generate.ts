// The CI files that list the environments, generated from templates and the pipeline's order
// (environments/pipeline.ts), so that adding an environment writes no YAML by hand
// (docs/decisions/0073). Pure: the command reads the templates and writes the files.

/** A generated file and the template it comes from (`undefined`: written from the list alone). */
export interface GeneratedFile {
  readonly path: string;
  readonly template?: string;
}

/** The files `platform workflows` writes, each from its template in `.github/templates/`. */
export const generatedFiles: readonly GeneratedFile[] = [
  { path: ".github/workflows/deploy.yml", template: ".github/templates/deploy.yml.in" },
  { path: ".github/workflows/preview.yml", template: ".github/templates/preview.yml.in" },
  { path: ".github/workflows/drift.yml", template: ".github/templates/drift.yml.in" },
  { path: ".github/stack-filters.yml", template: ".github/templates/stack-filters.yml.in" },
  { path: ".github/required-checks.json" },
];

/** Where an environment stands in the pipeline: what a template's conditions and placeholders read. */
interface Stage {
  readonly name: string;
  readonly position: number;
  readonly environments: readonly string[];
}

/** The conditions of `# @if <condition>`. */
const conditions: Readonly<Record<string, (stage: Stage) => boolean>> = {
  first: (stage) => stage.position === 0,
  "not first": (stage) => stage.position > 0,
  // It has a downstream environment, which promotes from it.
  promotes: (stage) => stage.position < stage.environments.length - 1,
  last: (stage) => stage.position === stage.environments.length - 1,
};

/** The loops of `# @for each <what>`: the environments each repeats its lines for. */
const loops: Readonly<Record<string, (environments: readonly string[]) => readonly string[]>> = {
  environment: (environments) => environments,
  // Those with an upstream: the ones promoted to.
  "downstream environment": (environments) => environments.slice(1),
};

type Node =
  | { readonly kind: "line"; readonly text: string; readonly number: number }
  | {
      readonly kind: "for" | "if";
      readonly what: string;
      readonly number: number;
      readonly children: Node[];
    };

const directive = /^\s*# @(.*?)\s*$/;

/** The template's lines as a tree of loops and conditions. @throws Error naming the line */
function parseTemplate(template: string, at: string): Node[] {
  const root: Node[] = [];
  const open: { readonly node: Node & { kind: "for" | "if" }; readonly body: Node[] }[] = [];
  const body = () => open[open.length - 1]?.body ?? root;
  template.split("\n").forEach((text, index) => {
    const number = index + 1;
    const match = directive.exec(text);
    if (match === null) {
      body().push({ kind: "line", text, number });
      return;
    }
    const command = match[1]!;
    if (command === "end") {
      if (open.pop() === undefined) throw new Error(`${at}:${number}: # @end without a # @for or # @if`);
      return;
    }
    const loop = /^for each (.+)$/.exec(command)?.[1];
    const condition = /^if (.+)$/.exec(command)?.[1];
    if (loop !== undefined && loops[loop] !== undefined) {
      if (open.some(({ node }) => node.kind === "for"))
        throw new Error(`${at}:${number}: a loop inside a loop`);
      const node = { kind: "for" as const, what: loop, number, children: [] };
      body().push(node);
      open.push({ node, body: node.children });
    } else if (condition !== undefined && conditions[condition] !== undefined) {
      const node = { kind: "if" as const, what: condition, number, children: [] };
      body().push(node);
      open.push({ node, body: node.children });
    } else {
      throw new Error(
        `${at}:${number}: '# @${command}' is not a directive; expected # @for each ${Object.keys(loops).join(" | ")}, # @if ${Object.keys(conditions).join(" | ")} or # @end`,
      );
    }
  });
  const unclosed = open.pop();
  if (unclosed !== undefined)
    throw new Error(`${at}:${unclosed.node.number}: # @${unclosed.node.kind} without # @end`);
  return root;
}

const title = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** The placeholders of a line, for the whole pipeline and, inside a loop, for one environment. */
function substitute(text: string, environments: readonly string[], stage: Stage | undefined): string {
  const whole: Record<string, string> = {
    __PIPELINE__: environments.join(" → "),
    __ENVIRONMENTS__: environments.join(", "),
  };
  const own: Record<string, string> =
    stage === undefined
      ? {}
      : {
          __ENV__: stage.name,
          __ENV_TITLE__: title(stage.name),
          __UPSTREAM__: environments[stage.position - 1] ?? "",
          __UPSTREAM_DEPLOYS__: environments
            .slice(0, stage.position)
            .map((name) => `deploy-${name}`)
            .join(", "),
        };
  return text.replace(/__[A-Z_]+__/g, (placeholder) => own[placeholder] ?? whole[placeholder] ?? placeholder);
}

function render(
  nodes: readonly Node[],
  environments: readonly string[],
  stage: Stage | undefined,
  at: string,
): string[] {
  return nodes.flatMap((node): string[] => {
    if (node.kind === "line") {
      const text = substitute(node.text, environments, stage);
      const left = /__[A-Z_]+__/.exec(text)?.[0];
      if (left !== undefined) {
        throw new Error(
          `${at}:${node.number}: ${left} is not a placeholder${stage === undefined ? " outside a # @for" : ""}`,
        );
      }
      return [text];
    }
    if (node.kind === "for") {
      return loops[node.what]!(environments).flatMap((name) =>
        render(node.children, environments, { name, position: environments.indexOf(name), environments }, at),
      );
    }
    if (stage === undefined) throw new Error(`${at}:${node.number}: # @if ${node.what} outside a # @for`);
    return conditions[node.what]!(stage) ? render(node.children, environments, stage, at) : [];
  });
}

/**
 * A template expanded for the environments, in pipeline order: the lines between
 * `# @for each environment` (or `downstream environment`, those after the first) and `# @end`
 * once per environment, `# @if first | not first | promotes | last` blocks where they hold, and
 * the placeholders `__ENV__`, `__ENV_TITLE__`, `__UPSTREAM__`, `__UPSTREAM_DEPLOYS__` (inside a
 * loop), `__PIPELINE__` and `__ENVIRONMENTS__` replaced. The directive lines are left out.
 *
 * @param at the template's path, for messages
 * @throws Error naming the template's line, for an unknown directive or placeholder
 */
export function expandTemplate(template: string, environments: readonly string[], at: string): string {
  return render(parseTemplate(template, at), environments, undefined, at).join("\n");
}

/** The branch protection's required checks: the tests, each environment's preview, diff and gate. */
export function requiredChecks(environments: readonly string[]): string {
  const checks = ["test", ...environments.map((name) => `preview (${name})`), "diff", "gate"].map((check) =>
    JSON.stringify(check),
  );
  // As Prettier writes it (printWidth 110): one line when it fits.
  const line = `[${checks.join(", ")}]`;
  return `${line.length <= 110 ? line : `[\n${checks.map((check) => `  ${check}`).join(",\n")}\n]`}\n`;
}

/**
 * Every generated file's text, by path, from the templates `read` returns and the environments.
 *
 * @throws Error naming a template's line that is not valid
 */
export function generateWorkflows(
  read: (file: string) => string,
  environments: readonly string[],
): Map<string, string> {
  return new Map(
    generatedFiles.map(({ path, template }) => [
      path,
      template === undefined
        ? requiredChecks(environments)
        : expandTemplate(read(template), environments, template),
    ]),
  );
}
