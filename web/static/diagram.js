// The case's position in its diagrams (bpmn-js NavigatedViewer): the path taken in green, the open
// tasks in amber. Without JavaScript (or if the viewer fails) the plain list stays visible.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box || typeof window.BpmnJS !== "function") return;
  var tabs = document.getElementById("diagram-files"), fallback = document.getElementById("diagram-fallback");
  var viewer = new window.BpmnJS({ container: box });
  var position = null;

  function containing(xml, ids) {
    return ids.some(function (id) { return xml.indexOf('id="' + id + '"') !== -1; });
  }

  function show(name) {
    return viewer.importXML(position.files[name]).then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      var done = 0, current = 0;
      position.completed.forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "path-done"); done++; }
      });
      position.current.forEach(function (id) {
        if (registry.get(id)) { canvas.removeMarker(id, "path-done"); canvas.addMarker(id, "path-current"); current++; }
      });
      box.dataset.file = name;
      box.dataset.highlightDone = String(done);
      box.dataset.highlightCurrent = String(current);
      Array.prototype.forEach.call(tabs.children, function (b) { b.classList.toggle("active", b.dataset.file === name); });
    });
  }

  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      position = data;
      var names = Object.keys(data.files);
      var first = names.find(function (n) { return containing(data.files[n], data.current); }) || names[0];
      names.forEach(function (name) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "tab secondary"; b.textContent = name; b.dataset.file = name;
        b.addEventListener("click", function () { show(name); });
        tabs.appendChild(b);
      });
      box.hidden = false;
      return show(first);
    })
    .then(function () { if (fallback) fallback.hidden = true; box.dataset.ready = "true"; })
    .catch(function (err) { box.hidden = true; box.dataset.error = String(err); });
})();
