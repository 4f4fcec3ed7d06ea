import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { environmentObjects } from "../../apps/manifests/environment-objects";
import { root } from "../../test/program";
import { projectCopy } from "../../test/project-copy";
import { runCli } from "../../test/run-cli";
import { readYamlStream } from "../../test/yaml-stream";
import { readStackConfigFile } from "../stack-file/read-config";
import { environmentList } from "../../test/pipeline-names";

const env = { PATH: process.env["PATH"] ?? "" };

describe("platform render", () => {
  test.each(["acceptance", "production"] as const)(
    "%s: prints exactly the objects the program deploys, as YAML",
    async (environment) => {
      const { code, stdout, stderr } = await runCli(["render", environment], root, env);
      // Production ships with no app: they arrive by promotion.
      expect([code, stderr]).toEqual([
        0,
        environment === "production"
          ? "note: not deployed in production (no platform:images entry): main-api, web, customer-api\n"
          : "",
      ]);
      const config = await readStackConfigFile(root, environment);
      expect(readYamlStream(stdout, { version: "1.1" })).toEqual(
        environmentObjects(config, "contosoplatformacr.azurecr.io"),
      );
      expect(stdout.split("\n---\n")).toHaveLength(
        environmentObjects(config, "contosoplatformacr.azurecr.io").length,
      );
    },
  );

  test("values known only after deployment print as references, never guesses", async () => {
    const { stdout } = await runCli(["render", "acceptance"], root, env);
    expect(stdout).toContain('  DB_PASSWORD: "(known after deploy: mysql.main-api.password)"\n');
    expect(stdout).toContain(
      'image: "contosoplatformacr.azurecr.io/web:2.0.1@(known after deploy: image.web.digest)"\n',
    );
  });

  test("loads neither the Pulumi engine nor a cloud SDK", () => {
    const script = [
      `const { main } = require(${JSON.stringify(path.join(root, "dist", "cli", "main.js"))});`,
      "main(['render', 'production'], { cwd: process.argv[1], env: {}, stdout: () => {}, stderr: () => {} }).then((code) => {",
      "  const loaded = Object.keys(require.cache).filter((file) => /node_modules[\\\\/](@pulumi|@octokit)[\\\\/]/.test(file));",
      "  console.log(JSON.stringify({ code, loaded }));",
      "});",
    ].join("\n");
    const output = execFileSync(process.execPath, ["-e", script, root], { encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ code: 0, loaded: [] });
  });

  test("an unknown environment: exit 2, naming the valid ones", async () => {
    expect(await runCli(["render", "staging"], root, env)).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: unknown environment 'staging'; expected one of ${environmentList}\n`,
    });
  });

  test("an invalid stack file: exit 2, every problem, nothing on stdout", async () => {
    const copy = projectCopy();
    try {
      writeFileSync(
        path.join(copy.dir, "Pulumi.acceptance.yaml"),
        "config:\n  platform:images:\n    api: { tag: 1.0.0 }\n",
      );
      expect(await runCli(["render", "acceptance"], copy.dir, env)).toEqual({
        code: 2,
        stdout: "",
        stderr:
          "error: Pulumi.acceptance.yaml is not valid:\n  - azure-native:location: missing; set the Azure region, for example westeurope\n  - platform:images.api: unknown app; expected one of main-api, web, customer-api\n",
      });
    } finally {
      copy.remove();
    }
  });
});
