// The browser modeler of the process owner (issue 11): bpmn-js with the properties panel and the
// Camunda 7 provider (forms, conditions, timers, external topics, input parameters, lanes), a
// choice of Sagsflow's known operations for external service tasks, the case status a user task
// sets, bpmnlint with the project's rules while editing, and Danish. The server stays the judge:
// every deploy runs the same validation as `sagsflow bpmn validate`.
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule }
  from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import lintModule from "bpmn-js-bpmnlint";
import bpmnlintConfig from "bpmnlint-config";
import SagsflowModule from "./sagsflow-provider.js";
import danish from "./translations-da.js";

function translate(template, replacements) {
  const text = danish[template] || template;
  return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? replacements[key] : `{${key}}`));
}
const TranslateModule = { translate: ["value", translate] };

class SagsflowBpmnModeler extends BpmnModeler {
  constructor(options = {}) {
    const { keyboard, ...rest } = options;   // keyboard binding is implicit in diagram-js 15+
    options = rest;
    const panel = document.getElementById("properties-panel");
    super({
      ...options,
      additionalModules: [...(options.additionalModules || []), BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
        CamundaPlatformPropertiesProviderModule, CamundaBehaviorsModule, lintModule, TranslateModule, SagsflowModule],
      moddleExtensions: { camunda: camundaModdle, ...(options.moddleExtensions || {}) },
      propertiesPanel: panel ? { parent: panel } : undefined,
      linting: { bpmnlint: bpmnlintConfig, active: true },
    });
  }
}

window.SagsflowBpmnModeler = SagsflowBpmnModeler;
window.BpmnJS = SagsflowBpmnModeler;      // web/static/modeler.js creates `new window.BpmnJS(...)`
window.SagsflowTranslate = TranslateModule; // the DMN editor speaks Danish too (web/static/dmn-editor.js)
