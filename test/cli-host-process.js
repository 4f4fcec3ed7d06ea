// The child process of test/cli-host.ts: it runs `platform` commands one after another, each
// as bin/platform.js runs one (the compiled CLI, Node's compile cache), but in one process for
// many. Each request is {id, argv, cwd, env}; each reply {id, code, stdout, stderr}.
"use strict";
require("node:module").enableCompileCache?.();
const path = require("node:path");
const { ensureBuilt } = require("../bin/ensure-built");

const { main } = require(path.join(ensureBuilt(), "cli", "main.js"));

let queue = Promise.resolve();
process.on("message", ({ id, argv, cwd, env }) => {
  queue = queue.then(async () => {
    let stdout = "";
    let stderr = "";
    // As a process started in `cwd` would be, whatever the command reads it from.
    process.chdir(cwd);
    const code = await main(argv, {
      cwd,
      env,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    process.send({ id, code, stdout, stderr });
  });
});
