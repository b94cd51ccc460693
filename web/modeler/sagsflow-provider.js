// A "Sagsflow" group in the properties panel: for an external service task a choice of the known
// operations (tasks/operations.py; the page lists them in data-topics), and for a user task the
// case status it sets (the case_status extension property, issue 11).
import { SelectEntry, isSelectEntryEdited } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { is, getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

function pageList(name) {
  const box = document.getElementById("modeler");
  try { return JSON.parse((box && box.dataset[name]) || "[]"); } catch (e) { return []; }
}

function TopicEntry({ element }) {
  const modeling = useService("modeling"), translate = useService("translate");
  const topics = pageList("topics");
  return h(SelectEntry, {
    element, id: "sagsflowTopic", label: translate("Known operation"),
    description: translate("The operation Sagsflow runs for this service task (tasks/operations.py)."),
    getValue: () => getBusinessObject(element).get("camunda:topic") || "",
    setValue: (value) => modeling.updateProperties(element, { "camunda:topic": value || undefined }),
    getOptions: () => [{ value: "", label: "–" }, ...topics.map((t) => ({ value: t, label: t }))],
  });
}

function statusProperty(element) {
  const ext = getBusinessObject(element).get("extensionElements");
  const groups = ext ? ext.get("values").filter((v) => is(v, "camunda:Properties")) : [];
  for (const group of groups) {
    const found = group.get("values").find((p) => p.get("name") === "case_status");
    if (found) return { group, property: found };
  }
  return { group: groups[0], property: null };
}

function StatusEntry({ element }) {
  const bpmnFactory = useService("bpmnFactory"), commandStack = useService("commandStack");
  const translate = useService("translate");
  const statuses = pageList("statuses");
  const setValue = (value) => {
    const bo = getBusinessObject(element);
    const { group, property } = statusProperty(element);
    if (property) {
      commandStack.execute("element.updateModdleProperties", { element, moddleElement: property, properties: { value } });
      return;
    }
    let ext = bo.get("extensionElements");
    if (!ext) {
      ext = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
      commandStack.execute("element.updateModdleProperties", { element, moddleElement: bo, properties: { extensionElements: ext } });
    }
    let target = group;
    if (!target) {
      target = bpmnFactory.create("camunda:Properties", { values: [] });
      commandStack.execute("element.updateModdleProperties", { element, moddleElement: ext,
        properties: { values: [...ext.get("values"), target] } });
    }
    const created = bpmnFactory.create("camunda:Property", { name: "case_status", value });
    commandStack.execute("element.updateModdleProperties", { element, moddleElement: target,
      properties: { values: [...target.get("values"), created] } });
  };
  return h(SelectEntry, {
    element, id: "sagsflowCaseStatus", label: translate("Case status"),
    description: translate("Set when the task opens (empty: the status stays)."),
    getValue: () => { const { property } = statusProperty(element); return property ? property.get("value") : ""; },
    setValue, getOptions: () => [{ value: "", label: "–" }, ...statuses.map((s) => ({ value: s.id, label: s.name }))],
  });
}

function SagsflowProvider(propertiesPanel, translate) {
  this._translate = translate;
  propertiesPanel.registerProvider(400, this);
}

SagsflowProvider.prototype.getGroups = function (element) {
  const translate = this._translate;
  return (groups) => {
    const entries = [];
    if (is(element, "bpmn:ServiceTask") && getBusinessObject(element).get("camunda:type") === "external") {
      entries.push({ id: "sagsflowTopic", component: TopicEntry, element, isEdited: isSelectEntryEdited });
    }
    if (is(element, "bpmn:UserTask")) {
      entries.push({ id: "sagsflowCaseStatus", component: StatusEntry, element, isEdited: isSelectEntryEdited });
    }
    if (entries.length) groups.splice(1, 0, { id: "sagsflow", label: translate("Sagsflow"), entries, shouldOpen: true });
    return groups;
  };
};
SagsflowProvider.$inject = ["propertiesPanel", "translate"];

export default { __init__: ["sagsflowPropertiesProvider"], sagsflowPropertiesProvider: ["type", SagsflowProvider] };
