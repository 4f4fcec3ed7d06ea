// jest setupFiles: every suite's `runPlan` goes to the plan runners of its jest worker (test/
// worker-plan-runs.ts, docs/decisions/0066) and shares its successful plans with the other
// suites (test/shared-plan-runs.ts, docs/decisions/0063). cli/program-runs.test.ts, which tests
// the runner itself, unmocks it.
jest.mock("../cli/program-runs", () => {
  const actual = jest.requireActual<typeof import("../cli/program-runs")>("../cli/program-runs");
  const { sharedRunPlan } = jest.requireActual<typeof import("./shared-plan-runs")>("./shared-plan-runs");
  const { workerRunPlan } = jest.requireActual<typeof import("./worker-plan-runs")>("./worker-plan-runs");
  return { ...actual, runPlan: sharedRunPlan(workerRunPlan(actual.runPlan)) };
});
