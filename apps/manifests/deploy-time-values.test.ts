import {
  deployTimeValue,
  deployTimeValueNames,
  MissingDeployTimeValueError,
  replaceDeployTimeValues,
} from "./deploy-time-values";
import type { KubeObject } from "./kube-object";

const secret = (stringData: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "app-secrets" },
  stringData,
});

describe("deployTimeValue", () => {
  it("writes a value that exists only after deployment as a token", () => {
    expect(deployTimeValue("mysql.host")).toBe("(known after deploy: mysql.host)");
  });

  it.each(["", "a(b)", "x)"])("rejects the name %j, which could not be read back", (name) => {
    expect(() => deployTimeValue(name)).toThrow("must be non-empty and without parentheses");
  });
});

describe("deployTimeValueNames", () => {
  it("finds tokens in nested strings, also inside longer strings, sorted and once each", () => {
    const value = {
      a: [`repo:1.0@${deployTimeValue("image.web.digest")}`, deployTimeValue("mysql.host")],
      b: { c: deployTimeValue("mysql.host"), d: 3, e: null },
    };
    expect(deployTimeValueNames(value)).toEqual(["image.web.digest", "mysql.host"]);
  });

  it("finds nothing in plain data", () => {
    expect(deployTimeValueNames({ a: "known after deploy", b: ["(not a token)"] })).toEqual([]);
  });
});

describe("replaceDeployTimeValues", () => {
  it("replaces every token, also inside longer strings, and keeps other values", () => {
    const objects = [
      secret({ DB_HOST: deployTimeValue("mysql.host"), DB_DATABASE: "main_api" }),
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { containers: [{ name: "c", image: `acr/app:1.0@${deployTimeValue("image.app.digest")}` }] },
      },
    ];
    expect(
      replaceDeployTimeValues(objects, { "mysql.host": "db.example.com", "image.app.digest": "sha256:00" }),
    ).toEqual([
      secret({ DB_HOST: "db.example.com", DB_DATABASE: "main_api" }),
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { containers: [{ name: "c", image: "acr/app:1.0@sha256:00" }] },
      },
    ]);
  });

  it("inserts values literally, even when they look like replacement patterns", () => {
    const [resolved] = replaceDeployTimeValues([secret({ P: deployTimeValue("mysql.password") })], {
      "mysql.password": "$&$1$$",
    });
    expect(resolved?.stringData).toEqual({ P: "$&$1$$" });
  });

  it("throws naming every token without a value", () => {
    const objects = [
      secret({
        A: deployTimeValue("redis.password"),
        B: deployTimeValue("mysql.host"),
        C: deployTimeValue("x"),
      }),
    ];
    const resolve = () => replaceDeployTimeValues(objects, { x: "1" });
    expect(resolve).toThrow(MissingDeployTimeValueError);
    expect(resolve).toThrow(
      "no value for (known after deploy: mysql.host), (known after deploy: redis.password)",
    );
  });

  it("leaves derived tokens in place for a later step", () => {
    const objects = [secret({ A: deployTimeValue("checksum of x"), B: deployTimeValue("mysql.host") })];
    const [resolved] = replaceDeployTimeValues(objects, { "mysql.host": "h" }, (name) =>
      name.startsWith("checksum of "),
    );
    expect(resolved?.stringData).toEqual({ A: "(known after deploy: checksum of x)", B: "h" });
  });

  it("does not change its input", () => {
    const objects = [secret({ A: deployTimeValue("mysql.host") })];
    replaceDeployTimeValues(objects, { "mysql.host": "h" });
    expect(objects[0]?.stringData).toEqual({ A: "(known after deploy: mysql.host)" });
  });
});
