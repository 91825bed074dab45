/**
 * Chart specifications: plain JSON that the report embeds and its client script turns
 * into Chart.js charts (see `client.ts`). Building them here keeps every number
 * testable without a browser.
 *
 * @module
 */

import type { CaseResult, SweepResults } from "../results.ts";
import {
  type Analysis,
  budgetKey,
  type Comparison,
  type MemoryMetric,
  memoryOf,
  modelName,
  okPoints,
  type Series,
} from "./analysis.ts";
import { fmtBytes } from "./format.ts";
import { PAPER_FIG5, PAPER_LABEL } from "./paper.ts";

/** How an axis formats its ticks and tooltips. */
export type AxisFormat = "int" | "ms" | "bytes" | "ratio" | "s" | "plain";

/** One axis. `labels` makes it a category axis. */
export interface AxisSpec {
  title: string;
  /** Short name of the x value in tooltips (`N = 64`, `epoch = 12`). Default `N`. */
  name?: string;
  /** Tick values to label, instead of the automatic ones (e.g. the lengths run). */
  ticks?: number[];
  log?: boolean;
  format?: AxisFormat;
  min?: number;
  max?: number;
  labels?: string[];
}

/** What a dataset shows; the client styles it accordingly. */
export type DatasetRole =
  | "median"
  | "band-low"
  | "band-high"
  | "paper"
  | "budget"
  | "oom"
  | "peak"
  | "rss"
  | "device"
  | "ratio"
  | "parity"
  | "timeline"
  | "step";

/** An x/y point, or a floating bar `[from, to]` on a category. */
export type DatumSpec = { x: number; y: number } | { x: [number, number]; y: string };

/** One dataset. */
export interface DatasetSpec {
  label: string;
  role: DatasetRole;
  color: string;
  data: DatumSpec[];
  /** Line dash pattern, e.g. `[6, 4]`. */
  dash?: number[];
  /** Chart.js point style (`circle`, `triangle`, `crossRot`, …). */
  pointStyle?: string;
}

/** One chart. */
export interface ChartSpec {
  id: string;
  title: string;
  type: "line" | "bar";
  /** `y` for horizontal bars (the timeline). */
  indexAxis?: "x" | "y";
  x: AxisSpec;
  y: AxisSpec;
  datasets: DatasetSpec[];
  /** Canvas height in px. Default 380. */
  height?: number;
}

const COLORS: Record<string, string[]> = {
  "se3-hyena|forward": ["#1f6fb4", "#17becf", "#393b79"],
  "se3-hyena|backward": ["#6b9bd1", "#9edae5", "#6b6ecf"],
  "equivariant-transformer|forward": ["#e6550d", "#8c564b", "#bcbd22"],
  "equivariant-transformer|backward": ["#f4a259", "#c49c94", "#dbdb8d"],
  // The non-equivariant baselines (measured like the others since issue 6).
  "hyena|forward": ["#2ca02c", "#637939", "#8c6d31"],
  "hyena|backward": ["#98df8a", "#b5cf6b", "#bd9e39"],
  "transformer|forward": ["#9467bd", "#7b4173", "#ce6dbd"],
  "transformer|backward": ["#c5b0d5", "#a55194", "#de9ed6"],
};
const FALLBACK = ["#2ca02c", "#9467bd", "#e377c2", "#7f7f7f"];
/** Colour of the paper's overlays. */
export const PAPER_COLOR = "#8a8a8a";
/** Colour of memory budgets and OOM markers. */
export const ALERT_COLOR = "#c1121f";

/** A stable colour per series (by model and pass; variants cycle). */
export function seriesColors(series: readonly Series[]): Map<string, string> {
  const used = new Map<string, number>();
  const out = new Map<string, string>();
  for (const s of series) {
    const k = `${s.model}|${s.pass}`;
    const i = used.get(k) ?? 0;
    used.set(k, i + 1);
    const palette = COLORS[k] ?? FALLBACK;
    out.set(s.key, palette[i % palette.length]);
  }
  return out;
}

/**
 * An x axis that fits our lengths (a little room each side), so the paper's overlay, drawn
 * over the same axis, cannot stretch it: its points outside our range are clipped.
 */
export function fitLengths(xs: readonly number[]): { min?: number; max?: number } {
  const ok = xs.filter((x) => x > 0 && Number.isFinite(x));
  return ok.length ? { min: Math.min(...ok) / 1.2, max: Math.max(...ok) * 1.2 } : {};
}

const dashOf = (s: Series) => s.pass === "backward" ? [6, 4] : undefined;

