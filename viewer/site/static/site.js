/* Export Viewer: search, sort and column chooser on table pages. Values are only ever put into the
   page as text (textContent), never as HTML; only http(s) URLs become links. */
(function () {
  "use strict";

  var PAGE = 50;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    if (value !== undefined && value !== null) { el.textContent = String(value); }
    if (cls) { el.className = cls; }
    return el;
  }

  function toMs(value, format) {
    if (typeof value === "number" && isFinite(value)) {
      if (format === "epoch-s" || (format !== "epoch-ms" && Math.abs(value) < 1e11)) { return value * 1000; }
      return value;
    }
    if (typeof value === "string" && value.trim() !== "") {
      if (/^-?\d{1,19}$/.test(value.trim())) { return toMs(Number(value), format); }
      var parsed = Date.parse(value);
      return isNaN(parsed) ? null : parsed;
    }
    return null;
  }

  function humanSize(n, lang) {
    var units = ["B", "kB", "MB", "GB", "TB"], i = 0;
    while (Math.abs(n) >= 1000 && i < units.length - 1) { n = n / 1000; i += 1; }
    var shown = i === 0 ? Math.round(n) : Math.round(n * 10) / 10;
    return shown.toLocaleString(lang) + "\u00a0" + units[i];
  }

  function isHttp(value) {
    return typeof value === "string" && value.length <= 2048 && /^https?:\/\/[^\/?#\s]+/i.test(value) &&
      !/[\u0000-\u0020\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/.test(value);
  }

  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  function renderValue(td, value, column, lang) {
    if (value === null || value === undefined) { td.appendChild(text("span", "\u2014", "muted")); return; }
    if (typeof value === "object") {
      var details = text("details", null, "nested");
      details.appendChild(text("summary", clip(JSON.stringify(value), 120)));
      details.appendChild(text("pre", JSON.stringify(value, null, 2)));
      td.appendChild(details);
      return;
    }
    if (column.type === "timestamp") {
      var ms = toMs(value, column.format);
      if (ms !== null && !isNaN(new Date(ms).getTime())) {
        var time = text("time", new Date(ms).toLocaleString(lang, { dateStyle: "medium", timeStyle: "medium" }));
        time.title = String(value);
        td.appendChild(time);
        return;
      }
    }
    if (column.type === "size" && typeof value === "number") {
      var size = text("span", humanSize(value, lang));
      size.title = String(value);
      td.appendChild(size);
      return;
    }
    if (isHttp(value)) {
      var a = text("a", clip(String(value), 120), "ext");
      a.href = value;
      a.rel = "noreferrer noopener";
      td.appendChild(a);
      return;
    }
    td.textContent = clip(String(value), 120);
  }

  function valuesText(value, out) {
    if (typeof value === "string") { out.push(value.toLowerCase()); }
    else if (typeof value === "number" || typeof value === "boolean") { out.push(String(value)); }
    else if (value && typeof value === "object") {
      Object.keys(value).forEach(function (k) { valuesText(value[k], out); });
    }
    return out;
  }

  function TableView(table) {
    this.table = table;
    this.slug = table.getAttribute("data-ev-table");
    this.bundle = Number(table.getAttribute("data-ev-bundle") || "0");
    this.lang = table.getAttribute("data-ev-lang") || "en";
    this.prefix = table.getAttribute("data-ev-data");
    this.chunks = Number(table.getAttribute("data-ev-chunks") || "0");
    this.tbody = table.tBodies[0];
    this.original = Array.prototype.slice.call(this.tbody.rows);
    this.columns = Array.prototype.map.call(table.querySelectorAll("thead th[data-ev-key]"), function (th) {
      return { key: th.getAttribute("data-ev-key"), type: th.getAttribute("data-ev-type"),
               format: th.getAttribute("data-ev-format"), th: th };
    });
    this.status = document.querySelector("[data-ev-status]");
    this.more = document.querySelector("[data-ev-more]");
    this.records = null;
    this.loading = null;
    this.shown = [];
    this.sort = null;
  }

  TableView.prototype.label = function (name) { return this.table.getAttribute("data-ev-label-" + name) || ""; };

  TableView.prototype.load = function (done) {
    var self = this;
    if (self.records) { done(); return; }
    if (self.loading) { self.loading.push(done); return; }
    self.loading = [done];
    self.status.textContent = self.label("loading");
    var pending = self.chunks;
    function finished() {
      var parts = (window.EV_DATA || []).filter(function (d) { return d.table === self.slug; });
      parts.sort(function (a, b) { return a.chunk - b.chunk; });
      self.records = [];
      parts.forEach(function (p) {
        p.records.forEach(function (r) {
          self.records.push({ seq: r[0], data: r[1], text: valuesText(r[1], []).join("\n") });
        });
      });
      self.status.textContent = "";
      var waiting = self.loading; self.loading = null;
      waiting.forEach(function (fn) { fn(); });
    }
    if (pending === 0) { finished(); return; }
    for (var i = 0; i < self.chunks; i += 1) {
      var script = document.createElement("script");
      script.src = self.prefix + i + ".js";
      script.onload = script.onerror = function () { pending -= 1; if (pending === 0) { finished(); } };
      document.head.appendChild(script);
    }
  };

  TableView.prototype.href = function (seq) {
    return this.bundle ? "records/p" + (Math.floor(seq / this.bundle) + 1) + ".html#r" + seq : "records/" + seq + ".html";
  };

  TableView.prototype.row = function (record) {
    var self = this;
    var tr = document.createElement("tr");
    var th = document.createElement("th");
    th.scope = "row";
    var a = text("a", record.seq);
    a.href = self.href(record.seq);
    a.setAttribute("aria-label", self.label("record") + " " + record.seq);
    th.appendChild(a);
    tr.appendChild(th);
    self.columns.forEach(function (column) {
      var td = document.createElement("td");
      td.hidden = column.th.hidden;
      var data = record.data;
      renderValue(td, data && typeof data === "object" ? data[column.key] : undefined, column, self.lang);
      tr.appendChild(td);
    });
    return tr;
  };

  TableView.prototype.show = function (records) {
    var self = this;
    self.shown = records;
    self.tbody.textContent = "";
    self.appendMore(PAGE);
    self.status.textContent = self.label("found").replace("{n}", records.length.toLocaleString(self.lang));
  };

  TableView.prototype.appendMore = function (n) {
    var self = this;
    var start = self.tbody.rows.length;
    self.shown.slice(start, start + n).forEach(function (r) { self.tbody.appendChild(self.row(r)); });
    self.more.textContent = "";
    if (self.tbody.rows.length < self.shown.length) {
      var button = text("button", self.label("more"));
      button.type = "button";
      button.addEventListener("click", function () { self.appendMore(PAGE * 4); });
      self.more.appendChild(button);
    }
  };

  TableView.prototype.restore = function () {
    var self = this;
    self.tbody.textContent = "";
    self.original.forEach(function (tr) { self.tbody.appendChild(tr); });
    self.more.textContent = "";
    self.status.textContent = "";
  };

  TableView.prototype.current = function () {
    var self = this;
    var words = (self.query || "").toLowerCase().split(/\s+/).filter(Boolean);
    var found = self.records.filter(function (r) {
      return words.every(function (w) { return r.text.indexOf(w) !== -1; });
    });
    if (self.sort) {
      var column = self.columns[self.sort.index], dir = self.sort.desc ? -1 : 1;
      var key = function (r) {
        var v = r.data ? r.data[column.key] : undefined;
        if (column.type === "timestamp") { var ms = toMs(v, column.format); return ms === null ? undefined : ms; }
        return v === null ? undefined : (typeof v === "object" ? JSON.stringify(v) : v);
      };
      found = found.slice().sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === undefined || y === undefined) { return x === y ? a.seq - b.seq : (x === undefined ? 1 : -1); }
        if (typeof x === "number" && typeof y === "number") { return (x - y) * dir || a.seq - b.seq; }
        return String(x).localeCompare(String(y), self.lang) * dir || a.seq - b.seq;
      });
    }
    return found;
  };

  TableView.prototype.update = function () {
    var self = this;
    if (!self.query && !self.sort) { self.restore(); return; }
    self.load(function () { self.show(self.current()); });
  };

  TableView.prototype.bind = function () {
    var self = this;
    var input = document.querySelector("[data-ev-search]");
    var timer = null;
    if (input) {
      input.disabled = false;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { self.query = input.value.trim(); self.update(); }, 200);
      });
    }
    Array.prototype.forEach.call(self.table.querySelectorAll("button[data-ev-sort]"), function (button) {
      button.disabled = false;
      button.addEventListener("click", function () {
        var index = Number(button.getAttribute("data-ev-sort"));
        var desc = self.sort && self.sort.index === index ? !self.sort.desc : false;
        self.sort = { index: index, desc: desc };
        self.columns.forEach(function (c) { c.th.querySelector("button").removeAttribute("aria-sort"); c.th.removeAttribute("aria-sort"); });
        button.setAttribute("aria-sort", desc ? "descending" : "ascending");
        button.parentNode.setAttribute("aria-sort", desc ? "descending" : "ascending");
        self.update();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-ev-col]"), function (box) {
      box.addEventListener("change", function () {
        var index = Number(box.getAttribute("data-ev-col"));
        self.columns[index].th.hidden = !box.checked;
        Array.prototype.forEach.call(self.tbody.rows, function (tr) {
          var td = tr.cells[index + 1];
          if (td) { td.hidden = !box.checked; }
        });
      });
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.querySelector("table[data-ev-table]");
    if (table) { new TableView(table).bind(); }
  });
})();
