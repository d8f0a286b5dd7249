// govner's HTML pages: documents with highlighted entities, an index, filters, pages.
// Everything is in this file and the page itself: no network, works opened from disk.
// The state (page, labels, kinds, search, system, document) lives in location.hash, so
// every view has a link and the controls and the address are one code path.
(function () {
  "use strict";
  var CONFIG = JSON.parse(document.getElementById("govner-config").textContent);
  var PAGE_SIZE = CONFIG.page_size || 50;
  var LABELS = CONFIG.labels.map(function (l) { return l.name; });  // more are added from the documents
  var KINDS = CONFIG.kinds || [];
  var SYSTEMS = CONFIG.systems || [];
  var docs = null; // parsed lazily: a page of 10,000 documents parses once, renders 50 at a time

  function allDocs() {
    if (docs === null) {
      docs = [];
      var nodes = document.querySelectorAll("script[data-govner-doc]");
      for (var i = 0; i < nodes.length; i++) {
        var doc = JSON.parse(nodes[i].textContent);
        doc.id = doc.id === null || doc.id === undefined ? "" : String(doc.id);  // an unreadable line has no id
        docs.push(doc);
        var spans = doc.entities || [];
        Object.keys(doc.marks || {}).forEach(function (s) { spans = spans.concat(doc.marks[s]); });
        spans.forEach(function (m) {  // a label the page's legend does not know (another model's) still shows
          if (LABELS.indexOf(m.label) < 0) { LABELS.push(m.label); addLabelBox(m.label); }
        });
      }
    }
    return docs;
  }

  function addLabelBox(label) {
    var legend = document.querySelector(".legend");
    var box = el("input", {"type": "checkbox", "data-filter-label": label});
    box.checked = true;
    box.addEventListener("change", onLabelBox);
    var wrap = el("label");
    wrap.appendChild(box);
    wrap.appendChild(document.createTextNode(" "));
    wrap.appendChild(el("span", {"class": "key", "style": "background:#ddd"}, label));
    legend.appendChild(wrap);
  }

  function decode(text) {
    try { return decodeURIComponent(text); } catch (e) { return text; }  // a hand-edited address
  }

  function byAttribute(root, selector, name, value) {
    // the element whose attribute equals value, compared as strings: no selector is built from data
    var nodes = root.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) if (nodes[i].getAttribute(name) === value) return nodes[i];
    return null;
  }

  function readState() {
    var state = {page: 0, labels: LABELS.slice(), kinds: KINDS.slice(), q: "", system: SYSTEMS[0] || null,
                 doc: null, at: null};
    var hash = location.hash.replace(/^#/, "");
    hash.split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("=");
      var key = decode(eq < 0 ? part : part.slice(0, eq));
      var value = eq < 0 ? "" : decode(part.slice(eq + 1));
      if (key === "page") state.page = Math.max(0, parseInt(value, 10) - 1 || 0);
      else if (key === "labels") state.labels = value ? value.split(",") : [];
      else if (key === "kinds") state.kinds = value ? value.split(",") : [];
      else if (key === "q") state.q = value;
      else if (key === "system" && SYSTEMS.indexOf(value) >= 0) state.system = value;
      else if (key === "doc") state.doc = value;
      else if (key === "at") state.at = value;
    });
    return state;
  }

  function writeState(state) {
    var parts = [];
    if (state.system && state.system !== SYSTEMS[0]) parts.push("system=" + encodeURIComponent(state.system));
    if (state.labels.join(",") !== LABELS.join(",")) parts.push("labels=" + encodeURIComponent(state.labels.join(",")));
    if (KINDS.length && state.kinds.join(",") !== KINDS.join(",")) parts.push("kinds=" + encodeURIComponent(state.kinds.join(",")));
    if (state.q) parts.push("q=" + encodeURIComponent(state.q));
    if (state.page) parts.push("page=" + (state.page + 1));
    location.hash = parts.join("&");
  }

  function marksOf(doc, state) {
    // the spans shown for this document: its entities (predict) or one system's outcomes (evaluate)
    var spans = state.system ? (doc.marks && doc.marks[state.system]) || [] : doc.entities || [];
    return spans.filter(function (m) {
      return state.labels.indexOf(m.label) >= 0 && (!KINDS.length || state.kinds.indexOf(m.kind) >= 0);
    });
  }

  function matches(doc, state) {
    if (state.q && doc.id.indexOf(state.q) < 0 && (doc.text || "").indexOf(state.q) < 0) return false;
    var filtered = state.labels.length !== LABELS.length || (KINDS.length && state.kinds.length !== KINDS.length);
    return !filtered || marksOf(doc, state).length > 0;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderText(doc, state) {
    var box = el("div", {"class": "text"});
    var text = doc.text || "";
    var marks = marksOf(doc, state).slice().sort(function (a, b) { return a.start - b.start; });
    // Offsets are code points; JavaScript strings count UTF-16 units: index through an array of code points.
    var chars = Array.from(text);
    var at = 0;
    marks.forEach(function (m) {
      if (m.start < at) return; // overlapping spans never come from govner; skip rather than garble
      if (m.start > at) box.appendChild(document.createTextNode(chars.slice(at, m.start).join("")));
      var title = m.label + (m.score !== undefined && m.score !== null ? " " + Number(m.score).toFixed(3) : "");
      if (m.kind) title += " · " + m.kind + (m.gold ? " (gold: " + m.gold.label + " " + m.gold.text + ")" : "");
      var attrs = {"class": "ent", "data-label": m.label, "title": title, "data-at": m.at || ("" + m.start + "-" + m.end),
                   "style": "background:" + (CONFIG.colors[m.label] || "#ddd")};
      if (m.kind) attrs["data-kind"] = m.kind;
      if (m.score !== undefined && m.score !== null) attrs["data-score"] = m.score;
      box.appendChild(el("mark", attrs, chars.slice(m.start, m.end).join("")));
      at = m.end;
    });
    if (at < chars.length) box.appendChild(document.createTextNode(chars.slice(at).join("")));
    return box;
  }

  function counts(doc, state) {
    var c = {};
    marksOf(doc, state).forEach(function (m) { c[m.label] = (c[m.label] || 0) + 1; });
    return c;
  }

  function render() {
    var state = readState();
    var shown = allDocs().filter(function (d) { return matches(d, state); });
    if (state.doc !== null) {
      var index = shown.findIndex(function (d) { return d.id === state.doc; });
      if (index >= 0) state.page = Math.floor(index / PAGE_SIZE);
    }
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    var page = shown.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    syncControls(state);
    document.getElementById("summary").textContent = shown.length + " of " + allDocs().length +
      " document(s); page " + (state.page + 1) + " of " + pages;

    var table = document.getElementById("index");
    table.textContent = "";
    var head = el("tr");
    head.appendChild(el("th", {"class": "id"}, "document"));
    head.appendChild(el("th", {}, "characters"));
    LABELS.forEach(function (l) { head.appendChild(el("th", {}, l)); });
    table.appendChild(head);
    page.forEach(function (d) {
      var row = el("tr", d.error ? {"class": "failed"} : {});
      var cell = el("td", {"class": "id"});
      var link = el("a", {"href": "#"}, d.id);
      link.addEventListener("click", function (e) { e.preventDefault(); focusDoc(d.id); });
      cell.appendChild(link);
      row.appendChild(cell);
      row.appendChild(el("td", {}, d.error ? "error" : String(Array.from(d.text || "").length)));
      var c = counts(d, state);
      LABELS.forEach(function (l) { row.appendChild(el("td", {}, String(c[l] || 0))); });
      table.appendChild(row);
    });

    var box = document.getElementById("documents");
    box.textContent = "";
    page.forEach(function (d) {
      var section = el("section", {"class": "doc", "data-doc": d.id});
      section.appendChild(el("h3", {}, d.id + (d.source && d.source !== d.id ? "  (" + d.source + ")" : "")));
      if (d.error) section.appendChild(el("div", {"class": "error"}, d.error));
      else section.appendChild(renderText(d, state));
      box.appendChild(section);
    });
    var pager = document.getElementById("pager");
    pager.textContent = "";
    [["« previous", state.page - 1], ["next »", state.page + 1]].forEach(function (b) {
      var button = el("button", b[1] < 0 || b[1] >= pages ? {"disabled": "disabled"} : {}, b[0]);
      button.addEventListener("click", function () { state.page = b[1]; state.doc = null; writeState(state); });
      pager.appendChild(button);
    });
    if (state.doc !== null) {
      var target = byAttribute(box, "section[data-doc]", "data-doc", state.doc);
      var mark = target && state.at ? byAttribute(target, "mark[data-at]", "data-at", state.at) : null;
      if (mark) mark.classList.add("focus");
      if (mark || target) (mark || target).scrollIntoView({block: "center"});
    }
  }

  function focusDoc(id) {
    var state = readState();
    var parts = [];
    if (state.system && state.system !== SYSTEMS[0]) parts.push("system=" + encodeURIComponent(state.system));
    parts.push("doc=" + encodeURIComponent(id));
    location.hash = parts.join("&");
  }

  function syncControls(state) {
    document.querySelectorAll("input[data-filter-label]").forEach(function (box) {
      box.checked = state.labels.indexOf(box.getAttribute("data-filter-label")) >= 0;
    });
    document.querySelectorAll("input[data-filter-kind]").forEach(function (box) {
      box.checked = state.kinds.indexOf(box.getAttribute("data-filter-kind")) >= 0;
    });
    var search = document.getElementById("search");
    if (search && document.activeElement !== search) search.value = state.q;
    var system = document.getElementById("system");
    if (system) system.value = state.system;
  }

  function onLabelBox() {
    var s = readState();
    s.labels = LABELS.filter(function (l) {
      var input = byAttribute(document, "input[data-filter-label]", "data-filter-label", l);
      return input && input.checked;
    });
    s.page = 0; s.doc = null; writeState(s);
  }

  function setup() {
    allDocs();  // first: it may add labels to the legend that the state below must know
    var state = readState();
    document.querySelectorAll("input[data-filter-label]").forEach(function (box) {
      box.addEventListener("change", onLabelBox);
    });
    document.querySelectorAll("input[data-filter-kind]").forEach(function (box) {
      box.addEventListener("change", function () {
        var s = readState();
        s.kinds = KINDS.filter(function (k) {
          var input = byAttribute(document, "input[data-filter-kind]", "data-filter-kind", k);
          return input && input.checked;
        });
        s.page = 0; s.doc = null; writeState(s);
      });
    });
    var search = document.getElementById("search");
    search.addEventListener("input", function () {
      var s = readState(); s.q = search.value; s.page = 0; s.doc = null; writeState(s);
    });
    var system = document.getElementById("system");
    if (system) system.addEventListener("change", function () {
      var s = readState(); s.system = system.value; s.page = 0; s.doc = null; writeState(s);
    });
    window.addEventListener("hashchange", render);
    render(state);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
