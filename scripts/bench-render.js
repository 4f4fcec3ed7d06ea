// One measured render of a synthetic environment of N apps (copies of main-api), through the
// same functions as `platform render`. Usage: node bench-render.js N > /dev/null
"use strict";
const path = require("node:path");
const dist = path.join(__dirname, "..", "dist");
const { environmentObjects } = require(path.join(dist, "apps", "manifests", "environment-objects.js"));
const { registryLoginServer } = require(path.join(dist, "bootstrap", "config.js"));
const { renderYaml } = require(path.join(dist, "apps", "manifests", "render-yaml.js"));
const { apps } = require(path.join(dist, "apps", "catalog.js"));
const { environments } = require(path.join(dist, "environments", "environments.js"));

const count = Number(process.argv[2] ?? 100);
const catalog = {};
const images = {};
for (let index = 1; index <= count; index += 1) {
  const name = `app-${String(index).padStart(3, "0")}`;
  catalog[name] = { ...apps["main-api"], name, publicHost: { production: `${name}.example.com` } };
  images[name] = { tag: "1.0.0", digest: `sha256:${index.toString(16).padStart(64, "0")}` };
}
const environment = environments.production;
const config = { environment, location: "westeurope", images, notDeployed: [] };
process.stdout.write(
  renderYaml(environmentObjects(config, registryLoginServer("contosoplatformacr"), catalog)),
);
