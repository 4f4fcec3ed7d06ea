// Validates workflow and action files with GitHub's own parser (@actions/workflow-parser, the
// code behind GitHub's Actions editor support), offline. Usage: node workflow-parser.mjs FILE...
// Prints one JSON object: file → the parser's error messages (empty when the file is valid).
// The package imports its JSON schemas without import attributes (it is built for bundlers),
// so a loader hook serves them as JSON.
import { readFileSync } from "node:fs";
import { register } from "node:module";
import { URL } from "node:url";

register(new URL("./json-import-hook.mjs", import.meta.url));
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } =
  await import("@actions/workflow-parser");
const { parseAction } = await import("@actions/workflow-parser/actions/index");

const results = {};
for (const name of process.argv.slice(2)) {
  const file = { name, content: readFileSync(name, "utf8") };
  const trace = new NoOperationTraceWriter();
  if (/(^|\/)action\.ya?ml$/.test(name)) {
    const parsed = parseAction(file, trace);
    results[name] = parsed.context.errors.getErrors().map((error) => error.message);
  } else {
    const parsed = parseWorkflow(file, trace);
    const errors = parsed.context.errors.getErrors().map((error) => error.message);
    // Conversion checks what parsing cannot: job graph, matrix, reusable workflow references.
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const error of template.errors ?? [])
      if (!errors.includes(error.Message)) errors.push(error.Message);
    results[name] = errors;
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
