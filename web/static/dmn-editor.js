// Edit a DMN table in the browser (dmn-js, issue 11): the XML textarea stays the form's source of truth
// (what is deployed, and all there is without JavaScript); every change is written back to it, so
// "Validér", "Simulér" and "Udrul" send the edited table. Danish through the modeler's translations.
(function () {
  "use strict";
  var box = document.getElementById("dmn-editor"), textarea = document.getElementById("xml");
  if (!box || !textarea || typeof window.DmnJS !== "function") return;
  var danish = window.SagsflowTranslate ? { additionalModules: [window.SagsflowTranslate] } : {};
  // per view: dmn-js replaces `common.additionalModules` with each view's own list
  var editor = new window.DmnJS({ container: box, drd: danish, decisionTable: danish, literalExpression: danish,
                                  boxedExpression: danish });
  box.dmnEditor = editor;   // for scripted checks (the browser tests)
  box.hidden = false;

  function sync() {
    return editor.saveXML({ format: true }).then(function (r) { textarea.value = r.xml; return r.xml; });
  }

  editor.importXML(textarea.value).then(function () {
    var views = editor.getViews(), table = views.filter(function (v) { return v.type === "decisionTable"; })[0];
    return table ? editor.open(table) : null;
  }).then(function () {
    editor.on("views.changed", function () { attach(); });
    attach();
    textarea.closest("label").hidden = true;
    box.dataset.ready = "true";
  }).catch(function (err) { box.hidden = true; box.dataset.error = String(err); });

  function attach() {
    var viewer = editor.getActiveViewer();
    if (!viewer || viewer.__sagsflowSync) return;
    viewer.__sagsflowSync = true;
    viewer.on(["elements.changed", "commandStack.changed"], function () { sync(); });
  }
})();
