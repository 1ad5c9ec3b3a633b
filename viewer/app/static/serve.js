/* Export Viewer (served): decryption progress and live reload notices, from server-sent events.
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

  function start() {
    var url = meta("ev-events");
    if (url && window.EventSource) { listen(url); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
