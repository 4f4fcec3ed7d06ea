// Whether a GitHub Actions job runs, given the results of the jobs it needs: its `if:` evaluated
// with GitHub's rules for job conditions, so that a test can check what a condition means rather
// than how it is spelt. The rules, from GitHub's documentation:
// - A job's `if` with no status function is `success() && (<if>)`; a job with no `if` is `success()`.
//   "If a job fails or is skipped, all jobs that need it are skipped unless the jobs use a
//   conditional expression that causes the job to continue."
//   https://docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/using-jobs-in-a-workflow#defining-prerequisite-jobs
// - success(): every needed job succeeded; failure(): a needed (or ancestor) job failed;
//   cancelled(): the workflow was cancelled; always(): true.
//   https://docs.github.com/actions/reference/workflows-and-actions/expressions#status-check-functions
// - `needs.*.result` is the array of the needed jobs' results (an object filter), and
//   contains(array, item) is true when the array holds the item (strings compared ignoring case).
//   https://docs.github.com/actions/reference/workflows-and-actions/expressions#object-filters
// Only what job conditions here use is implemented: literals, `needs.…` paths, ! && || == !=,
// parentheses, the status functions and contains(). Anything else throws, naming it.

/** The result of a needed job, as the `needs` context gives it. */
export type JobResult = "success" | "failure" | "cancelled" | "skipped";

/** A needed job as the condition sees it: its result and its outputs. */
export interface NeededJob {
  readonly result: JobResult;
  readonly outputs?: Readonly<Record<string, string>>;
}

type Value = string | boolean | null | readonly Value[];

const statusFunctions = ["success", "failure", "cancelled", "always"];

/**
 * Whether a job with condition `condition` (undefined: none) runs when the jobs it needs ended
 * as `needs` says (and the jobs those needed, transitively, as `ancestors` says), in a workflow
 * that was not cancelled.
 */
export function jobRuns(
  condition: string | undefined,
  needs: Readonly<Record<string, NeededJob>>,
  ancestors: readonly JobResult[] = [],
): boolean {
  const text = (condition ?? "").trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const tokens = tokenize(text === "" ? "success()" : text);
  const usesStatus = tokens.some(
    (token, index) => statusFunctions.includes(token) && tokens[index + 1] === "(",
  );
  const results = Object.values(needs).map((job) => job.result);
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string): string => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`job condition '${text}': expected ${expected ?? "more"}, found ${token ?? "the end"}`);
    }
    return token;
  };
  const truthy = (value: Value): boolean =>
    Array.isArray(value) ? true : value !== null && value !== false && value !== "";
  const equal = (a: Value, b: Value): boolean =>
    typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;

  const or = (): Value => {
    let value = and();
    while (peek() === "||") {
      take();
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const and = (): Value => {
    let value = comparison();
    while (peek() === "&&") {
      take();
      const right = comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const comparison = (): Value => {
    const left = unary();
    if (peek() === "==" || peek() === "!=") {
      const operator = take();
      const right = unary();
      return operator === "==" ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const unary = (): Value => {
    if (peek() === "!") {
      take();
      return !truthy(unary());
    }
    return primary();
  };
  const primary = (): Value => {
    const token = take();
    if (token === "(") {
      const value = or();
      take(")");
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (token === "true" || token === "false") return token === "true";
    if (peek() === "(") {
      take("(");
      const args: Value[] = [];
      while (peek() !== ")") {
        args.push(or());
        if (peek() === ",") take(",");
      }
      take(")");
      return call(token, args);
    }
    return lookup(token);
  };
  const call = (name: string, args: readonly Value[]): Value => {
    switch (name) {
      case "success":
        return results.every((result) => result === "success");
      case "failure":
        return [...results, ...ancestors].includes("failure");
      case "cancelled":
        return false;
      case "always":
        return true;
      case "contains": {
        const [search, item] = args;
        if (Array.isArray(search)) {
          return (search as readonly Value[]).some((element) => equal(element, item ?? null));
        }
        return typeof search === "string" && typeof item === "string"
          ? search.toLowerCase().includes(item.toLowerCase())
          : false;
      }
      default:
        throw new Error(`job condition '${text}': the function ${name}() is not modelled here`);
    }
  };
  const lookup = (path: string): Value => {
    const [context, name, field, output] = path.split(".");
    if (context !== "needs" || name === undefined || field === undefined) {
      throw new Error(`job condition '${text}': the context ${path} is not modelled here`);
    }
    const jobs = name === "*" ? Object.values(needs) : needs[name] === undefined ? [] : [needs[name]];
    const values = jobs.map((job): Value =>
      field === "result" ? job.result : field === "outputs" ? (job.outputs?.[output ?? ""] ?? "") : null,
    );
    return name === "*" ? values : (values[0] ?? null);
  };

  const value = or();
  if (position !== tokens.length) throw new Error(`job condition '${text}': unexpected ${tokens[position]}`);
  return usesStatus ? truthy(value) : results.every((result) => result === "success") && truthy(value);
}

function tokenize(text: string): string[] {
  const pattern = /\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|,|[A-Za-z_*][A-Za-z0-9_.*-]*)/y;
  const tokens: string[] = [];
  let at = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    tokens.push(match[1]!);
    at = pattern.lastIndex;
  }
  if (text.slice(at).trim() !== "") {
    throw new Error(`job condition '${text}': cannot read '${text.slice(at).trim()}'`);
  }
  return tokens;
}
