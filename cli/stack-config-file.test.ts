import { parseStackFile } from "./stack-config-file";

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
      "line 3, column 3: not valid YAML: duplicated mapping key",
    ],
    [
      "text that is not YAML",
      "config: [\n",
      "line 2, column 1: not valid YAML: unexpected end of the stream within a flow collection",
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
