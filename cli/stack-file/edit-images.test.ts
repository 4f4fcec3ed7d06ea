import fc from "fast-check";
import { appNames, type AppName } from "../../apps/catalog";
import type { ImageVersion } from "../../apps/image-reference";
import { readStackData } from "../../stack-config/from-file";
import { setImage } from "./edit-images";
import { readImages } from "./read-images";
import { digest, problemsOf, productionExample } from "../../test/stack-file-example";

const production = productionExample;

describe("setImage edits one entry in place", () => {
  const cases: { name: string; text: string; app: AppName; version: ImageVersion; expected: string }[] = [
    {
      name: "replaces tag and digest of a block entry, keeping quotes and comments",
      text: production,
      app: "main-api",
      version: { tag: "1.5.0", digest: digest("c") },
      expected: production
        .replace(`tag: "1.4.0"   # promoted by CI`, `tag: "1.5.0"   # promoted by CI`)
        .replace(`digest: ${digest("a")}`, `digest: ${digest("c")}`),
    },
    {
      name: "a tag without digest removes the digest line of a block entry",
      text: production,
      app: "main-api",
      version: { tag: "1.5.0" },
      expected: production
        .replace(`tag: "1.4.0"`, `tag: "1.5.0"`)
        .replace(`      digest: ${digest("a")}\n`, ""),
    },
    {
      name: "replaces tag and digest of a flow entry, the tag double-quoted, the digest in its quoting",
      text: production,
      app: "web",
      version: { tag: "2.0.2", digest: digest("d") },
      expected: production.replace(
        `web: { tag: 2.0.1, digest: "${digest("b")}" }`,
        `web: { tag: "2.0.2", digest: "${digest("d")}" }`,
      ),
    },
    {
      name: "a tag without digest removes the digest of a flow entry with its comma",
      text: production,
      app: "web",
      version: { tag: "2.0.2" },
      expected: production.replace(`web: { tag: 2.0.1, digest: "${digest("b")}" }`, `web: { tag: "2.0.2" }`),
    },
    {
      name: "a plain tag that YAML would read as a number is written quoted",
      text: production,
      app: "web",
      version: { tag: "2.0", digest: digest("b") },
      expected: production.replace(`tag: 2.0.1,`, `tag: "2.0",`),
    },
    {
      name: "adds a digest after the tag of a block entry, at its indentation",
      text: "config:\n  platform:images:\n    main-api:\n      tag: '1.4.0'  # single quoted\n  other: 1\n",
      app: "main-api",
      version: { tag: "1.4.1", digest: digest("e") },
      expected: `config:\n  platform:images:\n    main-api:\n      tag: "1.4.1"  # single quoted\n      digest: ${digest("e")}\n  other: 1\n`,
    },
    {
      name: "adds a digest inside a flow entry",
      text: "config:\n  platform:images:\n    web: {tag: x}\n",
      app: "web",
      version: { tag: "y", digest: digest("1") },
      expected: `config:\n  platform:images:\n    web: {tag: "y", digest: ${digest("1")}}\n`,
    },
    {
      name: "appends a missing app after the last entry, in its siblings' style",
      text: production,
      app: "customer-api",
      version: { tag: "3.0", digest: digest("f") },
      expected: production.replace(
        `digest: "${digest("b")}" }\n`,
        `digest: "${digest("b")}" }\n    customer-api: { tag: "3.0", digest: ${digest("f")} }\n`,
      ),
    },
    {
      name: "appends a block entry after a block sibling, before trailing comments",
      text: "config:\n  platform:images:\n    web:\n      tag: x\n    # more apps later\n  other: 1\n",
      app: "main-api",
      version: { tag: "1.0.0" },
      expected:
        'config:\n  platform:images:\n    web:\n      tag: x\n    main-api:\n      tag: "1.0.0"\n    # more apps later\n  other: 1\n',
    },
    {
      name: "fills an empty flow map of a block config: map in block style, one field a line, its comment kept",
      text: "config:\n  platform:images: {}   # nothing yet\n  other: 1\n",
      app: "web",
      version: { tag: "1.0.0", digest: digest("2") },
      expected: `config:\n  platform:images:   # nothing yet\n    web:\n      tag: "1.0.0"\n      digest: ${digest("2")}\n  other: 1\n`,
    },
    {
      name: "fills an empty flow map in block style at the file's own indentation, CRLF and no final line break kept as they are",
      text: "config:\r\n    other: 1\r\n    platform:images: {}",
      app: "web",
      version: { tag: "1.0.0" },
      expected:
        'config:\r\n    other: 1\r\n    platform:images:\r\n        web:\r\n            tag: "1.0.0"\r\n',
    },
    {
      name: "fills an empty flow map inside a flow config: map in flow style, the only style allowed there",
      text: "config: { platform:images: {} }\n",
      app: "web",
      version: { tag: "1.0.0" },
      expected: 'config: { platform:images: { web: { tag: "1.0.0" } } }\n',
    },
    {
      name: "adds to a flow map of entries",
      text: "config:\n  platform:images: { web: {tag: x} }\n",
      app: "main-api",
      version: { tag: "1.0.0" },
      expected: 'config:\n  platform:images: { web: {tag: x}, main-api: { tag: "1.0.0" } }\n',
    },
    {
      name: "keeps CRLF line breaks",
      text:
        "config:\r\n  platform:images:\r\n    web:\r\n      tag: x\r\n      digest: " + digest("3") + "\r\n",
      app: "web",
      version: { tag: "y" },
      expected: 'config:\r\n  platform:images:\r\n    web:\r\n      tag: "y"\r\n',
    },
    {
      name: "works on a file without a final line break",
      text: "config:\n  platform:images:\n    web:\n      tag: x",
      app: "web",
      version: { tag: "x", digest: digest("4") },
      expected: `config:\n  platform:images:\n    web:\n      tag: x\n      digest: ${digest("4")}\n`,
    },
    {
      name: "fills an empty tag value",
      text: "config:\n  platform:images:\n    web:\n      tag:\n",
      app: "web",
      version: { tag: "1.2.3" },
      expected: 'config:\n  platform:images:\n    web:\n      tag: "1.2.3"\n',
    },
    ...["0b1", "2024-01-01", "20240101_1200", "1_000", "0o17", "010"].map((tag) => ({
      name: `writes the tag ${tag}, which yaml.v3 reads as a number or date when plain, double-quoted`,
      text: "config:\n  platform:images:\n    web:\n      tag: x\n    main-api: { tag: y }\n",
      app: "web" as const,
      version: { tag },
      expected: `config:\n  platform:images:\n    web:\n      tag: "${tag}"\n    main-api: { tag: y }\n`,
    })),
  ];

  test.each(cases)("$name", ({ text, app, version, expected }) => {
    expect(setImage(text, app, version)).toBe(expected);
  });

  test.each(cases)("$name, and doing it twice changes nothing", ({ text, app, version }) => {
    const once = setImage(text, app, version);
    expect(setImage(once, app, version)).toBe(once);
  });

  test("setting the version an entry has returns the text unchanged", () => {
    expect(setImage(production, "main-api", { tag: "1.4.0", digest: digest("a") })).toBe(production);
    expect(setImage(production, "web", { tag: "2.0.1", digest: digest("b") })).toBe(production);
  });

  test("refuses to edit an entry that is not a map, naming it", () => {
    expect(
      problemsOf(() => setImage("config:\n  platform:images:\n    web: 1.0\n", "web", { tag: "1.1" })),
    ).toEqual([
      "platform:images.web: expected a map { tag, digest? }, found 1; edit it by hand, then run again",
    ]);
  });
});

