/* vahti report: charts, filtering the changes, comparing any two versions.
   Every page works without this script; it only adds. Page text is set with textContent, never as HTML. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* ---- charts (Chart.js, shipped beside this file) ---- */
  var PALETTE = ["#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  function drawCharts() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    if (!canvases.length || typeof window.Chart === "undefined") return;
    canvases.forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var stacked = canvas.getAttribute("data-kind") === "stacked";
      var datasets = data.series.map(function (s, i) {
        var colour = stacked ? PALETTE[i % PALETTE.length] : (s.label === "overdue" ? "#d62728" : "#2ca02c");
        return { label: s.label, data: s.values, backgroundColor: colour + (stacked ? "99" : "cc"), borderColor: colour,
                 fill: stacked, pointRadius: data.labels.length > 40 ? 0 : 2, tension: 0.2, borderWidth: 1.5 };
      });
      /* one period only: an area needs two points, so draw that day twice */
      var labels = data.labels;
      if (stacked && labels.length === 1) {
        labels = [labels[0], labels[0]];
        datasets.forEach(function (d) { d.data = [d.data[0], d.data[0]]; });
      }
      new window.Chart(canvas, {
        type: stacked ? "line" : "bar",
        data: { labels: labels, datasets: datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   interaction: { mode: "index", intersect: false },
                   scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } },
                   plugins: { legend: { position: "bottom" } } }
      });
    });
  }

  /* ---- changes: filter by kind and measure over every event (data/events.js) ---- */
  function setUpFilters() {
    var form = document.querySelector("form[data-filters]");
    if (!form) return;
    var holder = document.querySelector("[data-events-src]");
    var list = document.getElementById("events");
    var original = list.cloneNode(true);
    var pager = document.querySelector("nav.pager");
    var root = holder.getAttribute("data-root");
    form.hidden = false;

    function render() {
      var kind = form.elements.kind.value, measure = form.elements.measure.value;
      if (!kind && !measure) {
        list.replaceWith(original.cloneNode(true));
        list = document.getElementById("events");
        if (pager) pager.hidden = false;
        form.elements.count.value = "";
        return;
      }
      var rows = (window.VAHTI_EVENTS || []).filter(function (r) {
        return (!kind || r[1] === kind) && (!measure || r[2] === measure);
      });
      var fresh = el("ol", { "class": "events", id: "events" });
      rows.slice(0, 2000).forEach(function (r) {
        var li = el("li", { "class": "ev kind-" + r[1].split(".")[0], "data-kind": r[1], "data-measure": r[2] });
        li.appendChild(el("time", { datetime: r[0] }, r[0].slice(0, 16).replace("T", " ")));
        li.appendChild(document.createTextNode(" "));
        if (r[6]) {
          var a = el("a", { href: root + r[6] }, r[3]);
          if (r[7]) a.setAttribute("lang", r[7]);
          li.appendChild(a);
          li.appendChild(document.createTextNode(": "));
        }
        var summary = el("span", { "class": "summary" }, r[4]);
        if (r[7]) summary.setAttribute("lang", r[7]);
        li.appendChild(summary);
        r[5].forEach(function (n) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", { "class": "flag" }, "(" + n + ")")); });
        li.appendChild(el("span", { "class": "kind" }, r[1]));
        fresh.appendChild(li);
      });
      list.replaceWith(fresh);
      list = fresh;
      if (pager) pager.hidden = true;
      form.elements.count.value = rows.length + " matching" + (rows.length > 2000 ? " (the newest 2000 shown)" : "");
    }

    function withData(then) {
      if (window.VAHTI_EVENTS) { then(); return; }
      var script = el("script", { src: holder.getAttribute("data-events-src") });
      script.onload = then;
      script.onerror = function () { form.elements.count.value = "the filter data could not be loaded"; };
      document.body.appendChild(script);
    }

    form.addEventListener("change", function () { withData(render); });
    form.addEventListener("reset", function () { setTimeout(render, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); withData(render); });
  }

  /* ---- compare any two versions (the rows come from versions.js, laid out by vahti) ---- */
  var TOKEN = /\s+|\S+/g;  /* words as vahti (and git --word-diff) see them */
  var MAX_TOKENS = 3000;

  function wordDiff(a, b) {
    var x = a.match(TOKEN) || [], y = b.match(TOKEN) || [];
    if (x.length > MAX_TOKENS || y.length > MAX_TOKENS) return [["del", a], ["ins", b]];
    var n = x.length, m = y.length, i, j;
    var lcs = new Array(n + 1);
    for (i = 0; i <= n; i++) lcs[i] = new Uint16Array(m + 1);
    for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--)
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    var out = [];
    function push(op, t) { if (out.length && out[out.length - 1][0] === op) out[out.length - 1][1] += t; else out.push([op, t]); }
    i = 0; j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) { push("same", x[i]); i++; j++; }
      else if (lcs[i + 1][j] >= lcs[i][j + 1]) { push("del", x[i]); i++; }
      else { push("ins", y[j]); j++; }
    }
    while (i < n) push("del", x[i++]);
    while (j < m) push("ins", y[j++]);
    return out;
  }

  function segments(parent, parts) {
    parts.forEach(function (p) {
      parent.appendChild(p[0] === "same" ? document.createTextNode(p[1]) : el(p[0], {}, p[1]));
    });
  }

  function compareVersions(a, b, target) {
    target.textContent = "";
    var hidden = {};
    a.layout.unobserved.concat(b.layout.unobserved).forEach(function (k) { hidden[k] = true; });
    target.appendChild(el("h2", {}, "Version " + a.number + " → " + b.number));
    var left = [], shown = 0;
    a.layout.fields.forEach(function (fa, i) {
      var fb = b.layout.fields[i];
      if (fa[2] === fb[2]) return;
      if (hidden[fa[0]]) { left.push(fa[0]); return; }
      shown++;
      var box = el("div", { "class": "field-diff" });
      box.appendChild(el("h3", {}, fa[1]));
      var p = el("p", { "class": "words" });
      segments(p, wordDiff(fa[2], fb[2]));
      box.appendChild(p);
      target.appendChild(box);
    });
    a.layout.tables.forEach(function (ta, i) {
      var tb = b.layout.tables[i], before = {}, after = {}, rows = [];
      ta.rows.forEach(function (r) { before[r[0]] = r[1]; });
      tb.rows.forEach(function (r) { after[r[0]] = r[1]; });
      tb.rows.forEach(function (r) {
        var was = before[r[0]];
        if (!was) rows.push(["added", null, r[1]]);
        else if (JSON.stringify(was) !== JSON.stringify(r[1])) rows.push(["changed", was, r[1]]);
      });
      ta.rows.forEach(function (r) { if (!(r[0] in after)) rows.push(["removed", r[1], null]); });
      if (!rows.length) return;
      if (hidden[ta.name]) { left.push(ta.name); return; }
      shown++;
      target.appendChild(el("h3", {}, tb.title));
      var scroll = el("div", { "class": "scroll" }), table = el("table", { "class": "row-diff" });
      var head = el("tr");
      head.appendChild(el("th", { scope: "col" }, "Change"));
      tb.columns.forEach(function (c) { head.appendChild(el("th", { scope: "col" }, c)); });
      table.appendChild(el("thead")).appendChild(head);
      var body = table.appendChild(el("tbody"));
      rows.forEach(function (r) {
        if (r[0] === "changed") {
          var one = el("tr", { "class": "row-before" }), two = el("tr", { "class": "row-after" });
          one.appendChild(el("th", { scope: "row", rowspan: "2" }, "changed"));
          r[1].forEach(function (c, k) {
            var diff = c !== r[2][k];
            one.appendChild(el("td", diff ? { "class": "changed" } : {})).appendChild(diff ? el("del", {}, c) : document.createTextNode(c));
            two.appendChild(el("td", diff ? { "class": "changed" } : {})).appendChild(diff ? el("ins", {}, r[2][k]) : document.createTextNode(r[2][k]));
          });
          body.appendChild(one); body.appendChild(two);
        } else {
          var tr = el("tr", { "class": "row-" + r[0] });
          tr.appendChild(el("th", { scope: "row" }, r[0] === "added" ? "+ added" : "− removed"));
          (r[1] || r[2]).forEach(function (c) { tr.appendChild(el("td")).appendChild(el(r[0] === "added" ? "ins" : "del", {}, c)); });
          body.appendChild(tr);
        }
      });
      scroll.appendChild(table);
      target.appendChild(scroll);
    });
    if (!shown) target.appendChild(el("p", {}, "The two records are the same in every field shown here."));
    if (left.length) target.appendChild(el("p", { "class": "note" }, "Left out because one of the two pages did not show them: " + left.join(", ") + "."));
  }

  function setUpCompare() {
    var measureForm = document.querySelector("form[data-compare]");
    if (measureForm) {
      measureForm.hidden = false;
      measureForm.addEventListener("submit", function (e) {
        e.preventDefault();
        var to = measureForm.elements.to.value, from = measureForm.elements.from.value;
        window.location.href = measureForm.getAttribute("action") + "#from=" + from + "&to=" + to;
      });
    }
    var form = document.querySelector("form[data-compare-page]");
    if (!form || !window.VAHTI_VERSIONS) return;
    var versions = window.VAHTI_VERSIONS.versions, target = document.getElementById("compare-result");
    function pick() {
      var q = {};
      window.location.hash.replace(/^#/, "").split("&").forEach(function (kv) { var p = kv.split("="); q[p[0]] = p[1]; });
      var last = versions.length;
      var to = Math.min(Math.max(parseInt(q.to, 10) || last, 1), last);
      var from = Math.min(Math.max(parseInt(q.from, 10) || to - 1, 1), last);
      form.elements.from.value = String(from);
      form.elements.to.value = String(to);
      compareVersions(versions[from - 1], versions[to - 1], target);
    }
    form.hidden = false;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      window.location.hash = "from=" + form.elements.from.value + "&to=" + form.elements.to.value;
    });
    window.addEventListener("hashchange", pick);
    pick();
  }

  function start() { drawCharts(); setUpFilters(); setUpCompare(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