/** Runtime vs N (log-log): a median line and a p10–p90 band per series, and the paper. */
export function runtimeChart(a: Analysis): ChartSpec {
  const colors = seriesColors(a.series);
  const datasets: DatasetSpec[] = [];
  const xs: number[] = [];
  for (const s of a.series) {
    const pts = okPoints(s);
    if (!pts.length) continue;
    xs.push(...pts.map((p) => p.seqLen));
    const color = colors.get(s.key)!;
    const band = pts.filter((p) => p.p10 !== null && p.p90 !== null);
    if (band.length) {
      datasets.push({
        label: `${s.label} p10`,
        role: "band-low",
        color,
        data: band.map((p) => ({ x: p.seqLen, y: p.p10! })),
      });
      datasets.push({
        label: `${s.label} p90`,
        role: "band-high",
        color,
        data: band.map((p) => ({ x: p.seqLen, y: p.p90! })),
      });
    }
    datasets.push({
      label: s.label,
      role: "median",
      color,
      dash: dashOf(s),
      data: pts.map((p) => ({ x: p.seqLen, y: p.median! })),
    });
  }
  datasets.push(
    {
      label: `${PAPER_LABEL}: SE(3)-Hyena · forward`,
      role: "paper",
      color: PAPER_COLOR,
      pointStyle: "triangle",
      data: PAPER_FIG5.map((r) => ({ x: r.seqLen, y: r.hyenaMs })),
    },
    {
      label: `${PAPER_LABEL}: equivariant transformer · forward`,
      role: "paper",
      color: PAPER_COLOR,
      pointStyle: "rectRot",
      dash: [2, 3],
      data: PAPER_FIG5.map((r) => ({ x: r.seqLen, y: r.transformerMs })),
    },
  );
  return {
    id: "runtime",
    title: "Runtime vs sequence length (median, p10–p90 band)",
    type: "line",
    x: {
      title: "sequence length N (tokens, log scale)",
      log: true,
      format: "int",
      ...fitLengths(xs),
    },
    y: { title: "time per pass (ms, log scale)", log: true, format: "ms" },
    datasets,
    height: 440,
  };
}

const METRIC_LABEL: Record<MemoryMetric, string> = {
  peakBytes: "framework peak",
  rssPeakBytes: "process RSS peak",
  deviceBytes: "device bytes",
};

/**
 * Memory vs N for one pass (log-log): per series the framework peak (solid), the RSS
 * peak (dashed) and device bytes (dotted) where known; the memory budget of each
 * backend as a horizontal line; OOM lengths as crosses drawn on the budget line (or
 * at the series' largest figure when no budget is known); the paper's GPU memory
 * on the forward chart.
 */
export function memoryChart(a: Analysis, pass: string): ChartSpec | null {
  const series = a.series.filter((s) => s.pass === pass);
  if (!series.length) return null;
  const colors = seriesColors(a.series);
  const datasets: DatasetSpec[] = [];
  const xs: number[] = [];
  for (const s of series) {
    const color = colors.get(s.key)!;
    for (const metric of ["peakBytes", "rssPeakBytes", "deviceBytes"] as MemoryMetric[]) {
      const pts = s.points.filter((p) => p.status === "ok" && memoryOf(p, metric) !== null);
      if (!pts.length) continue;
      xs.push(...pts.map((p) => p.seqLen));
      datasets.push({
        label: `${s.label}: ${METRIC_LABEL[metric]}`,
        role: metric === "peakBytes" ? "peak" : metric === "rssPeakBytes" ? "rss" : "device",
        color,
        dash: metric === "rssPeakBytes" ? [6, 4] : metric === "deviceBytes" ? [2, 3] : undefined,
        pointStyle: metric === "rssPeakBytes"
          ? "rect"
          : metric === "deviceBytes"
          ? "triangle"
          : undefined,
        data: pts.map((p) => ({ x: p.seqLen, y: memoryOf(p, metric)! })),
      });
    }
    const ooms = s.points.filter((p) => p.status === "oom");
    if (ooms.length) {
      const known = s.points.flatMap((p) =>
        [p.peakBytes, p.rssPeakBytes, p.deviceBytes].filter((v): v is number => v !== null)
      );
      const fallback = known.length ? Math.max(...known) : 1;
      const budget = a.budgets[budgetKey(s)] ?? null;
      datasets.push({
        label: `out of memory: ${s.label}`,
        role: "oom",
        color,
        pointStyle: "crossRot",
        data: ooms.map((p) => ({ x: p.oomAt ?? p.seqLen, y: p.budgetBytes ?? budget ?? fallback })),
      });
      xs.push(...ooms.map((p) => p.oomAt ?? p.seqLen));
    }
  }
  if (pass === "forward") {
    datasets.push(
      {
        label: `${PAPER_LABEL}: SE(3)-Hyena GPU memory`,
        role: "paper",
        color: PAPER_COLOR,
        pointStyle: "triangle",
        data: PAPER_FIG5.map((r) => ({ x: r.seqLen, y: r.hyenaGB * 1e9 })),
      },
      {
        label: `${PAPER_LABEL}: equivariant transformer GPU memory`,
        role: "paper",
        color: PAPER_COLOR,
        pointStyle: "rectRot",
        dash: [2, 3],
        data: PAPER_FIG5.map((r) => ({ x: r.seqLen, y: r.transformerGB * 1e9 })),
      },
    );
  }
  const backends = new Set(series.map(budgetKey));
  for (const [backend, bytes] of Object.entries(a.budgets)) {
    if (!backends.has(backend) || !xs.length) continue;
    datasets.push({
      label: `memory budget (${backend}, ${fmtBytes(bytes)})`,
      role: "budget",
      color: ALERT_COLOR,
      dash: [8, 4],
      data: [{ x: Math.min(...xs), y: bytes }, { x: Math.max(...xs), y: bytes }],
    });
  }
  return {
    id: `memory-${pass}`,
    title: `Memory vs sequence length — ${pass} pass`,
    type: "line",
    x: {
      title: "sequence length N (tokens, log scale)",
      log: true,
      format: "int",
      ...fitLengths(xs),
    },
    y: { title: "bytes (log scale)", log: true, format: "bytes" },
    datasets,
    height: 420,
  };
}

