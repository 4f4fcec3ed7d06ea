import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InputError, PlatformError } from "./errors";
import {
  parseStackOutputs,
  pulumiTimeoutSeconds,
  readOutputsFile,
  readPulumiOutputs,
} from "./deployed-images";

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;
const outputs = {
  environmentName: "acceptance",
  images: {
    "main-api": { tag: "1.5.0", digest: digest("a"), image: `acr.io/main-api:1.5.0@${digest("a")}` },
    retired: { tag: "x" },
  },
  clusterName: "aks",
};

let directory: string;
beforeEach(() => (directory = mkdtempSync(path.join(tmpdir(), "platform-outputs-"))));
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe("parseStackOutputs", () => {
  test("reads images, ignoring apps the catalog does not know", () => {
    expect(parseStackOutputs(JSON.stringify(outputs), "acceptance")).toEqual({
      images: {
        "main-api": { tag: "1.5.0", digest: digest("a"), image: `acr.io/main-api:1.5.0@${digest("a")}` },
      },
    });
  });

  test.each([
    ["not JSON", "{", /^is not JSON \(/],
    ["no images", '{"environmentName": "acceptance"}', /^has no 'images' output$/],
    [
      "images not a map",
      '{"environmentName": "acceptance", "images": []}',
      /^has 'images' an array, expected a map of app name to \{ tag, digest, image \}$/,
    ],
    [
      "a bad digest",
      JSON.stringify({ environmentName: "acceptance", images: { web: { tag: "1", digest: "sha256:12" } } }),
      /^is not valid: images\.web\.digest: a string of 9 characters, not a sha256 digest/,
    ],
  ])("reports %s", (_, json, problem) => {
    const parsed = parseStackOutputs(json, "acceptance");
    expect("problem" in parsed && parsed.problem).toMatch(problem);
  });

  // The outputs say whose they are (index.ts exports environmentName): another environment's are
  // refused, so a downstream check can never take the wrong upstream's set (issue 23).
  test("refuses the outputs of another environment, naming both", () => {
    expect(parseStackOutputs(JSON.stringify(outputs), "production")).toEqual({
      problem: "holds the outputs of acceptance (its environmentName), not of production",
    });
  });

  test("refuses outputs that do not say whose they are, without echoing an odd value", () => {
    const { environmentName: _, ...anonymous } = outputs;
    expect(parseStackOutputs(JSON.stringify(anonymous), "acceptance")).toEqual({
      problem:
        "has no 'environmentName' output (found nothing), so nothing shows they are acceptance's outputs",
    });
    expect(
      parseStackOutputs(JSON.stringify({ ...outputs, environmentName: "p4ss word!" }), "acceptance"),
    ).toEqual({
      problem: "holds the outputs of a string of 10 characters (its environmentName), not of acceptance",
    });
  });
});

describe("readOutputsFile", () => {
  test("reads the file", async () => {
    writeFileSync(path.join(directory, "out.json"), JSON.stringify(outputs));
    expect(Object.keys(await readOutputsFile(directory, "out.json", "acceptance"))).toEqual(["main-api"]);
  });

  test("a missing file", async () => {
    await expect(readOutputsFile(directory, "out.json", "acceptance")).rejects.toThrow(
      new InputError(
        "outputs file 'out.json' not found; write it with: pulumi stack output --json --stack acceptance > out.json",
      ),
    );
  });

  test("a file that is not JSON", async () => {
    writeFileSync(path.join(directory, "out.json"), "images: {}");
    await expect(readOutputsFile(directory, "out.json", "acceptance")).rejects.toThrow(
      /^outputs file 'out.json' is not JSON; write it with: pulumi stack output --json --stack acceptance > out.json$/,
    );
  });

  test("a file of another environment: names both, and the command that writes the right one", async () => {
    writeFileSync(path.join(directory, "out.json"), JSON.stringify(outputs));
    await expect(readOutputsFile(directory, "out.json", "production")).rejects.toThrow(
      new InputError(
        "outputs file 'out.json' holds the outputs of acceptance (its environmentName), not of production; write it with: pulumi stack output --json --stack production > out.json",
      ),
    );
  });

  test("a file without images", async () => {
    writeFileSync(
      path.join(directory, "out.json"),
      '{"environmentName": "acceptance", "clusterName": "aks"}',
    );
    await expect(readOutputsFile(directory, "out.json", "acceptance")).rejects.toThrow(
      "outputs file 'out.json' has no 'images' output; write it with: pulumi stack output --json --stack acceptance > out.json",
    );
  });
});

/** A `pulumi` on PATH that runs `script`: the environment to run commands with. */
function fakePulumi(script: string): { PATH: string } {
  const bin = path.join(directory, "bin");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\n${script}\n`);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  return { PATH: `${bin}:${process.env["PATH"]}` };
}

describe("readPulumiOutputs runs the pulumi CLI without a shell", () => {
  test("reads the outputs of the stack", async () => {
    const env = fakePulumi(
      `[ "$*" = "stack output --json --stack acceptance" ] || exit 3\ncat <<'JSON'\n${JSON.stringify(outputs)}\nJSON`,
    );
    expect(await readPulumiOutputs(directory, env, "acceptance")).toEqual({
      "main-api": outputs.images["main-api"],
    });
  });

  test("a failing pulumi says what it said and what to do", async () => {
    const env = fakePulumi(`echo "error: no stack named 'acceptance' found" >&2\nexit 255`);
    await expect(readPulumiOutputs(directory, env, "acceptance")).rejects.toThrow(
      new PlatformError(
        "'pulumi stack output --json --stack acceptance' failed: error: no stack named 'acceptance' found; log in to the stack's backend (pulumi login) or pass --outputs <file>",
      ),
    );
  });

  test("no pulumi on PATH", async () => {
    await expect(readPulumiOutputs(directory, { PATH: directory }, "acceptance")).rejects.toThrow(
      "cannot run 'pulumi stack output --json --stack acceptance': the pulumi CLI is not installed or not on PATH; install it, or pass --outputs <file> holding that command's output",
    );
  });

  test("outputs without images", async () => {
    const env = fakePulumi(`echo '{}'`);
    await expect(readPulumiOutputs(directory, env, "acceptance")).rejects.toThrow(
      "the outputs of stack acceptance (pulumi stack output --json --stack acceptance) has no 'images' output; deploy acceptance first",
    );
  });
});

describe("readPulumiOutputs never waits forever", () => {
  test("pulumi gets no input: a prompt reading stdin ends at once", async () => {
    // Reads stdin to its end first, as a prompt waiting for an answer would.
    const env = fakePulumi(`cat >/dev/null\necho '${JSON.stringify(outputs)}'`);
    expect(await readPulumiOutputs(directory, env, "acceptance")).toEqual({
      "main-api": outputs.images["main-api"],
    });
  });

  test("a pulumi that hangs is stopped after PLATFORM_PULUMI_TIMEOUT_SECONDS, with what to do", async () => {
    const env = { ...fakePulumi("exec sleep 600"), PLATFORM_PULUMI_TIMEOUT_SECONDS: "1" };
    await expect(readPulumiOutputs(directory, env, "acceptance")).rejects.toThrow(
      new PlatformError(
        "'pulumi stack output --json --stack acceptance' did not finish within 1 s and was stopped; check that the stack's backend is reachable and you are logged in (pulumi login), set PLATFORM_PULUMI_TIMEOUT_SECONDS to wait longer, or pass --outputs <file>",
      ),
    );
  });

  test.each(["0", "-5", "soon"])("PLATFORM_PULUMI_TIMEOUT_SECONDS=%s is refused", async (value) => {
    const env = { ...fakePulumi("exit 9"), PLATFORM_PULUMI_TIMEOUT_SECONDS: value };
    await expect(readPulumiOutputs(directory, env, "acceptance")).rejects.toThrow(
      new InputError(
        `PLATFORM_PULUMI_TIMEOUT_SECONDS: '${value}' is not a number of seconds; set a positive number such as 120, or unset it for 120`,
      ),
    );
  });

  test("the default limit is 120 s", () => {
    expect(pulumiTimeoutSeconds({})).toBe(120);
    expect(pulumiTimeoutSeconds({ PLATFORM_PULUMI_TIMEOUT_SECONDS: "30" })).toBe(30);
  });

  test("the timeout and the command's interruption reach the program runner", async () => {
    const run = jest.fn(() => Promise.resolve(JSON.stringify(outputs)));
    const interrupt = new AbortController().signal;
    await readPulumiOutputs(
      directory,
      { PLATFORM_PULUMI_TIMEOUT_SECONDS: "7" },
      "acceptance",
      run,
      interrupt,
    );
    expect(run).toHaveBeenCalledWith("pulumi", ["stack", "output", "--json", "--stack", "acceptance"], {
      cwd: directory,
      env: { PLATFORM_PULUMI_TIMEOUT_SECONDS: "7" },
      timeoutSeconds: 7,
      interrupt,
    });
  });
});
