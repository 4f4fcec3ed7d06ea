import { jobRuns, type JobResult } from "./job-conditions";

// GitHub's rules for job conditions, as test/job-conditions.ts cites them.
const needs = (...results: JobResult[]) =>
  Object.fromEntries(results.map((result, index) => [`job${index}`, { result }]));

test.each<[string, string | undefined, JobResult[], boolean]>([
  ["no if: runs only after every need succeeded", undefined, ["success", "success"], true],
  ["no if: a skipped need skips it", undefined, ["success", "skipped"], false],
  ["an if without a status function is success() && if", "true", ["skipped"], false],
  ["!cancelled() runs after a skipped need", "!cancelled()", ["skipped"], true],
  ["!cancelled() runs after a failed need too", "!cancelled()", ["failure"], true],
  ["always() runs after anything", "always()", ["failure"], true],
  ["!failure() does not after a failed need", "!failure() && !cancelled()", ["failure"], false],
  [
    "contains over needs.*.result",
    "!cancelled() && !contains(needs.*.result, 'FAILURE')",
    ["failure"],
    false,
  ],
])("%s", (_, condition, results, runs) => {
  expect(jobRuns(condition, needs(...results))).toBe(runs);
});

test("failure() sees an ancestor's failure, as GitHub documents for chains of jobs", () => {
  expect(jobRuns("!failure() && !cancelled()", needs("skipped"), ["failure"])).toBe(false);
});

test("what it does not model is refused, naming it", () => {
  expect(() => jobRuns("github.event_name == 'push'", needs())).toThrow(
    "job condition 'github.event_name == 'push'': the context github.event_name is not modelled here",
  );
  expect(() => jobRuns("hashFiles('x')", needs())).toThrow("the function hashFiles() is not modelled here");
});
