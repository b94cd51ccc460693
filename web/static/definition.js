// Shows one stored diagram version read-only (bpmn-js NavigatedViewer).
(function () {
  "use strict";
  var box = document.getElementById("viewer");
  if (!box || typeof window.BpmnJS !== "function") return;
  var viewer = new window.BpmnJS({ container: box });
  fetch(box.dataset.src, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () { viewer.get("canvas").zoom("fit-viewport"); box.dataset.ready = "true"; })
    .catch(function (err) { box.dataset.error = String(err); });
})();