/**
 * Ratio line colours: [forward, backward] per framework/device, in `analysis.platforms`
 * order (the primary first; other frameworks in other hues, so they are told apart).
 */
const RATIO_COLORS: Record<"speedup" | "memory", [string, string][]> = {
  speedup: [["#1f6fb4", "#6b9bd1"], ["#e07b00", "#f0a860"], ["#7b2cbf", "#b185db"]],
  memory: [["#2a9d8f", "#83c5be"], ["#bc4749", "#d88c8d"], ["#6a994e", "#a7c957"]],
};

/** The colour of a comparison's speed-up or memory-ratio line. */
export function ratioColor(
  kind: "speedup" | "memory",
  c: Comparison,
  a: Pick<Analysis, "platforms">,
): string {
  const palette = RATIO_COLORS[kind];
  const i = Math.max(0, a.platforms.indexOf(c.hyena.platform)) % palette.length;
  return palette[i][c.pass === "forward" ? 0 : 1];
}

/** Speed-up and memory ratio of SE(3)-Hyena over the transformer vs N, with the paper's. */
export function ratioChart(a: Analysis): ChartSpec | null {
  if (!a.comparisons.length) return null;
  const datasets: DatasetSpec[] = [];
  const xs: number[] = [];
  const many = a.comparisons.length >
    a.comparisons.map((c) => c.pass).filter((p, i, all) => all.indexOf(p) === i).length;
  a.comparisons.forEach((c) => {
    const tag = c.pass + (many ? ` vs ${c.transformer.label}` : "");
    const sp = c.points.filter((p) => p.speedup !== null);
    const mr = c.points.filter((p) => p.memoryRatio !== null);
    xs.push(...c.points.map((p) => p.seqLen));
    if (sp.length) {
      datasets.push({
        label: `speed-up · ${tag}`,
        role: "ratio",
        color: ratioColor("speedup", c, a),
        dash: c.pass === "backward" ? [6, 4] : undefined,
        data: sp.map((p) => ({ x: p.seqLen, y: p.speedup! })),
      });
    }
    if (mr.length && c.memoryMetric) {
      datasets.push({
        label: `memory ratio (${METRIC_LABEL[c.memoryMetric]}) · ${tag}`,
        role: "ratio",
        color: ratioColor("memory", c, a),
        pointStyle: "rect",
        dash: c.pass === "backward" ? [6, 4] : undefined,
        data: mr.map((p) => ({ x: p.seqLen, y: p.memoryRatio! })),
      });
    }
  });
  // Without a common length, the axis falls back to the paper's lengths.
  const fit = fitLengths(xs.length ? xs : PAPER_FIG5.map((r) => r.seqLen));
  datasets.push(
    {
      label: `${PAPER_LABEL}: speed-up · forward`,
      role: "paper",
      color: PAPER_COLOR,
      pointStyle: "triangle",
      data: PAPER_FIG5.map((r) => ({ x: r.seqLen, y: r.speedup })),
    },
    {
      label: `${PAPER_LABEL}: memory ratio · forward`,
      role: "paper",
      color: PAPER_COLOR,
      pointStyle: "rectRot",
      dash: [2, 3],
      data: PAPER_FIG5.map((r) => ({ x: r.seqLen, y: r.memoryRatio })),
    },
    {
      label: "parity (×1)",
      role: "parity",
      color: "#444444",
      dash: [3, 3],
      data: [{ x: fit.min!, y: 1 }, { x: fit.max!, y: 1 }],
    },
  );
  return {
    id: "ratios",
    title: "SE(3)-Hyena over the equivariant transformer: speed-up and memory ratio",
    type: "line",
    x: {
      title: "sequence length N (tokens, log scale)",
      log: true,
      format: "int",
      ...fit,
    },
    y: { title: "transformer ÷ SE(3)-Hyena (log scale)", log: true },
    datasets,
  };
}

