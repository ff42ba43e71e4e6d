/* sa-workbench: sortable and filterable tables, offline and progressive.
   Without script every table reads and prints as published. With it, each column
   header becomes a button that sorts the rows (numbers as numbers; "<10", "[c]" and
   "–" last), and a table of eight rows or more gets a filter box above it. */
(function () {
  "use strict";
  function value(text) {
    var t = text.trim().replace(/,/g, "").replace(/^\+/, "");
    if (/^-?\d+(\.\d+)?%?$/.test(t)) { return parseFloat(t); }
    var m = /^-?\d+(\.\d+)?/.exec(t);
    return m && /^-?\d+(\.\d+)?[ %(]/.test(t) ? parseFloat(m[0]) : null;
  }
  function compare(a, b, dir) {
    if (a.n !== null && b.n !== null) { return dir * (a.n - b.n) || a.i - b.i; }
    if (a.n !== null) { return -1; }
    if (b.n !== null) { return 1; }
    return dir * a.t.localeCompare(b.t) || a.i - b.i;
  }
  function sort(table, col, th) {
    var body = table.tBodies[0];
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var rows = Array.prototype.map.call(body.rows, function (r, i) {
      var cell = r.cells[col], t = cell ? cell.textContent : "";
      return { r: r, i: i, t: t, n: value(t) };
    });
    rows.sort(function (a, b) { return compare(a, b, dir); });
    rows.forEach(function (x) { body.appendChild(x.r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
  }
  function filter(table, box) {
    var q = box.value.trim().toLowerCase(), shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) { shown += 1; }
    });
    box.nextSibling.textContent = q ? " " + shown + " of " + table.tBodies[0].rows.length + " rows shown" : "";
  }
  function enhance(table, n) {
    var body = table.tBodies[0];
    if (!body || !table.tHead || body.rows.length < 3) { return; }
    var name = table.caption ? table.caption.textContent.trim() : "the table";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "sa-sort";
      b.textContent = th.textContent;
      b.title = "Sort by " + th.textContent.trim();
      th.textContent = "";
      th.appendChild(b);
      th.setAttribute("aria-sort", "none");
      b.addEventListener("click", function () { sort(table, col, th); });
    });
    if (body.rows.length < 8) { return; }
    var wrap = table.closest(".sa-table-wrap") || table;
    var p = document.createElement("p"), label = document.createElement("label");
    var box = document.createElement("input"), count = document.createElement("span");
    p.className = "sa-filter";
    box.type = "search";
    box.id = "sa-filter-" + n;
    label.htmlFor = box.id;
    label.textContent = "Filter the rows of " + name + ": ";
    count.setAttribute("aria-live", "polite");
    p.appendChild(label); p.appendChild(box); p.appendChild(count);
    wrap.parentNode.insertBefore(p, wrap);
    box.addEventListener("input", function () { filter(table, box); });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sa-table"), enhance);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
