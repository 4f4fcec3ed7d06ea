// A module loader hook for test/workflow-parser.mjs: serves the JSON schemas that
// @actions/workflow-parser imports without an import attribute.
import { readFile } from "node:fs/promises";
import { URL } from "node:url";

export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && url.includes("/@actions/workflow-parser/")) {
    return { format: "json", source: await readFile(new URL(url)), shortCircuit: true };
  }
  return nextLoad(url, context);
}
