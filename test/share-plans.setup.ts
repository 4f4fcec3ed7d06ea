// jest setupFiles: every suite's `runPlan` goes to the plan runners of its jest worker (test/
// worker-plan-runs.ts, docs/decisions/0066) and shares its successful plans with the other
// suites (test/shared-plan-runs.ts, docs/decisions/0063). cli/program-runs.test.ts, which tests
// the runner itself, unmocks it.
jest.mock("../cli/program-runs", () =>
  jest
    .requireActual<typeof import("./shared-plan-runs")>("./shared-plan-runs")
    .sharedProgramRuns(jest.requireActual("../cli/program-runs")),
);
