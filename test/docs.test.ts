/**
 * The README is for a newcomer and reads in five minutes; the runbook, the references and the
 * recipes live in docs/. Both are read in a terminal, a diff and a review, as plain text: so the
 * README stays short, no table is wider than a terminal, and every relative link leads somewhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "..");

/** The README's limit, in lines: it must stay below it. */
const readmeMaxLines = 200;
/** The widest a table line may be, in characters. */
const tableMaxWidth = 100;

/** The Markdown files this test reads: README.md and every `.md` under docs/, relative to the root. */
function markdownFiles(): string[] {
  const found: string[] = ["README.md"];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".md")) found.push(relative);
    }
  };
  walk("docs");
  return found;
}

/** Each line of `text` with its number, marked when it sits inside a fenced code block. */
function lines(text: string): { line: string; number: number; code: boolean }[] {
  let code = false;
  return text.split("\n").map((line, index) => {
    const fence = /^\s*(```|~~~)/.test(line);
    if (fence) code = !code;
    return { line, number: index + 1, code: code || fence };
  });
}

/** The table lines of `text` wider than `tableMaxWidth` characters: "line <n>: <width> characters". */
function wideTableLines(text: string): string[] {
  return lines(text)
    .filter(({ line, code }) => !code && /^\s*\|/.test(line) && [...line].length > tableMaxWidth)
    .map(({ line, number }) => `line ${number}: ${[...line].length} characters`);
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of the headings of a Markdown text. */
function anchors(text: string): Set<string> {
  return new Set(
    lines(text)
      .filter(({ line, code }) => !code && /^#{1,6}\s/.test(line))
      .map(({ line }) => headingAnchor(line.replace(/^#+\s+/, ""))),
  );
}

/** The relative link targets of a Markdown text (not in code), with their line numbers. */
function relativeLinks(text: string): { target: string; number: number }[] {
  return lines(text)
    .filter(({ code }) => !code)
    .flatMap(({ line, number }) =>
      [...line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
        .map((match) => match[1]!)
        .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
        .map((target) => ({ target, number })),
    );
}

/**
 * The relative links of the Markdown file `file` (relative to the root) that lead nowhere: a
 * missing file or directory, or a `#anchor` that no heading of the target has.
 */
function brokenLinks(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  return relativeLinks(text).flatMap(({ target, number }) => {
    const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
    const targetFile =
      pathPart === "" ? path.join(root, file) : path.join(root, path.dirname(file), pathPart);
    if (!existsSync(targetFile)) return [`${file}:${number}: ${target}: no such file`];
    if (anchor === undefined || statSync(targetFile).isDirectory()) return [];
    if (!anchors(readFileSync(targetFile, "utf8")).has(anchor)) {
      return [`${file}:${number}: ${target}: no heading with that anchor`];
    }
    return [];
  });
}

describe("the checks themselves", () => {
  test.each([
    ["Deploying for real", "deploying-for-real"],
    ["The first deploy, step by step", "the-first-deploy-step-by-step"],
    [
      "Production's secrets are out of a pull request's reach",
      "productions-secrets-are-out-of-a-pull-requests-reach",
    ],
    ["Pull requests (`--pr`)", "pull-requests---pr"],
    ["The `platform` command", "the-platform-command"],
  ])("the anchor of %j is %j, as GitHub makes it", (heading, anchor) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });

  test("a table row of 101 characters is too wide, one of 100 is not; code blocks are not tables", () => {
    const row = (width: number): string => `| ${"x".repeat(width - 4)} |`;
    const text = ["# t", "", row(100), row(101), "```", row(300), "```", `  ${row(101)}`].join("\n");
    expect(wideTableLines(text)).toEqual(["line 4: 101 characters", "line 8: 103 characters"]);
  });

  test("a relative link is found, a URL, a code span and a code block are not", () => {
    const text = [
      "See [a](docs/a.md#x) and [b](b.md), [web](https://example.com), `[c](c.md)`.",
      "```",
      "[d](d.md)",
      "```",
    ].join("\n");
    expect(relativeLinks(text)).toEqual([
      { target: "docs/a.md#x", number: 1 },
      { target: "b.md", number: 1 },
    ]);
  });
});

describe("the README and docs/", () => {
  const files = markdownFiles();

  test("the README is shorter than 200 lines", () => {
    const count = readFileSync(path.join(root, "README.md"), "utf8").trimEnd().split("\n").length;
    expect(count).toBeLessThan(readmeMaxLines);
  });

  test("the README keeps what a newcomer needs and points to the runbook, the references and the recipes", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    expect(readme).toContain("\nnpm ci && npx platform plan acceptance ");
    expect(readme).toContain("\nnpm test ");
    for (const doc of ["deploying", "commands", "changing", "promotion"]) {
      expect(readme).toContain(`](docs/${doc}.md)`);
    }
  });

  test("no table line is wider than 100 characters", () => {
    const wide = files.flatMap((file) =>
      wideTableLines(readFileSync(path.join(root, file), "utf8")).map((where) => `${file} ${where}`),
    );
    expect(wide).toEqual([]);
  });

  test("every relative link leads to a file, and to a heading when it names one", () => {
    expect(files.flatMap(brokenLinks)).toEqual([]);
  });
});
