// The lists of environments and apps written outside TypeScript (workflows, required checks,
// path filters), checked against `environmentNames` and `appNames`. The type checker cannot see
// these files: a new environment or app that they do not know yet is reported here, each
// problem starting with the file to edit.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { jobRuns, type JobResult } from "./job-conditions";

interface Step {
  readonly name?: string;
  readonly run?: string;
}
interface Job {
  readonly name?: string;
  readonly if?: string;
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

  // What the deploy jobs mean: each waits for every upstream deploy, runs when none of them failed
  // or was cancelled (each deployed, or was not needed by the push), and never after a failure
  // anywhere upstream; each records what it verified; each downstream one gates again.
  const jobs = deploy.jobs ?? {};
  environments.forEach((name, position) => {
    const job = jobs[`deploy-${name}`];
    if (job === undefined) return;
    const upstreams = environments.slice(0, position);
    for (const upstream of upstreams) {
      if (upstream !== environments[position - 1] && !needsOf(job).includes(`deploy-${upstream}`)) {
        problems.push(`${deployFile}: deploy-${name} does not wait for deploy-${upstream}`);
      }
    }
    if (!(job.steps ?? []).some((step) => new RegExp(`platform record ${name} `).test(step.run ?? ""))) {
      problems.push(`${deployFile}: deploy-${name} runs no \`platform record ${name}\` (its record job)`);
    }
    if (
      position > 0 &&
      !(job.steps ?? []).some((step) => new RegExp(`platform gate ${name} `).test(step.run ?? ""))
    ) {
      problems.push(`${deployFile}: deploy-${name} runs no \`platform gate ${name}\` before its deploy`);
    }
    if (upstreams.some((upstream) => jobs[`deploy-${upstream}`] === undefined)) return;
    const wrong = deployOrderMismatch(jobs, upstreams, name);
    if (wrong !== undefined) problems.push(`${deployFile}: deploy-${name} ${wrong}`);
  });
  for (const { name, upstream } of downstream) {
    const promoter = Object.entries(jobs).find(([, job]) =>
      (job.steps ?? []).some((step) => (step.run ?? "").includes(`platform promote ${upstream} ${name} `)),
    );
    if (promoter !== undefined && !needsOf(promoter[1]).includes(`deploy-${upstream}`)) {
      problems.push(
        `${deployFile}: ${promoter[0]} runs \`platform promote ${upstream} ${name}\` without waiting for deploy-${upstream}`,
      );
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

/** What a deploy job ends as, in a scenario, when it runs. */
type Outcome = "not needed" | "success" | "failure" | "cancelled";
const outcomes: readonly Outcome[] = ["not needed", "success", "failure", "cancelled"];

/**
 * Plays every combination of what the upstream deploys do (not needed by the push, succeed,
 * fail, cancelled) through the jobs' own `needs` and `if`, as GitHub runs them
 * (test/job-conditions.ts), with `name`'s own stack changed: it must run exactly when no
 * upstream deploy failed or was cancelled. Returns the first scenario where it does otherwise.
 */
function deployOrderMismatch(
  jobs: Readonly<Record<string, Job>>,
  upstreams: readonly string[],
  name: string,
): string | undefined {
  const scenarios: Outcome[][] = upstreams.reduce<Outcome[][]>(
    (partial) => partial.flatMap((scenario) => outcomes.map((outcome) => [...scenario, outcome])),
    [[]],
  );
  for (const scenario of scenarios) {
    const affected: Record<string, string> = Object.fromEntries(
      upstreams.map((upstream, index) => [upstream, String(scenario[index] !== "not needed")]),
    );
    affected[name] = "true";
    const results: Record<string, JobResult> = { changes: "success" };
    const ancestorsOf: Record<string, JobResult[]> = { changes: [] };
    const play = (id: string, outcome: Outcome): void => {
      const job = jobs[id]!;
      const needs = Object.fromEntries(
        needsOf(job).map((need) => [
          need,
          { result: results[need] ?? "skipped", ...(need === "changes" ? { outputs: affected } : {}) },
        ]),
      );
      const ancestors = needsOf(job).flatMap((need) => [
        results[need] ?? "skipped",
        ...(ancestorsOf[need] ?? []),
      ]);
      ancestorsOf[id] = ancestors;
      results[id] = jobRuns(job.if, needs, ancestors)
        ? outcome === "not needed"
          ? "skipped"
          : outcome
        : "skipped";
    };
    upstreams.forEach((upstream, index) => play(`deploy-${upstream}`, scenario[index]!));
    play(`deploy-${name}`, "success");
    const runs = results[`deploy-${name}`] === "success";
    const broken = upstreams.filter(
      (_, index) => scenario[index] === "failure" || scenario[index] === "cancelled",
    );
    const said = upstreams.map((upstream, index) => `deploy-${upstream} ${scenario[index]}`).join(", ");
    if (runs && broken.length > 0)
      return `runs although ${broken.map((u) => `deploy-${u}`).join(" and ")} did not succeed (${said})`;
    if (!runs && broken.length === 0)
      return `does not run when its stack changed and every upstream deploy succeeded or was not needed (${said})`;
  }
  return undefined;
}
