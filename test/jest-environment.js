// The environment of every suite: jest's Node environment, plus the plan runners of this jest
// worker (docs/decisions/0066). jest gives each suite its own copy of every module, so each
// suite's cli/program-runs kept its own runners and started fresh ones: about 1.5 CPU-s each
// (Node, @pulumi/pulumi, the SDKs and a first program run with nothing compiled yet). This
// module is loaded by Node, once per worker, so the copy of the compiled program-runs it loads
// serves every suite the worker runs, and its idle runners serve the next suite's plans.
//
// And its process server (test/process-server.js, docs/decisions/0079), started with the first
// process a suite's CLI code runs: the suites' `runProcess` (test/worker-processes.ts) starts its
// processes there, in a small process, rather than in this worker, which Linux would have to copy.
"use strict";
const { fork } = require("node:child_process");
const { existsSync } = require("node:fs");
const path = require("node:path");
const { MessageChannel, receiveMessageOnPort, Worker } = require("node:worker_threads");
const { TestEnvironment } = require("jest-environment-node");

// Built by test/global-setup.js before the workers start; absent where no build ran (a Stryker
// sandbox), and then each suite keeps its own runners and starts its own processes.
const compiled = path.join(__dirname, "..", "dist", "cli", "program-runs.js");
let programRuns;

/** The process server: the child, the replies it owes by request id, and the next id. */
let server;
// Where no build ran, suites start their own processes.
const serverCanRun = existsSync(path.join(__dirname, "..", "dist", "cli", "process.js"));

/** The server, started if none runs. */
function processServer() {
  if (server !== undefined) return server;
  const child = fork(path.join(__dirname, "process-server.js"), [], {
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const started = { child, replies: new Map(), nextId: 1 };
  child.on("message", (message) => settle(started, JSON.parse(message).id, message));
  child.on("exit", (code, signal) => {
    if (server === started) server = undefined;
    for (const id of started.replies.keys()) settle(started, id, serverGone(id, `ended (${signal ?? code})`));
  });
  server = started;
  return started;
}

/** Hands a reply to the suite that waits for it; the worker stays alive only while replies are owed. */
function settle(started, id, message) {
  const resolve = started.replies.get(id);
  started.replies.delete(id);
  hold(started);
  resolve?.(message);
}

function hold({ child, replies }) {
  for (const handle of [child, child.channel]) {
    if (replies.size > 0) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** The reply of a process that did not run: the server ended, or could not be reached. */
function serverGone(id, why) {
  const stopped = { code: "ERROR", message: `the jest worker's process server ${why}` };
  return JSON.stringify({ id, result: { stdout: "", stderr: "", exitCode: null, signal: null, stopped } });
}

/**
 * Runs `file` with `args` in the server: `options` are `runProcess`'s without `interrupt`;
 * `interruptible` when the suite may interrupt it. Returns the reply's JSON text (parsed by
 * the suite, in its own realm) and a way to interrupt the process.
 */
function runInProcessServer(file, args, options, interruptible) {
  const started = processServer();
  const id = started.nextId++;
  const reply = new Promise((resolve) => started.replies.set(id, resolve));
  hold(started);
  started.child.send(JSON.stringify({ id, file, args, options, interruptible }), (error) => {
    if (error) settle(started, id, serverGone(id, `could not be reached: ${error.message}`));
  });
  const interrupt = () => {
    if (started.replies.has(id)) started.child.send(JSON.stringify({ id, interrupt: true }), () => undefined);
  };
  return { reply, interrupt };
}

/** The thread that runs processes for the suites' synchronous calls, and the port it answers on. */
let syncServer;

/** Sleeps until the thread wakes this thread, or `ms` have passed. */
function sleepOn(signal, ms = Infinity) {
  Atomics.wait(signal, 0, 0, ms);
  Atomics.store(signal, 0, 0);
}

/**
 * As `runInProcessServer`, but waits: the suites' git fixtures run git synchronously. The thread
 * (test/process-server-thread.js) hears the reply while this one sleeps.
 */
function runInProcessServerSync(file, args, options) {
  if (syncServer === undefined) {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Worker(path.join(__dirname, "process-server-thread.js"), {
      workerData: { port: port2, signal },
      transferList: [port2],
    });
    thread.unref();
    syncServer = { thread, port: port1, signal, nextId: 1 };
  }
  const { port, signal } = syncServer;
  const id = syncServer.nextId++;
  // Calls come one at a time: a wake still set is an earlier reply's, already taken.
  Atomics.store(signal, 0, 0);
  port.postMessage(JSON.stringify({ id, file, args, options }));
  for (;;) {
    for (let received; (received = receiveMessageOnPort(port)) !== undefined;) {
      const { id: repliedTo, reply, gone } = received.message;
      if (repliedTo === id) return reply ?? serverGone(id, gone);
    }
    sleepOn(signal);
  }
}

// When the worker has run its last suite, the servers end, and the worker waits for them: their
// CPU counts as the worker's, as the runners' does.
process.once("beforeExit", () => {
  if (server !== undefined) {
    server.child.ref();
    server.child.disconnect();
  }
  if (syncServer !== undefined) {
    Atomics.store(syncServer.signal, 0, 0);
    syncServer.port.postMessage("end");
    sleepOn(syncServer.signal, 10_000);
    void syncServer.thread.terminate();
  }
});

class PlatformEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    if (programRuns === undefined && existsSync(compiled)) {
      programRuns = require(compiled);
      // Idle runners wait for the worker's next suite, not a minute: they end with the worker.
      programRuns.keepIdleRunners();
      // When the worker has run its last suite, it ends its runners and waits for them: none
      // outlives the test run, and their CPU counts as its own (/usr/bin/time, npm run bench).
      process.once("beforeExit", () => void programRuns.endIdleRunners());
    }
    if (programRuns !== undefined) this.global.platformWorkerRunPlan = programRuns.runPlan;
    if (serverCanRun) {
      this.global.platformWorkerRunProcess = runInProcessServer;
      this.global.platformWorkerRunProcessSync = runInProcessServerSync;
    }
  }
}

module.exports = PlatformEnvironment;
