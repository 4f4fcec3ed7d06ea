import { parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";

/**
 * The documents of a YAML stream (`---` between them) as plain data.
 *
 * @throws Error naming the first problem, when the text is not YAML.
 */
export function readYamlStream(
  text: string,
  options: ParseOptions & DocumentOptions & SchemaOptions = {},
): unknown[] {
  const documents = parseAllDocuments(text, options);
  if (!Array.isArray(documents)) throw new Error("not a YAML stream");
  const problem = documents.flatMap((document) => document.errors)[0];
  if (problem !== undefined) throw new Error(`not valid YAML: ${problem.message}`);
  return documents.map((document) => document.toJS({ maxAliasCount: 1000 }) as unknown);
}
