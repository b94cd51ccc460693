// Live SLA countdowns (H-S): the server renders the badge; this keeps it ticking and recolours it.
(function () {
  "use strict";
  function format(seconds) {
    var sign = seconds < 0 ? "-" : "";
    seconds = Math.abs(Math.trunc(seconds));
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
    return d ? sign + d + " d " + h + " t" : sign + h + " t " + String(m).padStart(2, "0") + " m";
  }
  var serverNow = Date.parse(document.body.dataset.serverNow || ""), offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  function tick() {
    var now = Date.now() + offset;   // the server's clock, so badges agree with the page
    document.querySelectorAll(".badge[data-due]").forEach(function (badge) {
      var due = Date.parse(badge.dataset.due), warn = badge.dataset.warn ? Date.parse(badge.dataset.warn) : null;
      var state = now >= due ? "breach" : (warn !== null && now >= warn ? "warning" : "ok");
      var countdown = badge.querySelector(".countdown");
      if (countdown) countdown.textContent = format((due - now) / 1000);
      if (badge.dataset.sla !== state) {
        badge.classList.remove("sla-" + badge.dataset.sla);
        badge.classList.add("sla-" + state);
        badge.dataset.sla = state;
      }
      var word = badge.querySelector(".sla-word"), words = badge.dataset.words ? JSON.parse(badge.dataset.words) : {};
      if (word && words[state]) word.textContent = words[state];   // a red badge never says "i tide"
    });
  }
  window.sagsflowTick = tick;
  tick();
  setInterval(tick, 30000);
})();
