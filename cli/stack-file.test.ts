import fc from "fast-check";
import { appNames, type AppName } from "../apps/catalog";
import type { ImageVersion } from "../apps/image-reference";
import { StackConfigError } from "../stack-config/schema";
import { InputError } from "./errors";
import { readStackData } from "../stack-config/from-file";
import { formatVersion, inspectImages, readImages, sameVersion, setImage } from "./stack-file";

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;

/** The example of the issue: block and flow entries, comments, a blank line, a secret. */
const production = `# Production: deployed only by promotion pull requests.
config:
  azure-native:location: westeurope
  platform:images:
    main-api:
      tag: "1.4.0"   # promoted by CI
      digest: ${digest("a")}
    web: { tag: 2.0.1, digest: "${digest("b")}" }

  platform:dbPassword:
    secure: v1:AAAABBBB...   # encrypted values: never touched
`;

const problemsOf = (run: () => unknown): readonly string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a StackConfigError");
};

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
      name: "fills an empty flow map",
      text: "config:\n  platform:images: {}   # nothing yet\n",
      app: "web",
      version: { tag: "1.0.0", digest: digest("2") },
      expected: `config:\n  platform:images: { web: { tag: "1.0.0", digest: ${digest("2")} } }   # nothing yet\n`,
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

describe("readImages reads the entries with precise errors", () => {
  test("reads block and flow entries", () => {
    expect(readImages(production, "Pulumi.production.yaml")).toEqual({
      "main-api": { tag: "1.4.0", digest: digest("a") },
      web: { tag: "2.0.1", digest: digest("b") },
    });
  });

  const bad: { name: string; text: string; problems: string[] }[] = [
    {
      name: "text that is not YAML",
      text: "config:\n  platform:images: [\n",
      problems: [
        "line 3, column 1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    },
    {
      name: "a duplicate app",
      text: "config:\n  platform:images:\n    web: {tag: a}\n    web: {tag: b}\n",
      problems: [
        "line 4, column 5: duplicate key 'web' in config.platform:images; a key may appear only once in a map, keep one",
      ],
    },
    {
      name: "a duplicate top-level key",
      text: "config: {}\nconfig: {}\n",
      problems: ["line 2, column 1: duplicate key 'config'; a key may appear only once in a map, keep one"],
    },
    {
      name: "no config map",
      text: "# empty\n",
      problems: ["config: missing; a stack file holds its settings in a top-level config: map"],
    },
    {
      name: "no platform:images",
      text: "config:\n  azure-native:location: westeurope\n",
      problems: [
        "platform:images: missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)",
      ],
    },
    {
      name: "platform:images that is not a map",
      text: "config:\n  platform:images:\n",
      problems: [
        "platform:images: expected a map of app name to { tag, digest? }, found null; write {} for no app (line 2)",
      ],
    },
    {
      name: "entries of the wrong form",
      text: [
        "config:",
        "  platform:images:",
        "    api: { tag: '1' }",
        "    web: { tag: 2.0, digest: 'sha256:12', replicas: 2 }",
        "    main-api: latest",
        "    customer-api: { digest: " + digest("a") + " }",
        "",
      ].join("\n"),
      problems: [
        "platform:images.api: unknown app; expected one of main-api, web, customer-api (line 3)",
        `platform:images.web.tag: 2.0 is read as number, not an image tag; quote it: tag: "2.0" (line 4)`,
        "platform:images.web.digest: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars) (line 4)",
        "platform:images.web.replicas: unknown key; allowed: tag, digest (line 4)",
        "platform:images.main-api: expected a map { tag, digest? }, found 'latest' (line 5)",
        "platform:images.customer-api.tag: missing; expected an image tag such as 1.4.2 (line 6)",
      ],
    },
  ];

  test.each(bad)("reports $name", ({ text, problems }) => {
    expect(problemsOf(() => readImages(text, "Pulumi.production.yaml"))).toEqual(problems);
  });

  test("the error names the file and lists every problem", () => {
    expect(() => readImages("config:\n  x: 1\n", "Pulumi.production.yaml")).toThrow(
      "Pulumi.production.yaml is not valid:\n  - platform:images: missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)",
    );
  });

  test("inspectImages keeps the valid entries beside the problems", () => {
    const { versions, problems } = inspectImages(
      "config:\n  platform:images:\n    web: {tag: x}\n    main-api: {tag: 1.0}\n",
      "f",
    );
    expect(versions).toEqual({ web: { tag: "x" } });
    expect(problems).toHaveLength(1);
  });
});

test("formatVersion and sameVersion", () => {
  expect(formatVersion({ tag: "1.0" })).toBe("1.0");
  expect(formatVersion({ tag: "1.0", digest: digest("a") })).toBe(`1.0@${digest("a")}`);
  expect(formatVersion(undefined)).toBe("not deployed");
  expect(sameVersion({ tag: "1" }, { tag: "1" })).toBe(true);
  expect(sameVersion({ tag: "1" }, { tag: "1", digest: digest("a") })).toBe(false);
  expect(sameVersion(undefined, undefined)).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// Property-based: arbitrary stack files, with the byte span of each entry known by construction.

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
    add("  platform:images: ");
    if (file.entries.length === 0) {
      insertion = [text.length, text.length + 2];
      add("{}");
    } else {
      add("{ ");
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

describe("one reader: plain scalars read as Pulumi's YAML reader (yaml.v3) reads them", () => {
  test("numbers with 0b/0o/0x prefixes or underscores, and dates, are not strings", () => {
    expect(
      readStackData(
        "a: 0b1\nb: 20240101_1200\nc: '0b1'\nd: 1.4.0\ne: 0x1F\nf: 0o17\ng: 010\nh: v1_0\ni: 2024-01-01\n",
        "f",
      ),
    ).toEqual({
      a: 1,
      b: 202401011200,
      c: "0b1",
      d: "1.4.0",
      e: 31,
      f: 15,
      g: 8,
      h: "v1_0",
      i: new Date("2024-01-01T00:00:00.000Z"),
    });
  });

  test.each([
    ["0b1", "number"],
    ["20240101_1200", "number"],
    ["1_000", "number"],
    ["2024-01-01", "date"],
  ])("a plain tag %s is read as %s, with the quoting to write", (tag, kind) => {
    const text = `config:\n  platform:images:\n    web:\n      tag: ${tag}\n`;
    expect(problemsOf(() => readImages(text, "f"))).toEqual([
      `platform:images.web.tag: ${tag} is read as ${kind}, not an image tag; quote it: tag: "${tag}" (line 4)`,
    ]);
  });
});

describe("YAML aliases and merge keys", () => {
  const shared = `config:
  azure-native:location: &region westeurope
  other:location: *region
  platform:images:
    main-api: &api
      tag: "1.4.0"
    web:
      <<: *api
      digest: ${digest("b")}
    customer-api: *api
`;

  test("are read as Pulumi reads them", () => {
    expect(readImages(shared, "f")).toEqual({
      "main-api": { tag: "1.4.0" },
      web: { tag: "1.4.0", digest: digest("b") },
      "customer-api": { tag: "1.4.0" },
    });
  });

  test("an entry outside every alias is edited as usual", () => {
    const text = shared.replace("    customer-api: *api\n", "    customer-api:\n      tag: '0.9.0'\n");
    expect(setImage(text, "customer-api", { tag: "0.9.1" }, "f")).toBe(
      text.replace("tag: '0.9.0'", 'tag: "0.9.1"'),
    );
  });

  test.each([
    [
      "main-api",
      "f: cannot edit platform:images.main-api: it carries the YAML anchor &api, so aliases elsewhere may share it (line 5); platform edits only values written out in full where they are used: write it out there, or edit the file by hand, then run again",
    ],
    [
      "web",
      "f: cannot edit platform:images.web: it takes keys from a YAML merge key (<<) (line 8); platform edits only values written out in full where they are used: write it out there, or edit the file by hand, then run again",
    ],
    [
      "customer-api",
      "f: cannot edit platform:images.customer-api: it is the YAML alias *api, a copy of a value written elsewhere (line 10); platform edits only values written out in full where they are used: write it out there, or edit the file by hand, then run again",
    ],
  ] as const)("editing %s, which is shared, is refused naming the line", (app, message) => {
    expect(() => setImage(shared, app, { tag: "2.0.0" }, "f")).toThrow(new InputError(message));
  });

  test("a tag written as an alias is refused naming the line", () => {
    const text = `config:\n  x: &t "1.0.0"\n  platform:images:\n    web:\n      tag: *t\n`;
    expect(() => setImage(text, "web", { tag: "2.0.0" }, "f")).toThrow(
      new InputError(
        "f: cannot edit platform:images.web.tag: it is the YAML alias *t, a copy of a value written elsewhere (line 5); platform edits only values written out in full where they are used: write it out there, or edit the file by hand, then run again",
      ),
    );
  });
});
