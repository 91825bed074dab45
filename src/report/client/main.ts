/// <reference lib="dom" />
/**
 * The report's in-page script, bundled into `../client_bundle.ts` by
 * `deno task bundle:client` and inlined after Chart.js. It reads the chart specs from
 * `<script id="report-data" type="application/json">`, draws them with Chart.js, exposes
 * the charts as `window.__charts` (id → Chart), and makes tables with `class="sortable"`
 * sortable by clicking a header.
 *
 * It never writes strings from the data into HTML: chart text goes to canvas, and
 * sorting moves existing rows. Numbers are formatted by the same code as the report's
 * text (`../format.ts`).
 *
 * @module
 */

import type { Chart as ChartJs } from "chart.js";
import type { AxisFormat, AxisSpec, ChartSpec, DatasetSpec } from "../charts.ts";
import { fmtBytes, fmtInt, fmtMs, fmtNum, fmtRatio } from "../format.ts";

/** The Chart.js UMD global, inlined before this script. */
declare const Chart: typeof ChartJs;

/** What the page embeds as `#report-data`. */
interface ReportData {
  charts?: ChartSpec[];
}

/** A loose Chart.js options object (this script builds them from plain specs). */
type Options = Record<string, unknown>;
type Format = (v: number) => string;

/** Tick and tooltip formatters per {@linkcode AxisFormat}. */
export const FORMATS: Record<AxisFormat, Format> = {
  int: fmtInt,
  ms: fmtMs,
  s: (v) => `${fmtNum(v)} s`,
  ratio: fmtRatio,
  plain: (v) => fmtNum(v),
  bytes: fmtBytes,
};

function fmt(axis: AxisSpec): Format {
  return FORMATS[axis.format ?? "plain"] ?? FORMATS.plain;
}

/** The label of an x value: a category's name, else the formatted number. */
function xLabel(axis: AxisSpec, x: unknown): string {
  if (axis.labels) return typeof x === "number" ? axis.labels[x] ?? String(x) : String(x);
  return fmt(axis)(Number(x));
}

/**
 * Log axes: label only 1-2-5 steps (bytes: powers of 1024 fall between, so 1-3-10), to
 * keep tick labels readable.
 */
function logTick(axis: AxisSpec): (value: unknown) => string {
  const f = fmt(axis);
  return (value) => {
    const v = Number(value);
    if (!(v > 0)) return "";
    const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    const r = Math.round(m * 100) / 100;
    const keep = axis.format === "bytes" ? r === 1 || r === 3 : r === 1 || r === 2 || r === 5;
    return keep ? f(v) : "";
  };
}

interface Scale {
  min: number;
  max: number;
  ticks: { value: number }[];
}

function scale(axis: AxisSpec): Options {
  const ticks: Options = {};
  const s: Options = {
    title: { display: true, text: axis.title, font: { size: 13, weight: "600" } },
    grid: { color: "rgba(0,0,0,0.07)" },
    ticks,
  };
  if (axis.labels) {
    s.type = "category";
    s.labels = axis.labels;
    return s;
  }
  if (axis.log) {
    s.type = "logarithmic";
    ticks.callback = logTick(axis);
    ticks.autoSkip = false;
    ticks.maxRotation = 0;
    if (axis.format === "bytes") {
      // Powers of two (1, 4, 16, 64 … KiB/MiB/GiB) read better than decimal steps.
      s.afterBuildTicks = (sc: Scale) => {
        const lo = Math.ceil(Math.log2(sc.min)), hi = Math.floor(Math.log2(sc.max));
        let step = 2;
        while ((hi - lo) / step > 10) step += 2;
        const out: { value: number }[] = [];
        for (let e = lo; e <= hi; e++) if (e % step === 0) out.push({ value: 2 ** e });
        sc.ticks = out;
      };
      ticks.callback = (v: unknown) => fmtBytes(Number(v));
    }
  } else {
    s.type = "linear";
    const f = fmt(axis);
    ticks.callback = (v: unknown) => f(Number(v));
    if (axis.format === "int") ticks.precision = 0;
  }
  if (axis.ticks) {
    // Exactly these ticks (within the axis range), each labelled.
    const wanted = axis.ticks;
    s.afterBuildTicks = (sc: Scale) => {
      sc.ticks = wanted.filter((v) => v >= sc.min && v <= sc.max).map((v) => ({ value: v }));
    };
    const f = fmt(axis);
    ticks.callback = (v: unknown) => f(Number(v));
  }
  if (axis.min !== undefined) s.min = axis.min;
  if (axis.max !== undefined) s.max = axis.max;
  return s;
}

