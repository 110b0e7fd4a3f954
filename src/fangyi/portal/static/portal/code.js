// The resident's code page: a live countdown, a fresh code every minute and on "Refresh".
// A failed refresh keeps the code on screen and says how long it still lasts.
(function () {
  "use strict";
  var REFRESH_MS = 60 * 1000;
  var root = document.getElementById("code-root");
  var button = document.getElementById("code-refresh");
  var offline = document.getElementById("code-offline");
  if (!root) return;
  var expiresAt = 0;

  function card() { return document.getElementById("my-code"); }

  // Counted from the seconds left when the server answered, so a phone's wrong clock does not
  // matter.
  function arm() {
    var el = card();
    expiresAt = Date.now() + Number(el.dataset.secondsLeft || 0) * 1000;
  }

  function text(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var el = card();
    if (!el) return;
    var left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    var countdown = document.getElementById("code-countdown");
    if (countdown) countdown.textContent = text(left);
    offline.querySelectorAll(".offline-left").forEach(function (node) { node.textContent = text(left); });
    var expired = left === 0;
    el.classList.toggle("code-expired", expired);
    var note = el.querySelector(".code-expired-note");
    if (note) note.hidden = !expired;
  }

  function refresh() {
    button.disabled = true;
    return fetch(root.dataset.panelUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          window.location.href = root.dataset.loginUrl;
          return;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text().then(function (html) {
          root.innerHTML = html;
          arm();
          offline.hidden = true;
        });
      })
      .catch(function () { offline.hidden = false; })
      .then(function () { button.disabled = false; tick(); });
  }

  arm();
  tick();
  setInterval(tick, 1000);
  setInterval(refresh, REFRESH_MS);
  button.addEventListener("click", refresh);
})();