/** A worker's display name: host, and id where known. */
export function workerName(row: CaseResult): string {
  const w = row.worker ?? ({} as CaseResult["worker"]);
  return [w.host ?? "?", w.id].filter(Boolean).join(" · ");
}

function timed(row: CaseResult): { start: number; end: number } | null {
  const start = Date.parse(String(row.startedAt ?? ""));
  const end = Date.parse(String(row.finishedAt ?? ""));
  return Number.isFinite(start) && Number.isFinite(end) && end >= start ? { start, end } : null;
}

/** Rows that carry both `startedAt` and `finishedAt`. */
export function timedRows(results: SweepResults): CaseResult[] {
  return results.results.filter((r) => timed(r) !== null);
}

/** Per-worker timeline: one floating bar per case (seconds since the first start). */
export function timelineChart(results: SweepResults): ChartSpec | null {
  const rows = timedRows(results);
  if (!rows.length) return null;
  const t0 = Math.min(...rows.map((r) => timed(r)!.start));
  const workers = [...new Set(rows.map(workerName))];
  const groups = new Map<string, CaseResult[]>();
  for (const r of rows) {
    const k = `${r.case?.model}|${r.case?.pass}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const datasets: DatasetSpec[] = [...groups.entries()].map(([k, rs], i) => {
    const [model, pass] = k.split("|");
    return {
      label: `${modelName(model)} · ${pass}`,
      role: "timeline",
      // Training rows take their model's forward colour (one hue per model, as elsewhere).
      color: (COLORS[k] ?? COLORS[`${model}|forward`])?.[0] ?? FALLBACK[i % FALLBACK.length],
      data: rs.map((r) => {
        const t = timed(r)!;
        return { x: [(t.start - t0) / 1000, (t.end - t0) / 1000], y: workerName(r) };
      }),
    };
  });
  return {
    id: "timeline",
    title: "Per-worker timeline (one bar per case)",
    type: "bar",
    indexAxis: "y",
    x: { title: "seconds since the first case started", format: "s" },
    y: { title: "worker", labels: workers },
    datasets,
    height: Math.max(160, 70 + 46 * workers.length),
  };
}

/** One row of the top-level `scaling` field of a distributed sweep. */
export interface ScalingRow {
  workers: number;
  makespanMs: number;
  throughputCasesPerMin: number;
  efficiency: number;
}

/** The valid rows of `results.scaling` (an array of {@linkcode ScalingRow}), else `[]`. */
export function scalingRows(results: SweepResults): ScalingRow[] {
  const raw = results.scaling;
  if (!Array.isArray(raw)) return [];
  return raw.filter((r): r is ScalingRow =>
    typeof r === "object" && r !== null && typeof r.workers === "number" &&
    typeof r.throughputCasesPerMin === "number"
  ).sort((a, b) => a.workers - b.workers);
}

/** Sweep throughput vs number of workers, with ideal linear scaling. */
export function scalingChart(results: SweepResults): ChartSpec | null {
  const rows = scalingRows(results);
  if (!rows.length) return null;
  const base = rows[0].throughputCasesPerMin / rows[0].workers;
  return {
    id: "scaling",
    title: "Sweep throughput vs workers",
    type: "line",
    x: { title: "workers", format: "int" },
    y: { title: "cases per minute", format: "plain", min: 0 },
    datasets: [
      {
        label: "measured",
        role: "median",
        color: "#1f6fb4",
        data: rows.map((r) => ({ x: r.workers, y: r.throughputCasesPerMin })),
      },
      {
        label: "ideal (linear from the smallest run)",
        role: "parity",
        color: "#444444",
        dash: [3, 3],
        data: rows.map((r) => ({ x: r.workers, y: base * r.workers })),
      },
    ],
    height: 300,
  };
}
