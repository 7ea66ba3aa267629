/**
 * The dashboard's only script (progressive: every page works without it). It keeps `#live`
 * regions current by fetching the same page again while they say a run is still moving, and
 * checks the JSON of payload editors as the user types.
 */
export const dashboardJs = `"use strict";
(function () {
  function refresh(region) {
    var focused = document.activeElement && document.activeElement.id;
    return fetch(location.href, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var next = new DOMParser().parseFromString(text, "text/html").getElementById("live");
        if (!next) return;
        if (next.innerHTML !== region.innerHTML) {
          region.innerHTML = next.innerHTML;
          if (focused) { var el = document.getElementById(focused); if (el) el.focus(); }
        }
        region.setAttribute("data-active", next.getAttribute("data-active") || "false");
      })
      .catch(function () {});
  }
  function poll() {
    var region = document.getElementById("live");
    if (!region) return;
    var wait = Number(region.getAttribute("data-poll-ms")) || 1500;
    setTimeout(function tick() {
      var active = region.getAttribute("data-active") === "true";
      var run = active && document.visibilityState === "visible" ? refresh(region) : Promise.resolve();
      run.then(function () { setTimeout(tick, wait); });
    }, wait);
  }
  function checkJson() {
    var editors = document.querySelectorAll("textarea[data-json]");
    Array.prototype.forEach.call(editors, function (editor) {
      var message = document.getElementById(editor.getAttribute("aria-describedby").split(" ").pop());
      editor.addEventListener("input", function () {
        var problem = "";
        if (editor.value.trim() !== "") {
          try { JSON.parse(editor.value); } catch (e) { problem = "Not valid JSON: " + e.message; }
        }
        editor.setAttribute("aria-invalid", problem ? "true" : "false");
        if (message) message.textContent = problem;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { poll(); checkJson(); });
})();
`;
