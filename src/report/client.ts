/**
 * The report's in-page script (plain ES2019, inlined after Chart.js): reads the chart
 * specs from `<script id="report-data" type="application/json">`, draws them with
 * Chart.js, exposes the charts as `window.__charts` (id → Chart), and makes tables
 * with `class="sortable"` sortable by clicking a header.
 *
 * It never writes strings from the data into HTML: chart text goes to canvas, and
 * sorting moves existing rows.
 *
 * @module
 */

/** The source of the in-page script. */
export const CLIENT_SCRIPT = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var charts = {};
  window.__charts = charts;

  function sig(v) {
    var a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    return String(Number(v.toPrecision(3)));
  }
  var FORMATS = {
    int: function (v) { return Math.round(v).toLocaleString("en-US"); },
    ms: function (v) { return v >= 10000 ? sig(v / 1000) + " s" : sig(v) + " ms"; },
    s: function (v) { return sig(v) + " s"; },
    ratio: function (v) { return "×" + sig(v); },
    plain: sig,
    bytes: function (v) {
      var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
      while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++; }
      return sig(v) + " " + u[i];
    }
  };
  function fmt(axis) { return FORMATS[axis.format || "plain"] || sig; }

  // Log axes: label only 1-2-5 steps (bytes: powers of 1024 fall between, so 1-3-10),
  // to keep tick labels readable.
  function logTick(axis) {
    var f = fmt(axis);
    return function (value) {
      var v = Number(value);
      if (!(v > 0)) return "";
      var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
      var r = Math.round(m * 100) / 100;
      var keep = axis.format === "bytes" ? (r === 1 || r === 3) : (r === 1 || r === 2 || r === 5);
      return keep ? f(v) : "";
    };
  }

  function scale(axis) {
    var s = {
      title: { display: true, text: axis.title, font: { size: 13, weight: "600" } },
      grid: { color: "rgba(0,0,0,0.07)" },
      ticks: {}
    };
    if (axis.labels) {
      s.type = "category";
      s.labels = axis.labels;
      return s;
    }
    if (axis.log) {
      s.type = "logarithmic";
      s.ticks.callback = logTick(axis);
      s.ticks.autoSkip = false;
      s.ticks.maxRotation = 0;
      if (axis.format === "bytes") {
        // Powers of two (1, 4, 16, 64 … KiB/MiB/GiB) read better than decimal steps.
        s.afterBuildTicks = function (sc) {
          var lo = Math.ceil(Math.log2(sc.min)), hi = Math.floor(Math.log2(sc.max));
          var step = 2;
          while ((hi - lo) / step > 10) step += 2;
          var ticks = [];
          for (var e = lo; e <= hi; e++) if (e % step === 0) ticks.push({ value: Math.pow(2, e) });
          sc.ticks = ticks;
        };
        s.ticks.callback = function (v) { return FORMATS.bytes(Number(v)); };
      }
    } else {
      s.type = "linear";
      var f = fmt(axis);
      s.ticks.callback = function (v) { return f(Number(v)); };
      if (axis.format === "int") s.ticks.precision = 0;
    }
    if (axis.ticks) {
      // Exactly these ticks (within the axis range), each labelled.
      s.afterBuildTicks = function (sc) {
        sc.ticks = axis.ticks.filter(function (v) { return v >= sc.min && v <= sc.max; })
          .map(function (v) { return { value: v }; });
      };
      var tf = fmt(axis);
      s.ticks.callback = function (v) { return tf(Number(v)); };
    }
    if (axis.min !== undefined) s.min = axis.min;
    if (axis.max !== undefined) s.max = axis.max;
    return s;
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16 & 255) + "," + (n >> 8 & 255) + "," + (n & 255) + "," + a + ")";
  }

  function dataset(d) {
    var base = {
      label: d.label,
      data: d.data,
      role: d.role,
      borderColor: d.color,
      backgroundColor: d.color,
      borderDash: d.dash || [],
      pointStyle: d.pointStyle || "circle",
      borderWidth: 2,
      pointRadius: 3,
      pointHoverRadius: 5,
      fill: false,
      tension: 0,
      spanGaps: true
    };
    switch (d.role) {
      case "band-low":
        base.borderWidth = 0; base.pointRadius = 0; base.pointHoverRadius = 0;
        base.backgroundColor = "transparent";
        break;
      case "band-high":
        base.borderWidth = 0; base.pointRadius = 0; base.pointHoverRadius = 0;
        base.fill = "-1"; base.backgroundColor = alpha(d.color, 0.16);
        break;
      case "paper":
        base.borderWidth = 1.5; base.pointRadius = 4; base.backgroundColor = "#ffffff";
        break;
      case "rss": case "device":
        base.borderWidth = 1.5; base.pointRadius = 2;
        break;
      case "budget": case "parity":
        base.borderWidth = 1.5; base.pointRadius = 0; base.pointHoverRadius = 0;
        base.pointStyle = "line";
        break;
      case "oom":
        base.showLine = false; base.pointRadius = 9; base.pointHoverRadius = 11;
        base.borderWidth = 3;
        break;
      case "timeline":
        base.backgroundColor = alpha(d.color, 0.75);
        base.borderWidth = 1;
        base.grouped = false;
        base.barPercentage = 0.7;
        base.categoryPercentage = 1;
        base.borderSkipped = false;
        break;
    }
    return base;
  }

  function isBand(ds) { return ds.role === "band-low" || ds.role === "band-high"; }

  function draw(spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (!canvas) return;
    canvas.parentNode.style.height = (spec.height || 380) + "px";
    var horizontal = spec.indexAxis === "y";
    var valueAxis = horizontal ? spec.x : spec.y;
    var cfg = {
      type: spec.type,
      data: { datasets: spec.datasets.map(dataset) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.indexAxis || "x",
        interaction: { mode: "nearest", intersect: spec.type === "bar" },
        scales: { x: scale(spec.x), y: scale(spec.y) },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              usePointStyle: true,
              boxWidth: 10,
              padding: 12,
              filter: function (item, chartData) {
                return !isBand(chartData.datasets[item.datasetIndex]);
              }
            }
          },
          tooltip: {
            filter: function (item) { return !isBand(item.dataset); },
            callbacks: {
              label: function (ctx) {
                var raw = ctx.raw;
                var f = fmt(valueAxis);
                if (horizontal && raw && Array.isArray(raw.x)) {
                  return ctx.dataset.label + ": " + f(raw.x[0]) + " – " + f(raw.x[1]);
                }
                var x = spec.x.labels ? raw.x : fmt(spec.x)(raw.x);
                return ctx.dataset.label + ": " + (spec.x.name || "N") + " = " + x + ", " + f(raw.y);
              }
            }
          }
        }
      }
    };
    charts[spec.id] = new Chart(canvas, cfg);
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      th.title = "sort";
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          var v = cell ? (cell.getAttribute("data-v") !== null ? cell.getAttribute("data-v") : cell.textContent) : "";
          var n = Number(v);
          return v !== "" && isFinite(n) ? n : v;
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), r;
          if (typeof x === "number" && typeof y === "number") r = x - y;
          else if (typeof x === "number") r = -1;
          else if (typeof y === "number") r = 1;
          else r = String(x).localeCompare(String(y));
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#333";
  (data.charts || []).forEach(draw);
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
})();
`;
