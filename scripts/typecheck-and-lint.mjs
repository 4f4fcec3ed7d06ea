// `npm test`'s type-check and ESLint in one process, on one TypeScript program: what
// `tsc -p tsconfig.check.json` and `eslint .` check, for two thirds of their CPU (both build the
// same program of 1.3 million lines of declarations; `npm run bench -- tests` measures it).
// `npm run typecheck` and `npm run lint` remain the tools' own commands.
// Output: tsc's diagnostics, then ESLint's report (its stylish format). Exit code 1 when either
// found an error, 2 when a tool could not run. docs/decisions/0025-one-program-for-type-check-and-lint.md
import { ESLint } from "eslint";
import path from "node:path";
import ts from "typescript";

const root = path.join(import.meta.dirname, "..");

/** The program tsc builds for tsconfig.check.json, and its diagnostics. */
function typeCheck() {
  const configFile = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.check.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  // As tsc's own host: JSDoc comments of .ts and .d.ts files are parsed only where they can hold
  // a type error (@see, @link), not the documentation of every declaration in node_modules.
  const host = ts.createCompilerHost(configFile.options);
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const program = ts.createProgram({
    rootNames: configFile.fileNames,
    options: configFile.options,
    projectReferences: configFile.projectReferences,
    host,
  });
  return { program, diagnostics: [...configFile.errors, ...ts.getPreEmitDiagnostics(program)] };
}

async function main() {
  const { program, diagnostics } = typeCheck();
  if (diagnostics.length > 0) {
    const host = {
      getCanonicalFileName: (file) => file,
      getCurrentDirectory: () => root,
      getNewLine: () => "\n",
    };
    const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
    process.stdout.write(`${format(diagnostics, host)}\n`);
  }
  // ESLint as `eslint .` runs it, its type-aware rules reading the program built above instead of
  // building their own (the config's projectService).
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      files: ["**/*.ts", "**/*.mts"],
      languageOptions: { parserOptions: { projectService: false, programs: [program] } },
    },
  });
  const results = await eslint.lintFiles(["."]);
  const report = await (await eslint.loadFormatter("stylish")).format(results);
  if (report) process.stdout.write(report);
  const lintErrors = results.reduce((sum, result) => sum + result.errorCount, 0);
  const typeErrors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  process.stdout.write(`type-check: ${typeErrors} error(s); eslint: ${lintErrors} error(s)\n`);
  process.exitCode = typeErrors + lintErrors > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
});
