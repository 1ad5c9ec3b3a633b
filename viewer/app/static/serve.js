/* Export Viewer (served): decryption progress from server-sent events, and reload notices.
   Values from the server are only ever put into the page as text (textContent).

   Only the progress page holds an event stream. Other pages ask the server every few seconds,
   while they are visible, whether the export was reloaded: a browser allows six HTTP/1.1
   connections per host, and one open stream per tab would leave the seventh tab hanging. */
(function () {
  "use strict";

  var POLL_MS = 2000;

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

  // The progress page: a stream of progress events until the export is ready (or failed).
  function listen(url) {
    var source = new EventSource(url);
    source.addEventListener("progress", function (e) { showProgress(JSON.parse(e.data)); });
    source.addEventListener("ready", function (e) {
      source.close();
      location.replace(JSON.parse(e.data).url);
    });
    source.addEventListener("failed", function (e) {
      source.close();
      location.replace(JSON.parse(e.data).url);
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // Every other page of an export: poll while visible; a reload shows its notice, or (a --dev
  // rebuild, which has none) reloads the page.
  function follow(url, generation) {
    var timer = null;
    var busy = false;
    var stopped = false;

    function check() {
      if (busy || stopped || document.hidden) { return; }
      busy = true;
      fetch(url, { cache: "no-store", credentials: "same-origin" })
        .then(function (reply) {
          if (reply.status === 404) { stopped = true; return null; }  // closed: nothing to follow
          return reply.ok ? reply.json() : null;
        })
        .then(function (data) {
          if (!data || data.generation <= generation) { return; }
          generation = data.generation;
          if (data.notice) { showNotice(data.notice); } else { stopped = true; location.reload(); }
        })
        .catch(function () { /* the server stopped or is busy: try again later */ })
        .then(function () { busy = false; });
    }

    function schedule() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      if (!document.hidden && !stopped) { timer = setInterval(check, POLL_MS); check(); }
    }

    document.addEventListener("visibilitychange", schedule);
    window.addEventListener("pagehide", function () { stopped = true; schedule(); });
    window.addEventListener("pageshow", function (e) {
      if (e.persisted) { stopped = false; schedule(); }  // back from the back/forward cache
    });
    schedule();
  }

  function start() {
    var events = meta("ev-events");
    var live = meta("ev-live");
    if (events && window.EventSource) { listen(events); }
    else if (live && window.fetch) { follow(live, parseInt(meta("ev-generation") || "0", 10)); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
