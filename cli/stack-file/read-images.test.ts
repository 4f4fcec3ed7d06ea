import { tagRule } from "../../apps/image-reference";
import { InputError } from "../errors";
import { setImage } from "./edit-images";
import { readStackData } from "../../stack-config/from-file";
import { formatVersion, inspectImages, readImages, sameVersion } from "./read-images";
import { digest, problemsOf, productionExample } from "../../test/stack-file-example";

const production = productionExample;

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
    {
      name: "a list or a date for an entry, and an entry's problems in the order they are written",
      text: [
        "config:",
        "  platform:images:",
        "    web: [1.0, 2.0]",
        "    main-api: 2024-01-01",
        "    customer-api:",
        "      note: x",
        "      digest: 12",
        "",
      ].join("\n"),
      problems: [
        "platform:images.web: expected a map { tag, digest? }, found [1,2] (line 3)",
        `platform:images.main-api: expected a map { tag, digest? }, found "2024-01-01T00:00:00.000Z" (line 4)`,
        "platform:images.customer-api.note: unknown key; allowed: tag, digest (line 6)",
        "platform:images.customer-api.digest: 12 is read as number, not a digest ('sha256:' + 64 lowercase hex chars) (line 7)",
        "platform:images.customer-api.tag: missing; expected an image tag such as 1.4.2 (line 6)",
      ],
    },
    // Cases the mutation run found unasserted: where each message points, and how it names the value.
    {
      name: "a config: that is not a map",
      text: "config: 5\n",
      problems: ["config: found 5; a stack file holds its settings in a top-level config: map"],
    },
    {
      name: "a list for platform:images",
      text: "config:\n  platform:images: [a]\n",
      problems: [
        `platform:images: expected a map of app name to { tag, digest? }, found ["a"]; write {} for no app (line 2)`,
      ],
    },
    {
      name: "a list written below its key, at the line of the list",
      text: "config:\n  platform:images:\n    web:\n      - 1.0\n",
      problems: ["platform:images.web: expected a map { tag, digest? }, found [1] (line 4)"],
    },
    {
      name: "an unknown app written as a block, its entry not checked",
      text: "config:\n  platform:images:\n    api:\n      tag: 1.0\n      x: 1\n",
      problems: ["platform:images.api: unknown app; expected one of main-api, web, customer-api (line 3)"],
    },
    {
      name: "an unknown key on its own line, and values that are empty, null, boolean or a map",
      text: [
        "config:",
        "  platform:images:",
        "    web:",
        "      tag: '1'",
        "      replicas:",
        "        - 2",
        "      digest:",
        "    main-api:",
        "      tag: ~",
        "    customer-api:",
        "      tag: true",
        "      digest: { a: 1 }",
        "",
      ].join("\n"),
      problems: [
        "platform:images.web.replicas: unknown key; allowed: tag, digest (line 5)",
        "platform:images.web.digest: empty is not a sha256 digest ('sha256:' + 64 lowercase hex chars) (line 7)",
        "platform:images.main-api.tag: ~ is read as null, not an image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-') (line 9)",
        `platform:images.customer-api.tag: true is read as boolean, not an image tag; quote it: tag: "true" (line 11)`,
        `platform:images.customer-api.digest: {"a":1} is not a sha256 digest ('sha256:' + 64 lowercase hex chars) (line 12)`,
      ],
    },
    {
      name: "an empty tag and a map for a tag",
      text: "config:\n  platform:images:\n    web:\n      tag:\n    main-api: { tag: [1] }\n",
      problems: [
        "platform:images.web.tag: empty is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-') (line 4)",
        `platform:images.main-api.tag: [1] is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-') (line 5)`,
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

  test("a problem in keys taken from a merge key names the line of that merge key", () => {
    const text = [
      "config:",
      "  x: &bad",
      "    tag: ~",
      "    note: 1",
      "  platform:images:",
      "    <<: { main-api: { tag: '-x' }, api: { tag: '1' } }",
      "    web:",
      "      <<: *bad",
      "",
    ].join("\n");
    expect(problemsOf(() => readImages(text, "f"))).toEqual([
      `platform:images.main-api.tag: '-x' is not a valid image tag (${tagRule}) (line 6)`,
      "platform:images.api: unknown app; expected one of main-api, web, customer-api (line 6)",
      `platform:images.web.tag: empty is not a valid image tag (${tagRule}) (line 8)`,
      "platform:images.web.note: unknown key; allowed: tag, digest (line 8)",
    ]);
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

describe("the config map is found by its key, not by its place (mutation-gate.md #4, #13)", () => {
  test("keys before config:", () => {
    const text = 'config:\n  platform:images:\n    web: { tag: "1" }\n';
    // Strict: an entry without a digest has no digest key.
    expect(readImages(`encryptionsalt: x\n${text}`, "Pulumi.production.yaml")).toStrictEqual({
      web: { tag: "1" },
    });
    expect(readImages(`meta: { a: 1 }\n${text}`, "Pulumi.production.yaml")).toEqual({ web: { tag: "1" } });
  });
});
