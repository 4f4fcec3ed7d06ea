// `npm install`/`npm ci` preinstall: when npm itself runs on a Node older than the project's,
// says once why that is fine, in place of npm's per-package engine warnings that .npmrc hides
// (docs/decisions/0019). Runs on whatever Node runs npm, so it uses nothing newer than Node 12.
"use strict";

// npm's own Node, as npm reports it to its scripts ("npm/11.19.1 node/v20.20.2 linux x64 ...").
const agent = /\bnode\/v(\d+)\.(\d+)\.(\d+)/.exec(process.env.npm_config_user_agent || "");
const version = agent ? agent.slice(1).join(".") : process.versions.node;
const major = Number(version.split(".")[0]);

if (major < 22) {
  process.stdout.write(
    `platform: npm runs on Node ${version}; this project installs Node 22 (the "node" dev dependency) and\n` +
      "every npm script and `npx platform` run on it. npm's warnings that packages need Node >= 22 compare\n" +
      "them with npm's own Node, so .npmrc hides them (loglevel=error; docs/decisions/0019).\n",
  );
}
