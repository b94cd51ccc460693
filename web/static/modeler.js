// Edit a diagram in the browser (bpmn-js Modeler): the XML textarea stays the form's source of truth
// (it is what gets deployed, and all that is there without JavaScript). "Validate" asks the server and
// marks every problem on its element with an overlay.
(function () {
  "use strict";
  var box = document.getElementById("modeler"), form = document.getElementById("deploy-form");
  var textarea = document.getElementById("xml"), button = document.getElementById("validate-button");
  if (!form) return;
  var modeler = null, deployAction = form.getAttribute("action");
  var csrf = form.querySelector("input[name=csrf_token]").value, file = form.querySelector("input[name=file]").value;

  function currentXml() {
    if (!modeler) return Promise.resolve(textarea.value);
    return modeler.saveXML({ format: true }).then(function (r) { textarea.value = r.xml; return r.xml; });
  }

  function showProblems(problems) {
    var list = document.getElementById("problems"), none = document.getElementById("no-problems");
    document.getElementById("problems-box").hidden = false;
    list.innerHTML = "";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.dataset.element = p.element;
      li.textContent = p.file + ":" + (p.line || 0) + " " + p.element + (p.name && p.name !== p.element ? " «" + p.name + "»" : "") + ": " + p.message;
      list.appendChild(li);
    });
    none.hidden = problems.length > 0;
    if (!modeler) return;
    var overlays = modeler.get("overlays"), registry = modeler.get("elementRegistry"), canvas = modeler.get("canvas");
    overlays.remove({ type: "problem" });
    registry.getAll().forEach(function (el) { canvas.removeMarker(el.id, "has-problem"); });
    var marked = 0;
    problems.forEach(function (p) {
      if (p.file !== file || !registry.get(p.element)) return;
      var note = document.createElement("div");
      note.className = "problem-note";
      note.textContent = p.message;
      overlays.add(p.element, "problem", { position: { bottom: -5, left: 0 }, html: note });
      canvas.addMarker(p.element, "has-problem");
      marked++;
    });
    box.dataset.problemsMarked = String(marked);
  }

  function validate() {
    return currentXml().then(function (xml) {
      return fetch(form.dataset.validate, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify({ file: file, xml: xml })
      });
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.problems) showProblems(body.problems); else showProblems([{ file: file, element: "file", message: body.message || "?" }]);
    });
  }

  if (box && typeof window.BpmnJS === "function") {
    modeler = new window.BpmnJS({ container: box, keyboard: { bindTo: document } });
    box.bpmnModeler = modeler;   // for scripted checks (the browser tests)
    box.hidden = false;
    modeler.importXML(textarea.value).then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      textarea.closest("label").hidden = true;
      box.dataset.ready = "true";
      var initial = Array.prototype.map.call(document.querySelectorAll("#problems li"), function (li) {
        return { file: file, element: li.dataset.element, message: li.textContent };
      });
      if (initial.length) showProblems(initial);
    }).catch(function (err) { box.hidden = true; box.dataset.error = String(err); modeler = null; });
  }
  button.hidden = false;
  button.addEventListener("click", function () { validate(); });
  form.addEventListener("submit", function (event) {
    if (!modeler || form.dataset.synced === "true") return;
    event.preventDefault();
    var submitter = event.submitter;   // Simulér (formaction) or Udrul: submit where the click was meant to go
    currentXml().then(function () {
      form.dataset.synced = "true";
      form.action = submitter && submitter.hasAttribute("formaction") ? submitter.formAction
        : deployAction;
      form.submit();
    });
  });
})();
