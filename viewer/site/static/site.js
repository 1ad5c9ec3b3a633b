/* Export Viewer: search, sort, paging and column chooser on table pages, and the record pages of the
   static site, drawn from the tables' data files (loaded with <script>, so this works from file://).
   Values are only ever put into the page as text (textContent), never as HTML; only http(s) URLs
   become links. */
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

  function clip(s, n) { return n && s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  function dig(data, path) {
    var value = data;
    for (var i = 0; i < path.length; i += 1) {
      if (!value || typeof value !== "object" || Array.isArray(value)) { return undefined; }
      value = value[path[i]];
    }
    return value;
  }

  /* Data files: each pushes {table, chunk, files, records: [[seq, data, file, index], ...]}. */
  var scripts = {};

  function chunkData(slug, chunk) {
    var all = window.EV_DATA || [];
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].table === slug && all[i].chunk === chunk) { return all[i]; }
    }
    return null;
  }

  function loadChunks(prefix, slug, chunks, done) {
    var pending = 0;
    function one() { pending -= 1; if (pending === 0) { done(); } }
    chunks.forEach(function (chunk) {
      if (chunkData(slug, chunk)) { return; }
      var src = prefix + chunk + ".js";
      pending += 1;
      if (scripts[src]) { scripts[src].push(one); return; }
      scripts[src] = [one];
      var script = document.createElement("script");
      script.src = src;
      script.onload = script.onerror = function () {
        var waiting = scripts[src]; scripts[src] = [];
        waiting.forEach(function (fn) { fn(); });
      };
      document.head.appendChild(script);
    });
    if (pending === 0) { done(); }
  }

  function keepHashOnLanguageLinks() {
    Array.prototype.forEach.call(document.querySelectorAll("nav.langs a[hreflang]"), function (a) {
      a.href = a.href.split("#")[0] + location.hash;
    });
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function renderValue(td, value, column, lang, limit) {
    if (limit === undefined) { limit = 120; }
    if (value === null || value === undefined) { td.appendChild(text("span", "\u2014", "muted")); return; }
    if (typeof value === "boolean") {
      var yes = document.body.getAttribute(value ? "data-ev-yes" : "data-ev-no");
      var shown = text("span", yes || String(value));
      shown.title = String(value);
      td.appendChild(shown);
      return;
    }
    if (typeof value === "object") {
      var details = text("details", null, "nested");
      details.appendChild(text("summary", clip(JSON.stringify(value), 120)));
      details.open = !limit;
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
      var a = text("a", clip(String(value), limit), "ext");
      a.href = value;
      a.rel = "noreferrer noopener";
      td.appendChild(a);
      return;
    }
    td.textContent = clip(String(value), limit);
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
      var key = th.getAttribute("data-ev-key");
      var path = null;
      try { path = JSON.parse(th.getAttribute("data-ev-path") || "null"); } catch (e) { path = null; }
      return { key: key, path: Array.isArray(path) ? path : [key], type: th.getAttribute("data-ev-type"),
               format: th.getAttribute("data-ev-format"), th: th };
    });
    this.isStatic = table.getAttribute("data-ev-static") === "1";
    this.total = Number(table.getAttribute("data-ev-records") || "0");
    this.pageSize = Number(table.getAttribute("data-ev-page-size") || String(PAGE));
    this.chunkSize = Number(table.getAttribute("data-ev-chunk-size") || "2000");
    this.pages = Math.max(1, Math.ceil(this.total / this.pageSize));
    this.page = 1;
    this.pager = document.querySelector("nav.pager");
    this.pageOf = document.querySelector("[data-ev-pageof]");
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
    var all = [];
    for (var i = 0; i < self.chunks; i += 1) { all.push(i); }
    loadChunks(self.prefix, self.slug, all, function () {
      self.records = [];
      all.forEach(function (n) {
        var part = chunkData(self.slug, n);
        (part ? part.records : []).forEach(function (r) {
          self.records.push({ seq: r[0], data: r[1], text: valuesText(r[1], []).join("\n") });
        });
      });
      self.status.textContent = "";
      var waiting = self.loading; self.loading = null;
      waiting.forEach(function (fn) { fn(); });
    });
  };

  TableView.prototype.href = function (seq) {
    if (this.isStatic) { return "record.html#r" + seq; }
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
      renderValue(td, dig(record.data, column.path), column, self.lang);
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
    self.more.textContent = "";
    self.status.textContent = "";
    if (self.isStatic) { self.showPage(); return; }
    self.tbody.textContent = "";
    self.original.forEach(function (tr) { self.tbody.appendChild(tr); });
  };

  /* The static site's pages past the first: drawn from the data file that holds them. */
  TableView.prototype.hashPage = function () {
    var m = /^#page=(\d{1,9})$/.exec(location.hash);
    return m ? Number(m[1]) : 1;
  };

  TableView.prototype.showPage = function () {
    var self = this;
    var n = self.hashPage();
    keepHashOnLanguageLinks();
    if (self.query || self.sort) { return; }
    if (n < 1 || n > self.pages) { self.status.textContent = self.label("nopage"); return; }
    self.page = n;
    self.drawPager();
    if (n === 1) {
      self.tbody.textContent = "";
      self.original.forEach(function (tr) { self.tbody.appendChild(tr); });
      return;
    }
    var first = (n - 1) * self.pageSize, last = Math.min(first + self.pageSize, self.total);
    var chunks = [];
    for (var c = Math.floor(first / self.chunkSize); c <= Math.floor((last - 1) / self.chunkSize); c += 1) { chunks.push(c); }
    self.status.textContent = self.label("loading");
    loadChunks(self.prefix, self.slug, chunks, function () {
      if (self.page !== n || self.query || self.sort) { return; }
      self.status.textContent = "";
      self.tbody.textContent = "";
      chunks.forEach(function (c) {
        var part = chunkData(self.slug, c);
        (part ? part.records : []).forEach(function (r) {
          if (r[0] >= first && r[0] < last) { self.tbody.appendChild(self.row({ seq: r[0], data: r[1] })); }
        });
      });
    });
  };

  TableView.prototype.drawPager = function () {
    var self = this, n = self.page, pages = self.pages;
    var format = function (k) { return k.toLocaleString(self.lang); };
    if (self.pageOf) { self.pageOf.textContent = fill(self.label("pageof"), { n: format(n), m: format(pages) }); }
    var title = document.title.split(" \u00b7 ");
    title[0] = n > 1 ? fill(self.label("title"), { n: format(n) }) : self.table.getAttribute("data-ev-table-name") || title[0].replace(/ \(.*\)$/, "");
    document.title = title.join(" \u00b7 ");
    if (!self.pager) { return; }
    var link = function (k, label, rel) {
      var a = text("a", label);
      a.href = k === 1 ? "index.html" : "#page=" + k;
      if (rel) { a.rel = rel; }
      return a;
    };
    var numbers = [1, pages];
    for (var k = Math.max(1, n - 2); k <= Math.min(pages, n + 2); k += 1) { numbers.push(k); }
    numbers = numbers.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    self.pager.textContent = "";
    if (n > 1) { self.pager.appendChild(link(n - 1, self.label("prev"), "prev")); }
    var previous = 0;
    numbers.forEach(function (k) {
      if (previous && k - previous > 1) { self.pager.appendChild(text("span", "\u2026", "gap")); }
      if (k === n) {
        var current = text("span", format(k));
        current.setAttribute("aria-current", "page");
        self.pager.appendChild(current);
      } else {
        self.pager.appendChild(link(k, format(k)));
      }
      previous = k;
    });
    if (n < pages) { self.pager.appendChild(link(n + 1, self.label("next"), "next")); }
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
        self.columns.forEach(function (c) { c.th.removeAttribute("aria-sort"); });
        button.parentNode.setAttribute("aria-sort", desc ? "descending" : "ascending");
        self.update();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-ev-col]"), function (box) {
      box.addEventListener("change", function () {
        var index = Number(box.getAttribute("data-ev-col"));
        self.columns[index].th.hidden = !box.checked;
        var rows = Array.prototype.slice.call(self.tbody.rows).concat(self.original);
        rows.forEach(function (tr) {
          var td = tr.cells[index + 1];
          if (td) { td.hidden = !box.checked; }
        });
      });
    });
  };

  /* The static site's record page: the record named in the hash (#r12), from its data file. */
  function RecordView(el) {
    this.el = el;
    this.meta = JSON.parse(el.getAttribute("data-ev-record"));
    this.lang = document.documentElement.lang || "en";
    this.status = el.querySelector("[data-ev-record-status]");
    this.heading = document.querySelector("[data-ev-record-title]");
    this.suffix = document.title.split(" \u00b7 ").slice(1).join(" \u00b7 ");
  }

  RecordView.prototype.show = function () {
    var self = this, meta = self.meta, labels = meta.labels;
    var m = /^#r(\d{1,12})$/.exec(location.hash);
    var seq = m ? Number(m[1]) : 0;
    keepHashOnLanguageLinks();
    if (seq >= meta.records) {
      self.el.textContent = "";
      self.el.appendChild(text("p", fill(labels.missing, { n: seq }), "note"));
      return;
    }
    var chunk = Math.floor(seq / meta.chunk_size);
    loadChunks(meta.data, meta.table, [chunk], function () {
      var part = chunkData(meta.table, chunk);
      var found = part ? part.records.filter(function (r) { return r[0] === seq; })[0] : null;
      if (!found) { self.status.textContent = fill(labels.missing, { n: seq }); return; }
      self.draw(found, part.files || []);
    });
  };

  RecordView.prototype.rid = function (data) {
    var keys = this.meta.id_keys || [];
    for (var i = 0; i < keys.length; i += 1) {
      var v = data && typeof data === "object" ? data[keys[i]] : undefined;
      if (typeof v === "string" || typeof v === "number") { return String(v); }
    }
    return null;
  };

  RecordView.prototype.draw = function (r, files) {
    var self = this, meta = self.meta, labels = meta.labels;
    var seq = r[0], data = r[1];
    var title = fill(labels.title, { n: seq, table: meta.name });
    if (self.heading) { self.heading.textContent = title; }
    document.title = title + (self.suffix ? " \u00b7 " + self.suffix : "");
    var article = text("article", null, "record card");
    article.id = "r" + seq;
    var h2 = text("h2", fill(labels.record, { n: seq }));
    h2.id = "r" + seq + "-title";
    article.setAttribute("aria-labelledby", h2.id);
    var rid = self.rid(data);
    if (rid !== null) { h2.appendChild(document.createTextNode(" ")); h2.appendChild(text("span", "(" + labels.id + " " + rid + ")", "muted")); }
    article.appendChild(h2);
    article.appendChild(text("p", fill(labels.from, { file: files[r[2]] || "?", index: r[3] }), "provenance"));
    var table = text("table", null, "fields");
    var head = table.appendChild(document.createElement("thead")).appendChild(document.createElement("tr"));
    [labels.field, labels.type, labels.value].forEach(function (label) {
      var th = text("th", label); th.scope = "col"; head.appendChild(th);
    });
    var body = table.appendChild(document.createElement("tbody"));
    var keys = data && typeof data === "object" && !Array.isArray(data) ? Object.keys(data) : [];
    var fields = meta.fields || {};
    var documented = keys.filter(function (k) { return Object.prototype.hasOwnProperty.call(fields, k); });
    var other = keys.filter(function (k) { return !Object.prototype.hasOwnProperty.call(fields, k); });
    documented.concat(other).forEach(function (key) {
      var f = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : null;
      var tr = body.appendChild(document.createElement("tr"));
      var th = text("th", f ? f.label : key); th.scope = "row";
      if (f) { th.appendChild(document.createTextNode(" ")); th.appendChild(text("code", key, "key")); }
      tr.appendChild(th);
      var type = document.createElement("td");
      if (f) { type.textContent = f.type_label || f.type; } else { type.appendChild(text("span", labels.undocumented, "muted")); }
      tr.appendChild(type);
      var td = document.createElement("td");
      renderValue(td, data[key], f || {}, self.lang, 0);
      tr.appendChild(td);
    });
    article.appendChild(table);
    var raw = text("details", null, "raw");
    raw.appendChild(text("summary", labels.raw));
    raw.appendChild(text("pre", JSON.stringify(data, null, 2)));
    article.appendChild(raw);
    var nav = text("nav", null, "prevnext");
    nav.setAttribute("aria-label", fill(labels.neighbours, { n: seq }));
    var link = function (href, label, rel) { var a = text("a", label); a.href = href; if (rel) { a.rel = rel; } return a; };
    if (seq > 0) { nav.appendChild(link("#r" + (seq - 1), labels.prev, "prev")); }
    var page = Math.floor(seq / meta.page_size) + 1;
    nav.appendChild(link(page > 1 ? "index.html#page=" + page : "index.html", labels.back));
    if (seq + 1 < meta.records) { nav.appendChild(link("#r" + (seq + 1), labels.next, "next")); }
    article.appendChild(nav);
    self.el.textContent = "";
    self.el.appendChild(article);
  };

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.querySelector("table[data-ev-table]");
    if (table) {
      var view = new TableView(table);
      view.bind();
      if (view.isStatic) {
        window.addEventListener("hashchange", function () { view.showPage(); });
        if (view.hashPage() !== 1) { view.showPage(); }
      }
    }
    var record = document.querySelector("[data-ev-record]");
    if (record) {
      var rv = new RecordView(record);
      window.addEventListener("hashchange", function () { rv.show(); window.scrollTo(0, 0); });
      rv.show();
    }
  });
})();
