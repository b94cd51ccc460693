// Imports each diagram the way Camunda Modeler / bpmn-js do (bpmn-moddle with the Camunda
// extension) and prints one JSON line per file: import warnings and whether DI is present.
import { BpmnModdle } from 'bpmn-moddle';
import fs from 'fs';
import { createRequire } from 'module';
const require = createRequire(import.meta.url);
const camunda = require('camunda-bpmn-moddle/resources/camunda.json');
const moddle = new BpmnModdle({ camunda });
for (const file of process.argv.slice(2)) {
  const { warnings, rootElement } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
  const planes = (rootElement.diagrams || []).map(d => d.plane.planeElement.length);
  console.log(JSON.stringify({ file: file.split('/').pop(), warnings: warnings.map(w => w.message), planes }));
}
