// reports/detail/html_assets.hpp — the CSS and JavaScript inlined into the HTML report (no network fetches, ever).
#pragma once

#include <string_view>

namespace reports::html_assets {

// Origin colours are appended by html.cpp from origins.hpp, so the palette has one source.
inline constexpr std::string_view css = R"CSS(
:root{--bg:#f4f6f9;--card:#fff;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--accent:#1d4ed8;--bad:#b91c1c;
--bad-bg:#fef2f2;--good:#047857;--good-bg:#ecfdf5;--warn:#b45309;--radius:10px}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-variant-numeric:tabular-nums}
header.top{background:#0f172a;color:#e2e8f0;padding:28px 40px 24px}
header.top .brand{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#94a3b8}
header.top h1{margin:6px 0 6px;font-size:26px;font-weight:650;color:#fff;overflow-wrap:anywhere}
header.top .meta{font-size:13px;color:#cbd5e1;display:flex;flex-wrap:wrap;gap:4px 18px}
header.top .meta b{color:#fff;font-weight:600}
main{max-width:1320px;margin:0 auto;padding:24px 40px 48px}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:20px 22px;
box-shadow:0 1px 2px rgba(15,23,42,.04)}
h2{font-size:17px;margin:0 0 12px;font-weight:650}
.headline{display:flex;align-items:center;gap:24px;border-left:6px solid var(--bad);background:var(--card)}
.headline.clear{border-left-color:var(--good)}
.headline .big{font-size:54px;font-weight:750;line-height:1;color:var(--bad);min-width:90px;text-align:center}
.headline.clear .big{color:var(--good)}
.headline .what{font-size:20px;font-weight:650}
.headline p{margin:6px 0 0;color:var(--muted);max-width:860px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:14px;margin:18px 0}
.kpi{padding:14px 16px}
.kpi .v{font-size:26px;font-weight:700}
.kpi .l{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.kpi.bad .v{color:var(--bad)}
.kpi.warn .v{color:var(--warn)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:18px;margin-bottom:18px}
figure{margin:0}
figcaption{font-weight:650;font-size:15px;margin-bottom:10px}
figcaption small{font-weight:400;color:var(--muted);margin-left:6px}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#374151}
svg.chart .value{font-weight:600;fill:#111827}
svg.chart .axis{stroke:#d1d5db;stroke-width:1}
svg.chart .grid{stroke:#eef0f3;stroke-width:1}
.empty-chart{color:var(--muted);padding:28px 0;text-align:center}
.controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin-bottom:12px}
.controls input,.controls select{font:inherit;padding:7px 10px;border:1px solid #d1d5db;border-radius:7px;background:#fff}
.controls input{flex:1 1 280px;min-width:200px}
.controls .count{color:var(--muted);margin-left:auto}
.note{background:#fffbeb;border:1px solid #fde68a;border-radius:8px;padding:8px 12px;color:#92400e;margin:0 0 12px}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;min-width:1080px;font-size:13px}
thead th{position:sticky;top:0;background:#f9fafb;text-align:left;font-weight:600;color:#374151;padding:9px 12px;
border-bottom:1px solid var(--line);white-space:nowrap;cursor:pointer;user-select:none}
thead th:hover{background:#f1f5f9}
thead th[aria-sort=ascending]::after{content:" \25B2";font-size:10px;color:var(--accent)}
thead th[aria-sort=descending]::after{content:" \25BC";font-size:10px;color:var(--accent)}
tbody td{padding:8px 12px;border-bottom:1px solid #f1f3f6;vertical-align:top;overflow-wrap:break-word}
tbody tr:hover td{background:#f8fafc}
td .sub{display:block;color:var(--muted);font-size:12px}
/* A name with a right-to-left override must not reorder its neighbours' text. */
tbody td,td .sub,header.top h1{unicode-bidi:isolate}
td.none{text-align:center;color:var(--muted);padding:28px}
.badge{display:inline-block;padding:2px 9px;border-radius:999px;font-size:12px;font-weight:600;color:#fff;
background:#94a3b8;white-space:nowrap}
.outcome{display:inline-block;padding:1px 8px;border-radius:6px;font-size:12px;font-weight:600;white-space:nowrap;
border:1px solid var(--line);color:#374151;background:#f9fafb}
.outcome[data-outcome=removal_refused_403],.outcome[data-outcome=removal_refused_400]{color:var(--bad);
background:var(--bad-bg);border-color:#fecaca}
.outcome[data-outcome=removal_may_be_refused]{color:var(--warn);background:#fffbeb;border-color:#fde68a}
.outcome[data-outcome=unaffected]{color:var(--good);background:var(--good-bg);border-color:#a7f3d0}
button{font:inherit;margin-top:12px;padding:8px 16px;border-radius:7px;border:1px solid #d1d5db;background:#fff;cursor:pointer}
button:hover{background:#f1f5f9}
.guidance{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px;margin-top:18px}
.guidance .card{border-top:4px solid #94a3b8}
.guidance h3{margin:0 0 4px;font-size:15px}
.guidance .refusal{font-size:12px;color:var(--muted);margin-bottom:6px}
.guidance p{margin:0}
footer{color:var(--muted);font-size:12px;margin-top:28px;border-top:1px solid var(--line);padding-top:14px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef2f7;padding:1px 5px;border-radius:4px;
overflow-wrap:anywhere}
.section{margin-top:18px}
@media (max-width:720px){header.top,main{padding-left:16px;padding-right:16px}.charts{grid-template-columns:1fr}
.headline{flex-direction:column;align-items:flex-start}}
@media print{.controls,button{display:none}body{background:#fff}.card{box-shadow:none}}
)CSS";

// Renders the findings table from the JSON data block: filter, sort, page. Every value reaches the page through
// textContent or setAttribute, never innerHTML, so names stay text. Sets data-ready="1" on <body> when done
// (scripts/check_html.sh waits for it).
inline constexpr std::string_view js = R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var rows = data.rows;
  var F = data.fields;
  var labels = data.origin_labels;
  var outcomeLabels = {removal_refused_403: 'Refused (403)', removal_refused_400: 'Refused (400)',
                       removal_may_be_refused: 'May be refused', unaffected: 'Unaffected'};
  var tbody = document.querySelector('#findings-table tbody');
  var text = document.getElementById('filter-text');
  var originSel = document.getElementById('filter-origin');
  var outcomeSel = document.getElementById('filter-outcome');
  var countEl = document.getElementById('shown-count');
  var more = document.getElementById('show-more');
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: 'base'});
  var pageSize = 500, limit = pageSize, sortCol = null, sortDir = 1;
  var hay = rows.map(function (r) {
    return [r[F.upn], r[F.name], r[F.department], r[F.sku], r[F.product], r[F.origin], r[F.owners], r[F.outcome]]
      .join('\u0001').toLowerCase();
  });
  var view = [];

  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined && txt !== null) e.textContent = txt;
    return e;
  }
  function twoLine(main, sub) {
    var td = el('td');
    td.appendChild(document.createTextNode(main || '\u2014'));
    if (sub) td.appendChild(el('span', 'sub', sub));
    return td;
  }
  var renderers = {
    user: function (r) { return twoLine(r[F.name], r[F.upn]); },
    department: function (r) { return twoLine(r[F.department], ''); },
    sku: function (r) { return twoLine(r[F.sku], r[F.product]); },
    origin: function (r) {
      var td = el('td'), b = el('span', 'badge', labels[r[F.origin]] || r[F.origin]);
      b.setAttribute('data-origin', r[F.origin]);
      td.appendChild(b);
      return td;
    },
    outcome: function (r) {
      var td = el('td');
      if (r[F.outcome]) {
        var b = el('span', 'outcome', outcomeLabels[r[F.outcome]] || r[F.outcome]);
        b.setAttribute('data-outcome', r[F.outcome]);
        td.appendChild(b);
      }
      return td;
    },
    assignment: function (r) { return twoLine(r[F.assignment], ''); },
    owners: function (r) { return twoLine(r[F.owners].split(';').join(', '), ''); },
    enabled: function (r) {
      return twoLine(r[F.enabled] === 'true' ? 'yes' : r[F.enabled] === 'false' ? 'no' : '', '');
    },
    confidence: function (r) { return twoLine(r[F.confidence], ''); }
  };
  var sortKeys = {user: F.upn, department: F.department, sku: F.sku, origin: F.origin, outcome: F.outcome,
                  assignment: F.assignment, owners: F.owners, enabled: F.enabled, confidence: F.confidence};
  var columns = Array.prototype.map.call(document.querySelectorAll('#findings-table thead th'), function (th) {
    return th.getAttribute('data-col');
  });

  function apply() {
    var q = text.value.trim().toLowerCase(), o = originSel.value, u = outcomeSel ? outcomeSel.value : '';
    view = [];
    for (var i = 0; i < rows.length; i++) {
      if (o && rows[i][F.origin] !== o) continue;
      if (u && rows[i][F.outcome] !== u) continue;
      if (q && hay[i].indexOf(q) < 0) continue;
      view.push(i);
    }
    if (sortCol) {
      var k = sortKeys[sortCol];
      view.sort(function (a, b) { return sortDir * collator.compare(rows[a][k], rows[b][k]) || a - b; });
    }
    limit = pageSize;
    render();
  }

  function render() {
    tbody.textContent = '';
    var frag = document.createDocumentFragment();
    if (view.length === 0) {
      var tr = el('tr'), td = el('td', 'none', rows.length ? 'No findings match the filter.' :
        'No findings \u2014 provisioning will not be blocked.');
      td.colSpan = columns.length;
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    var n = Math.min(limit, view.length);
    for (var i = 0; i < n; i++) {
      var r = rows[view[i]], row = el('tr');
      for (var c = 0; c < columns.length; c++) row.appendChild(renderers[columns[c]](r));
      frag.appendChild(row);
    }
    tbody.appendChild(frag);
    countEl.textContent = n.toLocaleString() + ' of ' + view.length.toLocaleString() + ' shown';
    more.hidden = view.length <= limit;
  }

  document.querySelectorAll('#findings-table thead th').forEach(function (th) {
    th.addEventListener('click', function () {
      var col = th.getAttribute('data-col');
      sortDir = sortCol === col ? -sortDir : 1;
      sortCol = col;
      document.querySelectorAll('#findings-table thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      apply();
    });
  });
  text.addEventListener('input', apply);
  originSel.addEventListener('change', apply);
  if (outcomeSel) outcomeSel.addEventListener('change', apply);
  more.addEventListener('click', function () { limit += pageSize; render(); });
  apply();
  document.body.setAttribute('data-ready', '1');
})();
)JS";

}  // namespace reports::html_assets
