// Forms that follow the answers (show_if): a field whose condition is false is hidden and its inputs
// disabled (so nothing is sent); the server applies the same rule. Without JavaScript all fields show.
// After a server-side error the first field with an error gets the focus.
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form) return;
  var fields = Array.prototype.slice.call(form.querySelectorAll(".field[data-show-if]"));

  function valueOf(id, type) {
    var inputs = form.querySelectorAll("[name='" + id + "']");
    if (!inputs.length) return null;
    var first = inputs[0], box = first.closest(".field");
    if (box && box.hidden) return null;
    if (first.type === "checkbox") return first.checked;
    if (first.type === "radio") {
      var checked = form.querySelector("[name='" + id + "']:checked");
      return checked ? checked.value : null;
    }
    if (first.value === "") return null;
    if (type === "long") { var n = Number(first.value); return isNaN(n) ? first.value : n; }
    return first.value;
  }

  function evaluate(node) {
    if (node.field !== undefined) return valueOf(node.field, node.type);
    if (node.value !== undefined) return node.value;
    if (node.list !== undefined) return node.list.map(evaluate);
    var a = node.args.map(evaluate);
    switch (node.op) {
      case "and": return a.every(Boolean);
      case "or": return a.some(Boolean);
      case "not": return !a[0];
      case "==": return a[0] === a[1];
      case "!=": return a[0] !== a[1];
      case "in": return Array.isArray(a[1]) ? a[1].indexOf(a[0]) !== -1 : String(a[1]).indexOf(a[0]) !== -1;
      case "not in": return Array.isArray(a[1]) ? a[1].indexOf(a[0]) === -1 : String(a[1]).indexOf(a[0]) === -1;
      case "<": return a[0] !== null && a[1] !== null && a[0] < a[1];
      case "<=": return a[0] !== null && a[1] !== null && a[0] <= a[1];
      case ">": return a[0] !== null && a[1] !== null && a[0] > a[1];
      case ">=": return a[0] !== null && a[1] !== null && a[0] >= a[1];
    }
    return true;
  }

  function update() {
    fields.forEach(function (box) {   // in form order: a field hidden by a hidden field is hidden too
      var shown;
      try { shown = Boolean(evaluate(JSON.parse(box.dataset.showIf))); } catch (e) { shown = true; }
      box.hidden = !shown;
      box.querySelectorAll("input, select, textarea").forEach(function (input) {
        if (!shown) { input.dataset.hiddenByCondition = "true"; input.disabled = true; }
        else if (input.dataset.hiddenByCondition) { delete input.dataset.hiddenByCondition; input.disabled = false; }
      });
    });
  }
  // people pickers whose team is chosen in the same form show only that team's members
  function narrowPickers() {
    form.querySelectorAll("select.people-picker[data-team-from]").forEach(function (select) {
      var team = valueOf(select.dataset.teamFrom, "enum");
      select.querySelectorAll("optgroup").forEach(function (group) {
        var match = !team || group.dataset.team === team;
        group.hidden = !match; group.disabled = !match;
      });
      var chosen = select.selectedOptions[0];
      if (chosen && chosen.parentNode.tagName === "OPTGROUP" && chosen.parentNode.disabled) select.value = "";
    });
  }
  form.addEventListener("change", narrowPickers);
  narrowPickers();
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();

  var invalid = form.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();
  else if (document.querySelector(".flash.error")) document.querySelector(".flash.error").focus();
})();
