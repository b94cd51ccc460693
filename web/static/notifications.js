// The unread badge next to "Beskeder" (issue 13): one small request per page, no inline script.
(function () {
  var badge = document.getElementById("unread-count");
  if (!badge || !window.fetch) { return; }
  fetch(badge.getAttribute("data-src"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (body) {
      if (body && body.unread > 0) { badge.textContent = String(body.unread); badge.hidden = false; }
    })
    .catch(function () { /* the page works without the badge */ });
})();
