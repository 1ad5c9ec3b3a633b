/* Export Viewer (served): decryption progress from server-sent events (the progress page), and
   reload notices on every other page by a short request every few seconds while the page is
   visible: a stream per page would use up the browser's six connections per host with many tabs.
   Values from the server are only ever put into the page as text (textContent). */
(function () {
  "use strict";

  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : null;
  }

  function showProgress(data) {
    var bar = document.querySelector("[data-ev-bar]");
    var label = document.querySelector("[data-ev-progress-text]");
    if (bar && data.total) { bar.value = data.done / data.total; }
    if (label && data.total) {
      var pct = Math.floor((data.done / data.total) * 100);
      label.textContent = pct + " % (" + (data.done / 1e6).toFixed(1) + " / " + (data.total / 1e6).toFixed(1) + " MB)";
    }
  }

  function showNotice(text) {
    var notice = document.querySelector("[data-ev-notice]");
    if (!notice) { return; }
    notice.textContent = text + " ";
    var again = document.createElement("a");
    again.href = location.href;
    again.textContent = "\u21bb";
    again.setAttribute("aria-label", "reload");
    notice.appendChild(again);
    notice.hidden = false;
  }

  function listen(url) {
    var onProgressPage = !!document.querySelector("[data-ev-progress]");
    var source = new EventSource(url);
    source.addEventListener("progress", function (e) { showProgress(JSON.parse(e.data)); });
    source.addEventListener("ready", function (e) {
      if (onProgressPage) { source.close(); location.replace(JSON.parse(e.data).url); }
    });
    source.addEventListener("failed", function (e) {
      source.close();
      location.replace(JSON.parse(e.data).url);
    });
    source.addEventListener("reload", function (e) {
      var data = JSON.parse(e.data);
      if (data.notice) { showNotice(data.notice); } else { source.close(); location.reload(); }
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  var POLL = 2000;

  function poll(url, generation) {
    var busy = false;
    function check() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          busy = false;
          if (!data || data.state !== "ready" || data.generation <= generation) { return; }
          generation = data.generation;
          if (data.notice) { showNotice(data.notice); } else { location.reload(); }
        }, function () { busy = false; });
    }
    setInterval(check, POLL);
    document.addEventListener("visibilitychange", check);
  }

  function start() {
    var url = meta("ev-events");
    if (url && window.EventSource) { listen(url); }
    var state = meta("ev-state");
    if (state && window.fetch) { poll(state, Number(meta("ev-generation") || "0")); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
