// The lists of environments and apps written outside TypeScript (workflows, required checks,
// path filters), checked against `environmentNames` and `appNames`. The type checker cannot see
// these files: a new environment or app that they do not know yet is reported here, each
// problem starting with the file to edit.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

interface Step {
  readonly name?: string;
  readonly run?: string;
}
interface Job {
  readonly name?: string;
  readonly needs?: string | readonly string[];
  readonly outputs?: Readonly<Record<string, string>>;
  readonly strategy?: { readonly matrix?: Readonly<Record<string, unknown>> };
  readonly steps?: readonly Step[];
}
interface Workflow {
  readonly on?: Readonly<Record<string, unknown>>;
  readonly jobs?: Readonly<Record<string, Job>>;
}

/** What the pipeline is: the environments in promotion order, and the apps. */
export interface PipelineLists {
  readonly environments: readonly string[];
  readonly apps: readonly string[];
}

const same = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);
const list = (items: readonly string[]): string => `[${items.join(", ")}]`;
const needsOf = (job: Job | undefined): readonly string[] =>
  job?.needs === undefined ? [] : typeof job.needs === "string" ? [job.needs] : job.needs;
const runs = (workflow: Workflow): string[] =>
  Object.values(workflow.jobs ?? {}).flatMap((job) => (job.steps ?? []).map((step) => step.run ?? ""));

/**
 * Every place in the repository at `root` where the workflows, the required checks or the path
 * filters disagree with `lists`: one message per problem, starting with the file's path.
 */
export function pipelineListProblems(root: string, lists: PipelineLists): string[] {
  const read = (file: string): string => readFileSync(path.join(root, file), "utf8");
  const workflow = (file: string): Workflow => parse(read(file)) as Workflow;
  const { environments, apps } = lists;
  const downstream = environments.slice(1).map((name, index) => ({ name, upstream: environments[index]! }));
  const problems: string[] = [];

  // Release intake lists no app: `platform release` checks the app against the catalog.
  const intakeFile = ".github/workflows/release-intake.yml";
  const intake = JSON.stringify(workflow(intakeFile)); // the YAML's values: its comments may give examples
  const named = apps.filter((app) => new RegExp(`(^|[^a-z0-9-])${app}($|[^a-z0-9-])`).test(intake));
  if (named.length > 0) {
    problems.push(
      `${intakeFile}: names the apps ${list(named)}; platform release checks the app against apps/catalog.ts`,
    );
  }

  // The path filters: one per environment, the program plus its own stack file.
  const filtersFile = ".github/stack-filters.yml";
  const filters = Object.keys(parse(read(filtersFile)) as Record<string, unknown>).filter(
    (key) => key !== "program",
  );
  if (!same([...filters].sort(), [...environments].sort())) {
    problems.push(
      `${filtersFile}: filters for ${list(filters)}, expected one per environment ${list(environments)}`,
    );
  }

  // Pull requests: a preview per environment; diff and gate for every environment promoted to.
  const previewFile = ".github/workflows/preview.yml";
  const preview = workflow(previewFile);
  for (const name of environments) {
    if (preview.jobs?.[`preview-${name}`]?.name !== `preview (${name})`) {
      problems.push(`${previewFile}: no job preview-${name} named "preview (${name})"`);
    }
    if (preview.jobs?.["changes"]?.outputs?.[name] === undefined) {
      problems.push(`${previewFile}: the changes job has no output ${name}`);
    }
  }
  for (const { name } of downstream) {
    for (const command of ["diff", "gate"]) {
      if (!runs(preview).some((run) => new RegExp(`platform\\.js ${command} ${name}\\b`).test(run))) {
        problems.push(`${previewFile}: no job runs \`platform ${command} ${name}\``);
      }
    }
  }

  // The required checks: the test, each preview, diff and gate.
  const checksFile = ".github/required-checks.json";
  const checks = JSON.parse(read(checksFile)) as string[];
  for (const name of environments) {
    if (!checks.includes(`preview (${name})`)) problems.push(`${checksFile}: no "preview (${name})"`);
  }
  for (const check of checks.filter((check) => /^preview \(/.test(check))) {
    if (!environments.some((name) => check === `preview (${name})`)) {
      problems.push(`${checksFile}: "${check}" previews no environment of ${list(environments)}`);
    }
  }

  // Deploys: one job per environment, in pipeline order, and a promotion to each downstream one.
  const deployFile = ".github/workflows/deploy.yml";
  const deploy = workflow(deployFile);
  for (const name of environments) {
    if (deploy.jobs?.[`deploy-${name}`] === undefined) problems.push(`${deployFile}: no job deploy-${name}`);
    if (deploy.jobs?.["changes"]?.outputs?.[name] === undefined) {
      problems.push(`${deployFile}: the changes job has no output ${name}`);
    }
  }
  for (const { name, upstream } of downstream) {
    const job = deploy.jobs?.[`deploy-${name}`];
    if (job !== undefined && !needsOf(job).includes(`deploy-${upstream}`)) {
      problems.push(`${deployFile}: deploy-${name} does not wait for deploy-${upstream}`);
    }
    if (!runs(deploy).some((run) => run.includes(`platform promote ${upstream} ${name} `))) {
      problems.push(`${deployFile}: no job runs \`platform promote ${upstream} ${name}\``);
    }
  }

  // Drift: every stack.
  const driftFile = ".github/workflows/drift.yml";
  const stacks =
    (workflow(driftFile).jobs?.["drift"]?.strategy?.matrix?.["stack"] as string[] | undefined) ?? [];
  if (!same(stacks, environments)) {
    problems.push(`${driftFile}: the matrix's stacks ${list(stacks)}, expected ${list(environments)}`);
  }
  return problems;
}
