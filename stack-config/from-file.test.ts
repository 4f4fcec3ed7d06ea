import { readImages } from "../cli/stack-file/read-images";
import { setImage } from "../cli/stack-file/edit-images";
import { parseStackFile, pulumiConfig } from "./from-file";

describe("parseStackFile", () => {
  test("reads the config map of a stack file, keeping encrypted values opaque", () => {
    const config = parseStackFile(
      'config:\n  azure-native:location: westeurope\n  platform:images:\n    web: { tag: "2.0.1" }\n  azure-native:clientSecret:\n    secure: v1:abc\n',
      "acceptance",
    );
    expect(config.images).toEqual({ web: { tag: "2.0.1" } });
  });

  test.each([
    [
      "a duplicate key",
      "config:\n  azure-native:location: westeurope\n  azure-native:location: northeurope\n",
      "line 3, column 3: duplicate key 'azure-native:location' in config; a key may appear only once in a map, keep one",
    ],
    [
      "text that is not YAML",
      "config: [\n",
      "line 2, column 1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
    [
      "no config map",
      "encryptionsalt: abc\n",
      "config: missing; a stack file holds its settings under a `config:` map",
    ],
  ])("rejects %s", (_, text, problem) => {
    expect(() => parseStackFile(text, "acceptance")).toThrow(
      `Pulumi.acceptance.yaml is not valid:\n  - ${problem}`,
    );
  });
});

describe("every reader of stack files reads them alike (one reader)", () => {
  const file = (tag: string) =>
    `config:\n  azure-native:location: westeurope\n  platform:images:\n    main-api:\n      tag: ${tag}\n`;

  test.each(["0b1", "2024-01-01", "20240101_1200", "0x1F", "1_0"])(
    "a tag %s that set-image writes is accepted by render's parser and reads back as that string",
    (tag) => {
      const written = setImage(file("1.0.0"), "main-api", { tag }, "f");
      expect(written).toBe(file(`"${tag}"`));
      expect(parseStackFile(written, "acceptance").images).toEqual({ "main-api": { tag } });
      expect(readImages(written, "f")).toEqual({ "main-api": { tag } });
      expect(JSON.parse(pulumiConfig(written)["platform:images"]!)).toEqual({ "main-api": { tag } });
    },
  );

  test.each([
    ["0b1", 1],
    ["20240101_1200", 202401011200],
  ])(
    "a plain tag %s is the number yaml.v3 reads, for render's parser and the program's config",
    (tag, value) => {
      expect(() => parseStackFile(file(tag), "acceptance")).toThrow(
        `Pulumi.acceptance.yaml is not valid:\n  - platform:images.main-api.tag: ${value} is a number, not a tag`,
      );
      expect(JSON.parse(pulumiConfig(file(tag))["platform:images"]!)).toEqual({ "main-api": { tag: value } });
    },
  );
});