/** `#rrggbb` with an alpha, as `rgba(…)`. */
export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16 & 255},${n >> 8 & 255},${n & 255},${a})`;
}

/**
 * The points of a dataset for Chart.js: on a category x-axis a numeric x is the index of
 * its label, and becomes the label (Chart.js would place it at the point's own index).
 */
function points(d: DatasetSpec, x?: AxisSpec): DatasetSpec["data"] {
  const labels = x?.labels;
  if (!labels) return d.data;
  return d.data.map((p) =>
    typeof p.x === "number" ? { ...p, x: labels[p.x] ?? p.x } as unknown as typeof p : p
  );
}

/** The Chart.js dataset of a spec, styled by its role (`x`: the chart's x-axis). */
export function dataset(d: DatasetSpec, x?: AxisSpec): Options {
  const base: Options = {
    label: d.label,
    data: points(d, x),
    role: d.role,
    borderColor: d.color,
    backgroundColor: d.color,
    borderDash: d.dash ?? [],
    pointStyle: d.pointStyle ?? "circle",
    borderWidth: 2,
    pointRadius: 3,
    pointHoverRadius: 5,
    fill: false,
    tension: 0,
    spanGaps: true,
  };
  const quiet = { borderWidth: 0, pointRadius: 0, pointHoverRadius: 0 };
  switch (d.role) {
    case "band-low":
      return { ...base, ...quiet, backgroundColor: "transparent" };
    case "band-high":
      return { ...base, ...quiet, fill: "-1", backgroundColor: alpha(d.color, 0.16) };
    case "paper":
      return { ...base, borderWidth: 1.5, pointRadius: 4, backgroundColor: "#ffffff" };
    case "rss":
    case "device":
      return { ...base, borderWidth: 1.5, pointRadius: 2 };
    case "budget":
    case "parity":
      return { ...base, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 0, pointStyle: "line" };
    case "oom":
      return { ...base, showLine: false, pointRadius: 9, pointHoverRadius: 11, borderWidth: 3 };
    case "step":
      return { ...base, showLine: false, pointRadius: 8, pointHoverRadius: 10, borderWidth: 2 };
    case "timeline":
      return {
        ...base,
        backgroundColor: alpha(d.color, 0.75),
        borderWidth: 1,
        grouped: false,
        barPercentage: 0.7,
        categoryPercentage: 1,
        borderSkipped: false,
      };
    default:
      return base;
  }
}

function isBand(ds: { role?: string }): boolean {
  return ds.role === "band-low" || ds.role === "band-high";
}

interface TooltipItem {
  raw: { x: unknown; y: unknown };
  dataset: { label: string; role?: string };
}

/** The Chart.js configuration of a chart spec. */
export function chartConfig(spec: ChartSpec): Options {
  const horizontal = spec.indexAxis === "y";
  const valueAxis = horizontal ? spec.x : spec.y;
  return {
    type: spec.type,
    data: { datasets: spec.datasets.map((d) => dataset(d, spec.x)) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.indexAxis ?? "x",
      interaction: { mode: "nearest", intersect: spec.type === "bar" },
      scales: { x: scale(spec.x), y: scale(spec.y) },
      plugins: {
        legend: {
          position: "bottom",
          labels: {
            usePointStyle: true,
            boxWidth: 10,
            padding: 12,
            filter: (item: { datasetIndex: number }, data: { datasets: { role?: string }[] }) =>
              !isBand(data.datasets[item.datasetIndex]),
          },
        },
        tooltip: {
          filter: (item: TooltipItem) => !isBand(item.dataset),
          callbacks: {
            label: (ctx: TooltipItem) => {
              const raw = ctx.raw, f = fmt(valueAxis);
              if (horizontal && raw && Array.isArray(raw.x)) {
                return `${ctx.dataset.label}: ${f(raw.x[0])} – ${f(raw.x[1])}`;
              }
              const name = spec.x.name ?? "N";
              return `${ctx.dataset.label}: ${name} = ${xLabel(spec.x, raw.x)}, ${
                f(Number(raw.y))
              }`;
            },
          },
        },
      },
    },
  };
}

function draw(spec: ChartSpec, charts: Record<string, unknown>): void {
  const canvas = document.getElementById(`chart-${spec.id}`) as HTMLCanvasElement | null;
  if (!canvas) return;
  (canvas.parentNode as HTMLElement).style.height = `${spec.height ?? 380}px`;
  // deno-lint-ignore no-explicit-any
  charts[spec.id] = new Chart(canvas, chartConfig(spec) as any);
}

/** The sort key of a cell: its `data-v` (else its text), as a number where it is one. */
function cellKey(row: HTMLTableRowElement, col: number): number | string {
  const cell = row.cells[col];
  const v = cell ? cell.getAttribute("data-v") ?? cell.textContent ?? "" : "";
  const n = Number(v);
  return v !== "" && Number.isFinite(n) ? n : v;
}

/** Numbers first (ascending), then text. */
export function compareKeys(x: number | string, y: number | string): number {
  if (typeof x === "number" && typeof y === "number") return x - y;
  if (typeof x === "number") return -1;
  if (typeof y === "number") return 1;
  return x.localeCompare(y);
}

function sortable(table: HTMLTableElement): void {
  const heads = Array.from(table.querySelectorAll<HTMLElement>("thead th"));
  heads.forEach((th, col) => {
    th.tabIndex = 0;
    th.title = "sort";
    const sort = () => {
      const asc = th.getAttribute("aria-sort") !== "ascending";
      for (const h of heads) h.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => (asc ? 1 : -1) * compareKeys(cellKey(a, col), cellKey(b, col)));
      for (const r of rows) body.appendChild(r);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => {
      if (e.key === "Enter") sort();
    });
  });
}

function main(): void {
  const el = document.getElementById("report-data");
  const data: ReportData = el ? JSON.parse(el.textContent ?? "{}") : {};
  const charts: Record<string, unknown> = {};
  (window as unknown as { __charts: typeof charts }).__charts = charts;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#333";
  for (const spec of data.charts ?? []) draw(spec, charts);
  for (const t of Array.from(document.querySelectorAll<HTMLTableElement>("table.sortable"))) {
    sortable(t);
  }
}

if (typeof document !== "undefined") main();
