// The case's position in its diagrams (bpmn-js NavigatedViewer): the path taken in green, the open
// tasks in amber. Without JavaScript (or if the viewer fails) the plain list stays visible.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box || typeof window.BpmnJS !== "function") return;
  var tabs = document.getElementById("diagram-files"), fallback = document.getElementById("diagram-fallback");
  var viewer = new window.BpmnJS({ container: box });
  var position = null;

  function processName(xml) {   // the tab says what the diagram is about, not its file name
    var match = /<(?:bpmn:)?process\b[^>]*\bname="([^"]+)"/.exec(xml) || /<(?:dmn:)?decision\b[^>]*\bname="([^"]+)"/.exec(xml);
    return match ? match[1].replace(/&amp;/g, "&").replace(/&quot;/g, '"') : null;
  }

  function zoomButtons() {
    var bar = document.createElement("div"), canvas = viewer.get("canvas");
    bar.className = "zoom-buttons";
    [["+", "Zoom ind", function () { canvas.zoom(canvas.zoom() * 1.25); }],
     ["−", "Zoom ud", function () { canvas.zoom(canvas.zoom() / 1.25); }],
     ["⤢", "Hele diagrammet", function () { canvas.zoom("fit-viewport"); }]].forEach(function (spec) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary"; b.textContent = spec[0]; b.title = spec[1];
      b.setAttribute("aria-label", spec[1]); b.addEventListener("click", spec[2]);
      bar.appendChild(b);
    });
    box.parentNode.insertBefore(bar, box);
  }

  function containing(xml, ids) {
    return ids.some(function (id) { return xml.indexOf('id="' + id + '"') !== -1; });
  }

  function show(name) {
    return viewer.importXML(position.files[name]).then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      if (canvas.zoom() < 0.6 && position.current.length && registry.get(position.current[0])) {
        canvas.zoom(0.8);   // a whole process at ~27 % is unreadable: open readable, around the current task
        var el = registry.get(position.current[0]), box2 = canvas.viewbox();
        canvas.viewbox({ x: el.x + el.width / 2 - box2.width / 2, y: el.y + el.height / 2 - box2.height / 2,
                         width: box2.width, height: box2.height });
      }
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
        b.type = "button"; b.className = "tab secondary"; b.textContent = processName(data.files[name]) || name;
        b.dataset.file = name;
        b.addEventListener("click", function () { show(name); });
        tabs.appendChild(b);
      });
      box.hidden = false;
      zoomButtons();
      return show(first);
    })
    .then(function () { if (fallback) fallback.hidden = true; box.dataset.ready = "true"; })
    .catch(function (err) { box.hidden = true; box.dataset.error = String(err); });
})();
