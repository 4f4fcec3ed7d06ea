// jest setupFiles: the child processes that the suites' CLI code starts (git, tar, the fake
// pulumi and az) start from their jest worker's process server (test/worker-processes.ts,
// docs/decisions/0079), not from the worker itself.
jest.mock("../cli/process", () => {
  const actual = jest.requireActual<typeof import("../cli/process")>("../cli/process");
  const { workerRunProcess } = jest.requireActual<typeof import("./worker-processes")>("./worker-processes");
  const runProcess = workerRunProcess(actual.runProcess);
  return { ...actual, runProcess, processOutput: actual.processOutputVia(runProcess) };
});
