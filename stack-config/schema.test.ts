import { appNames } from "../apps/catalog";
import { environmentNames } from "../environments/settings";
import { upstreamOf } from "../test/pipeline-names";
import { parseStackConfig, StackConfigError } from "./schema";

const digest = `sha256:${"ab".repeat(32)}`;
const location = { "azure-native:location": "westeurope" };

function problems(stack: string, config: Record<string, unknown>): readonly string[] {
  try {
    parseStackConfig(stack, config);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("parseStackConfig", () => {
  test("parses a building environment's tags and lists the apps it does not deploy", () => {
    const config = parseStackConfig("acceptance", {
      ...location,
      "platform:images": { web: { tag: "2.0.1" } },
    });
    expect(config.environment.name).toBe("acceptance");
    expect(config.location).toBe("westeurope");
    expect(config.images).toEqual({ web: { tag: "2.0.1" } });
    expect(config.notDeployed).toEqual(["main-api", "customer-api"]);
  });

  test("accepts tag@digest entries downstream and other namespaces' keys", () => {
    const config = parseStackConfig("production", {
      ...location,
      "azure-native:subscriptionId": "x",
      "platform:images": { "main-api": { tag: "1.4.0", digest } },
    });
    expect(config.images["main-api"]).toEqual({ tag: "1.4.0", digest });
  });

  test("an empty images map is valid: the platform first, the apps by promotion", () => {
    expect(parseStackConfig("production", { ...location, "platform:images": {} }).notDeployed).toEqual([
      "main-api",
      "web",
      "customer-api",
    ]);
  });

  test.each<[string, string, Record<string, unknown>, string[]]>([
    [
      "an unknown stack",
      "qa",
      {},
      [`stack 'qa': unknown environment; expected one of ${environmentNames.join(", ")}`],
    ],
    [
      "missing location and images",
      "acceptance",
      {},
      [
        "azure-native:location: missing; set the Azure region, for example westeurope",
        "platform:images: missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)",
      ],
    ],
    [
      "an unknown platform key",
      "acceptance",
      { ...location, "platform:images": {}, "platform:replicas": 3 },
      ["platform:replicas: unknown key; allowed platform keys: images"],
    ],
    [
      "an unknown app",
      "acceptance",
      { ...location, "platform:images": { api: { tag: "1" } } },
      ["platform:images.api: unknown app; expected one of main-api, web, customer-api"],
    ],
    [
      "a tag that is not an image tag",
      "acceptance",
      { ...location, "platform:images": { web: { tag: "-rc 1" } } },
      [
        "platform:images.web.tag: '-rc 1' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')",
      ],
    ],
    [
      "a tag that is a number",
      "acceptance",
      { ...location, "platform:images": { web: { tag: 1.4 } } },
      ['platform:images.web.tag: 1.4 is a number, not a tag; quote it: "1.4"'],
    ],
    [
      "a list for an entry",
      "acceptance",
      { ...location, "platform:images": { web: ["1.4"] } },
      ['platform:images.web: expected a map { tag, digest? }, found ["1.4"]'],
    ],
    [
      "a missing tag",
      "acceptance",
      { ...location, "platform:images": { web: {} } },
      ["platform:images.web.tag: missing; expected an image tag such as 1.4.2"],
    ],
    [
      "a short digest",
      "acceptance",
      { ...location, "platform:images": { web: { tag: "1", digest: "sha256:12" } } },
      ["platform:images.web.digest: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars)"],
    ],
    [
      "an unknown entry key",
      "acceptance",
      { ...location, "platform:images": { web: { tag: "1", digests: "x" } } },
      ["platform:images.web.digests: unknown key; allowed: tag, digest"],
    ],
    [
      "an entry that is not a map",
      "acceptance",
      { ...location, "platform:images": { web: "1.0" } },
      ["platform:images.web: expected a map { tag, digest? }, found '1.0'"],
    ],
    [
      "a digest that is not a string",
      "acceptance",
      { ...location, "platform:images": { web: { tag: "1", digest: 12 } } },
      ["platform:images.web.digest: 12 is not a sha256 digest ('sha256:' + 64 lowercase hex chars)"],
    ],
    [
      "images written as one string",
      "acceptance",
      { ...location, "platform:images": "web" },
      ["platform:images: expected a map of app name to { tag, digest? }, found 'web'"],
    ],
    [
      "images that are not a map",
      "acceptance",
      { ...location, "platform:images": ["web"] },
      ['platform:images: expected a map of app name to { tag, digest? }, found ["web"]'],
    ],
    [
      "a downstream entry without digest",
      "production",
      { ...location, "platform:images": { web: { tag: "2.0.1" } } },
      [
        `platform:images.web.digest: missing; production does not build images and deploys only tag@digest (copy it with: platform promote ${upstreamOf("production")} production --app web)`,
      ],
    ],
  ])(
    "rejects %s with a message naming the key, the value and what is allowed",
    (_, stack, config, expected) => {
      expect(problems(stack, config)).toEqual(expected);
    },
  );

  test("points platform:github to the bootstrap stack, which keeps the delivery settings", () => {
    expect(
      problems("acceptance", {
        ...location,
        "platform:images": {},
        "platform:github": { repository: "acme/platform" },
      }),
    ).toEqual([
      "platform:github: the delivery settings belong to the bootstrap stack now; move them to platform-bootstrap:github in bootstrap/Pulumi.shared.yaml",
    ]);
  });

  test("reports every problem at once, sorted by key path", () => {
    expect(
      problems("production", {
        "platform:images": { web: { tag: "2.0.1" }, "main-api": { tag: ".x", digest: "sha256:12" }, api: {} },
        "platform:extra": true,
      }),
    ).toEqual([
      "azure-native:location: missing; set the Azure region, for example westeurope",
      "platform:extra: unknown key; allowed platform keys: images",
      "platform:images.api: unknown app; expected one of main-api, web, customer-api",
      "platform:images.main-api.digest: 'sha256:12' is not a sha256 digest ('sha256:' + 64 lowercase hex chars)",
      "platform:images.main-api.tag: '.x' is not a valid image tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')",
      `platform:images.web.digest: missing; production does not build images and deploys only tag@digest (copy it with: platform promote ${upstreamOf("production")} production --app web)`,
    ]);
  });

  test("the error message lists the problems under the file name, one a line", () => {
    expect(() => parseStackConfig("acceptance", { ...location, "platform:images": { api: {} } })).toThrow(
      `Pulumi.acceptance.yaml is not valid:\n  - platform:images.api: unknown app; expected one of ${appNames.join(", ")}`,
    );
    const error = (() => {
      try {
        parseStackConfig("acceptance", {});
      } catch (thrown) {
        return thrown as Error;
      }
      throw new Error("expected the config to be rejected");
    })();
    expect(error.name).toBe("StackConfigError");
    expect(error.message).toBe(
      "Pulumi.acceptance.yaml is not valid:\n  - azure-native:location: missing; set the Azure region, for example westeurope\n  - platform:images: missing; expected a map of app name to { tag, digest? } ({} deploys no app yet)",
    );
  });
});

describe("survivors of the gate's mutation run (../shared/reviews/mutation-gate.md #9, #14)", () => {
  test("a blank location is refused, naming the key", () => {
    expect(problems("production", { "azure-native:location": "  ", "platform:images": {} })).toEqual([
      "azure-native:location: '  ' is not a region name; set the Azure region, for example westeurope",
    ]);
  });

  test("a boolean tag is not called a number", () => {
    expect(
      problems("production", { ...location, "platform:images": { web: { tag: true, digest } } }),
    ).toEqual(["platform:images.web.tag: true is not an image tag"]);
  });
});
