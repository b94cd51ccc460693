// Builds the browser modeler (bpmn-js + properties panel with the Camunda 7 provider, bpmnlint with
// the project's .bpmnlintrc, Danish translations) from node_modules into node_modules/.sagsflow-modeler
// (served at /assets/sagsflow-modeler, like bpmn-js). Run by .ci/ensure-npm-deps after `npm ci`.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = join(root, "node_modules", ".sagsflow-modeler");
const require = createRequire(join(root, "package.json"));
mkdirSync(out, { recursive: true });

// the same bpmnlint rules the project checks the shipped diagrams with (.bpmnlintrc)
const compileConfig = require("bpmnlint/lib/support/compile-config");
const config = JSON.parse(readFileSync(join(root, ".bpmnlintrc"), "utf-8"));
writeFileSync(join(out, "bpmnlint-config.js"), await compileConfig(config));

await build({
  entryPoints: [join(here, "entry.js")], bundle: true, format: "iife", minify: true, target: "es2020",
  outfile: join(out, "modeler.js"), nodePaths: [join(root, "node_modules")],
  alias: { "bpmnlint-config": join(out, "bpmnlint-config.js") },
  jsx: "automatic", jsxImportSource: "@bpmn-io/properties-panel/preact", logLevel: "warning",
  loader: { ".js": "jsx" },
});
await build({
  entryPoints: [join(here, "modeler.css")], bundle: true, minify: true, outfile: join(out, "modeler.css"),
  nodePaths: [join(root, "node_modules")], loader: { ".woff": "file", ".woff2": "file", ".ttf": "file",
  ".eot": "file", ".svg": "file" }, logLevel: "warning",
});
writeFileSync(join(out, "BUILT"), new Date().toISOString() + "\n");
console.log("built", out);