const hex = "0123456789abcdef".split("");
const digestArbitrary = fc
  .array(fc.constantFrom(...hex), { minLength: 64, maxLength: 64 })
  .map((chars) => `sha256:${chars.join("")}`);
const tagArbitrary = fc.oneof(
  fc.constantFrom(
    "1.4.0",
    "2.0",
    "1",
    "true",
    "null",
    "v1.5.0",
    "latest",
    "1e3",
    "0x1F",
    "2024.01.15-rc_1",
    "_x",
  ),
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/),
);
const versionArbitrary: fc.Arbitrary<ImageVersion> = fc
  .record({ tag: tagArbitrary, digest: fc.option(digestArbitrary, { nil: undefined }) })
  .map(({ tag, digest }) => (digest === undefined ? { tag } : { tag, digest }));
const commentArbitrary = fc.option(
  fc.stringMatching(/^[ -~]{0,12}$/).map((text) => `  # ${text}`),
  { nil: "" },
);
const styleArbitrary = fc.constantFrom("plain", "double", "single");

const readsAsString = (value: string) => {
  const read = readStackData(`[${value}]`, "t");
  return Array.isArray(read) && read[0] === value;
};
const scalar = (value: string, style: string) =>
  style === "single" ? `'${value}'` : style === "double" || !readsAsString(value) ? `"${value}"` : value;

const entryArbitrary = fc.record({
  version: versionArbitrary,
  flow: fc.boolean(),
  tagStyle: styleArbitrary,
  digestStyle: styleArbitrary,
  digestFirst: fc.boolean(),
  keyComment: commentArbitrary,
  tagComment: commentArbitrary,
  innerCommentLine: fc.boolean(),
  blankAfter: fc.boolean(),
});

const fileArbitrary = fc.record({
  entries: fc.uniqueArray(fc.tuple(fc.constantFrom(...appNames), entryArbitrary), {
    selector: ([app]) => app,
    maxLength: 3,
  }),
  flowImages: fc.boolean(),
  header: commentArbitrary,
  before: fc.array(
    fc.tuple(
      fc.constantFrom("a", "b", "aws:region", "platform:x"),
      fc.constantFrom("1", '"q"', "'s'", "{ k: v }"),
    ),
    {
      maxLength: 2,
    },
  ),
  secretAfter: fc.boolean(),
  trailingComment: fc.boolean(),
  crlf: fc.boolean(),
});

