// The process server of a jest worker (test/jest-environment.js, docs/decisions/0079): starts
// the child processes of the CLI code that the worker's suites run, with the CLI's own compiled
// `runProcess`. Linux copies a process's page tables to start a child, and the worker then takes
// a page fault on its next write to each page: from a process of 1 GB that costs about 10 ms of
// CPU a child more than from this one, of about 55 MB (the workers grow to 150-700 MB).
// Messages are JSON text, so that the suite parses the result in its own realm:
//   request   {"id": 1, "file": "git", "args": [...], "options": {...}, "interruptible": true}
//   interrupt {"id": 1, "interrupt": true}
//   reply     {"id": 1, "result": <ProcessResult>}
"use strict";
const path = require("node:path");
const { runProcess } = require(path.join(__dirname, "..", "dist", "cli", "process.js"));

/** The interruptions of the requests that may be interrupted, by id, while they run. */
const interruptions = new Map();

process.on("message", (message) => {
  const request = JSON.parse(message);
  if (request.interrupt) {
    interruptions.get(request.id)?.abort();
    return;
  }
  const interruption = request.interruptible ? new AbortController() : undefined;
  if (interruption) interruptions.set(request.id, interruption);
  const options = { ...request.options, ...(interruption ? { interrupt: interruption.signal } : {}) };
  void runProcess(request.file, request.args, options).then((result) => {
    interruptions.delete(request.id);
    if (process.connected) process.send(JSON.stringify({ id: request.id, result }));
  });
});

// The worker ended: whatever still runs for it is stopped, and this process ends with them.
process.on("disconnect", () => {
  for (const interruption of interruptions.values()) interruption.abort();
});
