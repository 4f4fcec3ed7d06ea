// jest's module runtime, with one change: inside `jest.isolateModules`, a module from
// node_modules is loaded once per test file and shared, as Node shares it within one process.
// The project's own modules stay isolated.
//
// test/program.ts runs each program in a registry of its own (`runIsolated`). Without this,
// every run evaluated @pulumi/pulumi, TypeScript (9 MB, which Pulumi loads) and the providers
// again: about 1.5 s of CPU a run, against about 0.8 s shared (docs/decisions/0026). Pulumi's
// state between runs is reset by `setMocks` (every run calls it) and `setAllConfig`, as in
// Pulumi's automation API, which runs programs one after another in one process.
// test/program.test.ts pins that a run after other runs is exactly the first.
//
// This reaches into jest-runtime (`registries.isolation`, `_resolution`): a jest that no
// longer has them fails every suite at once with the message below, never silently.
"use strict";
const path = require("node:path");
const Runtime = require("jest-runtime").default;

const nodeModules = `${path.sep}node_modules${path.sep}`;

class SharedDependenciesRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const resolution = this._resolution;
    const known =
      this.registries !== undefined &&
      "isolation" in this.registries &&
      typeof resolution?.resolveCjs === "function" &&
      typeof resolution?.isCoreModule === "function";
    if (!known) {
      throw new Error(
        "test/jest-runtime.js: this jest-runtime keeps its module registries elsewhere; update the runtime or remove it from jest.config.js",
      );
    }
  }

  requireModule(from, moduleName, options, isRequireActual) {
    const { registries } = this;
    const isolation = registries.isolation;
    if (
      isolation !== null &&
      moduleName &&
      !options?.isInternalModule &&
      this.isDependency(from, moduleName)
    ) {
      // Loaded (or found) in the file's main registry, with everything it requires in turn.
      registries.isolation = null;
      try {
        return super.requireModule(from, moduleName, options, isRequireActual);
      } finally {
        registries.isolation = isolation;
      }
    }
    return super.requireModule(from, moduleName, options, isRequireActual);
  }

  /** True for a module that resolves into node_modules (a name that does not resolve is not). */
  isDependency(from, moduleName) {
    if (this._resolution.isCoreModule(moduleName)) return false;
    try {
      return this._resolution.resolveCjs(from, moduleName).includes(nodeModules);
    } catch {
      return false;
    }
  }
}

module.exports = SharedDependenciesRuntime;