interface GeneratedFile {
  readonly text: string;
  /** The bytes each entry occupies; nothing outside them may change when it is edited. */
  readonly spans: Partial<Record<AppName, readonly [number, number]>>;
  /** The bytes a new entry replaces (an empty span where it is inserted). */
  readonly insertion: readonly [number, number];
}

function render(file: typeof fileArbitrary extends fc.Arbitrary<infer T> ? T : never): GeneratedFile {
  const nl = file.crlf ? "\r\n" : "\n";
  let text = "";
  const spans: Partial<Record<AppName, readonly [number, number]>> = {};
  const add = (part: string) => void (text += part);
  add(`${file.header.trim() === "" ? "# stack" : file.header.trim()}${nl}config:${nl}`);
  for (const [key, value] of file.before) add(`  ${key}-${text.length}: ${value}${nl}`);
  const pairs = (app: AppName, entry: (typeof file.entries)[number][1]) => {
    const tag = `tag: ${scalar(entry.version.tag, entry.tagStyle)}`;
    const digest =
      entry.version.digest !== undefined
        ? `digest: ${scalar(entry.version.digest, entry.digestStyle)}`
        : undefined;
    const items = digest === undefined ? [tag] : entry.digestFirst ? [digest, tag] : [tag, digest];
    return { app, items };
  };
  let insertion: [number, number];
  const useFlow = file.flowImages || file.entries.length === 0;
  if (useFlow) {
    add("  platform:images:");
    if (file.entries.length === 0) {
      // The first entry turns `{}` into a block map: from the colon through the line break.
      insertion = [text.length, text.length + 3 + nl.length];
      add(" {}");
    } else {
      add(" { ");
      file.entries.forEach(([app, entry], index) => {
        if (index > 0) add(", ");
        const start = text.length;
        add(`${app}: { ${pairs(app, entry).items.join(", ")} }`);
        spans[app] = [start, text.length];
      });
      insertion = [text.length, text.length];
      add(" }");
    }
    add(`${nl}`);
  } else {
    add(`  platform:images:${nl}`);
    for (const [app, entry] of file.entries) {
      const start = text.length;
      const { items } = pairs(app, entry);
      if (entry.flow) {
        add(`    ${app}: { ${items.join(", ")} }${entry.keyComment}${nl}`);
      } else {
        add(`    ${app}:${entry.keyComment}${nl}`);
        items.forEach((item, index) => {
          if (index === 1 && entry.innerCommentLine) add(`      # between${nl}`);
          add(`      ${item}${index === 0 ? entry.tagComment : ""}${nl}`);
        });
      }
      spans[app] = [start, text.length];
      if (entry.blankAfter) add(nl);
    }
    const last = file.entries[file.entries.length - 1]![0];
    insertion = [spans[last]![1], spans[last]![1]];
    // A blank line after the last entry sits between it and where a new entry goes: keep it after.
    if (file.entries[file.entries.length - 1]![1].blankAfter) {
      text = text.slice(0, -nl.length);
    }
    if (file.trailingComment) add(`    # more apps later${nl}`);
  }
  if (file.secretAfter)
    add(`${nl}  platform:dbPassword:${nl}    secure: v1:AAAABBBB+/==   # never touched${nl}`);
  add(`  azure-native:location: westeurope${nl}`);
  return { text, spans, insertion };
}

const editArbitrary = fc.record({
  file: fileArbitrary.map(render),
  app: fc.constantFrom(...appNames),
  version: versionArbitrary,
});

describe("setImage, for any stack file and any edit", () => {
  test("every byte outside the edited entry survives", () => {
    fc.assert(
      fc.property(editArbitrary, ({ file, app, version }) => {
        const [start, end] = file.spans[app] ?? file.insertion;
        const result = setImage(file.text, app, version);
        expect(result.slice(0, start)).toBe(file.text.slice(0, start));
        expect(result.slice(result.length - (file.text.length - end))).toBe(file.text.slice(end));
        expect(result.length).toBeGreaterThanOrEqual(start + file.text.length - end);
      }),
      { numRuns: 300 },
    );
  });

  test("the entry reads back as set, and the others as they were", () => {
    fc.assert(
      fc.property(editArbitrary, ({ file, app, version }) => {
        const before = readImages(file.text, "f");
        const after = readImages(setImage(file.text, app, version), "f");
        expect(after).toEqual({ ...before, [app]: version });
      }),
      { numRuns: 300 },
    );
  });

  test("applying the same edit twice changes nothing", () => {
    fc.assert(
      fc.property(editArbitrary, ({ file, app, version }) => {
        const once = setImage(file.text, app, version);
        expect(setImage(once, app, version)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  test("setting an entry to what it holds returns the same text", () => {
    fc.assert(
      fc.property(editArbitrary, ({ file, app }) => {
        const current = readImages(file.text, "f")[app];
        fc.pre(current !== undefined);
        expect(setImage(file.text, app, current)).toBe(file.text);
      }),
      { numRuns: 200 },
    );
  });
});
