// The thread behind a jest worker's synchronous process runs (test/jest-environment.js,
// docs/decisions/0079): the suites' git fixtures wait for each git command, so the worker's
// main thread cannot hear a process server's reply itself. This thread owns a process server
// of its own (test/process-server.js), passes each request on, and wakes the main thread, which
// sleeps on `signal`, when a reply has been posted: {id, reply} with the server's JSON text, or
// {id, gone} with why the server could not answer.
"use strict";
const { fork } = require("node:child_process");
const path = require("node:path");
const { workerData } = require("node:worker_threads");

const { port, signal } = workerData;
const server = fork(path.join(__dirname, "process-server.js"), [], {
  execArgv: [],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
let ending = false;

const wake = () => {
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
};
const reply = (id, text) => {
  port.postMessage({ id, reply: text });
  wake();
};
const ended = () => server.exitCode !== null || server.signalCode !== null;
/** Why the server cannot answer a request: the main thread must not sleep forever. */
const gone = (id, why) => {
  port.postMessage({ id, gone: why });
  wake();
};
const pending = new Set();

port.on("message", (request) => {
  // The worker ends: the server ends, and the worker waits for it, so that its CPU is counted.
  if (request === "end") {
    ending = true;
    if (ended()) wake();
    else server.disconnect();
    return;
  }
  const { id } = JSON.parse(request);
  if (ended()) return gone(id, "has ended");
  pending.add(id);
  server.send(request, (error) => {
    if (error && pending.delete(id)) gone(id, `could not be reached: ${error.message}`);
  });
});
server.on("message", (text) => {
  const { id } = JSON.parse(text);
  pending.delete(id);
  reply(id, text);
});
server.on("exit", (code, signalName) => {
  for (const id of pending) gone(id, `ended (${signalName ?? code})`);
  pending.clear();
  if (ending) wake();
});
