/**
 * The numbers a report shows, computed from `results.json` rows: series per model and
 * pass, SE(3)-Hyena / transformer ratios per length and the longest context each model
 * ran within its memory budget. What may be claimed from them (exponents, crossover,
 * context ratio) is `claims.ts`.
 *
 * Pure functions, no I/O. Only `forward` and `backward` rows take part; `train` rows
 * (and any other pass) are left to their own report sections.
 *
 * @module
 */

import type { CaseResult, CaseStatus, ModelKind, PassKind, SweepResults } from "../results.ts";

/** The passes whose rows form runtime/memory series. */
export const SERIES_PASSES: readonly PassKind[] = ["forward", "backward"];

/** The model whose gains a report measures, and the baseline it is measured against. */
export const HYENA: ModelKind = "se3-hyena";
/** The attention baseline. */
export const TRANSFORMER: ModelKind = "equivariant-transformer";

/** Which memory figure a number is: framework peak, process RSS peak, or device bytes. */
export type MemoryMetric = "peakBytes" | "deviceBytes" | "rssPeakBytes";

/** One length of one series. Times in ms, memory in bytes; `null` where unknown. */
export interface SeriesPoint {
  seqLen: number;
  status: CaseStatus;
  median: number | null;
  p10: number | null;
  p90: number | null;
  medianCI: [number, number] | null;
  peakBytes: number | null;
  rssPeakBytes: number | null;
  deviceBytes: number | null;
  budgetBytes: number | null;
  /** For `oom` rows: the size that failed (`oomAt`, else `seqLen`). */
  oomAt: number | null;
  /** The row this point came from. */
  row: CaseResult;
}

/**
 * The rows of one model × pass × variant (attention, framework and device, backend, batch,
 * preset, gradient checkpointing), by length.
 */
export interface Series {
  /**
   * Stable key: `model|attention|pass|backend|batch|preset`, then `|torch:<device>` for
   * PyTorch rows and `|checkpoint` for checkpointed backward rows.
   */
  key: string;
  model: ModelKind;
  pass: PassKind;
  attention: string | null;
  /** `tfjs` (rows without a framework) or `torch`. */
  framework: string;
  /** PyTorch's device (`cpu`, `cuda`); null for TensorFlow.js (its `backend` says where). */
  device: string | null;
  /** The framework and device as one key: `tfjs`, `torch:cpu`, `torch:cuda` (see {@linkcode platformOf}). */
  platform: string;
  backend: string;
  batch: number;
  preset: string;
  /** Backward with gradient checkpointing (`case.checkpoint`). */
  checkpoint: boolean;
  /** Human label, e.g. `SE(3)-Hyena · forward` (+ the variant fields that differ). */
  label: string;
  /** One point per length, ascending; every status. */
  points: SeriesPoint[];
}

/** SE(3)-Hyena against the transformer at one common length. */
export interface RatioPoint {
  seqLen: number;
  hyenaMs: number | null;
  transformerMs: number | null;
  /** transformer time / SE(3)-Hyena time (> 1: SE(3)-Hyena is faster). */
  speedup: number | null;
  hyenaBytes: number | null;
  transformerBytes: number | null;
  /** transformer memory / SE(3)-Hyena memory (> 1: SE(3)-Hyena uses less). */
  memoryRatio: number | null;
}

/** The longest length a series ran with status `ok` inside its memory budget. */
export interface LongestContext {
  seqLen: number | null;
  /**
   * True when a failure (oom, or memory over budget) at a larger length shows that
   * this is the real limit; false means the sweep stopped first (a lower bound).
   */
  limitFound: boolean;
  /** The smallest failing length above `seqLen`, if any. */
  firstFailure: number | null;
}

/** One SE(3)-Hyena series against one transformer series of the same pass and variant. */
export interface Comparison {
  pass: PassKind;
  hyena: Series;
  transformer: Series;
  /** The memory figure the memory ratios use (the first one known at every common length). */
  memoryMetric: MemoryMetric | null;
  /** Ratios at each length where both series have an `ok` row. */
  points: RatioPoint[];
  /** The ratio at the largest common length with both times. */
  largest: RatioPoint | null;
  longestHyena: LongestContext;
  longestTransformer: LongestContext;
}

/** Everything the report derives from a sweep. */
export interface Analysis {
  series: Series[];
  comparisons: Comparison[];
  /**
   * The framework/device keys of the series ({@linkcode platformOf}), the primary first:
   * `tfjs` when present, else the first in sorted order.
   */
  platforms: string[];
  /**
   * The comparison the headline shows: within one platform (the first of `platforms` that
   * has a comparison), forward preferred, then most common lengths.
   */
  headline: Comparison | null;
  /** Memory budgets seen in the rows, by {@linkcode budgetKey} (bytes). */
  budgets: Record<string, number>;
}

const MODEL_NAMES: Record<string, string> = {
  "se3-hyena": "SE(3)-Hyena",
  "equivariant-transformer": "equivariant transformer",
  "hyena": "Hyena",
  "transformer": "transformer",
};

/**
 * The framework/device key of a case: `tfjs` for TensorFlow.js (rows without a framework
 * included; its backend is a variant within it), `torch:<device>` for PyTorch.
 */
export function platformOf(c: { framework?: unknown; device?: unknown }): string {
  const fw = typeof c.framework === "string" && c.framework ? c.framework : "tfjs";
  return fw === "tfjs" ? fw : `${fw}:${typeof c.device === "string" ? c.device : "cpu"}`;
}

const FRAMEWORK_NAMES: Record<string, string> = { tfjs: "TensorFlow.js", torch: "PyTorch" };

/** Display name of a platform key: `TensorFlow.js`, `PyTorch cpu`, `PyTorch cuda`. */
export function platformName(platform: string): string {
  const [fw, device] = platform.split(":");
  return [FRAMEWORK_NAMES[fw] ?? fw, device].filter(Boolean).join(" ");
}

/** Display name of a model kind (unknown kinds are returned as they are). */
export function modelName(model: string): string {
  return MODEL_NAMES[model] ?? model;
}

function num(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function toPoint(row: CaseResult): SeriesPoint {
  const t = row.timeMs;
  const m = row.memory ?? {};
  const ci = t?.medianCI;
  return {
    seqLen: row.case.seqLen,
    status: row.status,
    median: row.status === "ok" ? num(t?.median) : null,
    p10: row.status === "ok" ? num(t?.p10) : null,
    p90: row.status === "ok" ? num(t?.p90) : null,
    medianCI: Array.isArray(ci) && num(ci[0]) !== null && num(ci[1]) !== null
      ? [ci[0], ci[1]]
      : null,
    peakBytes: num(m.peakBytes),
    rssPeakBytes: num(m.rssPeakBytes),
    deviceBytes: num(m.deviceBytes),
    budgetBytes: num(m.budgetBytes),
    oomAt: row.status === "oom" ? (num(row.oomAt) ?? row.case.seqLen) : null,
    row,
  };
}

/** Rank used to keep one row per length: `ok` first, then `oom`, then the rest. */
function statusRank(s: CaseStatus): number {
  return s === "ok" ? 0 : s === "oom" ? 1 : 2;
}

/**
 * Groups the `forward`/`backward` rows into series (one per model × pass × attention
 * × framework/device × backend × batch × preset × checkpointing), points ascending by length. Where several rows share a
 * length (a repeated case), the `ok` one with the smallest median is kept.
 * Rows without a numeric `case.seqLen` are skipped.
 */
export function buildSeries(rows: readonly CaseResult[]): Series[] {
  const groups = new Map<string, Series>();
  const finishedAt = new Map<SeriesPoint, string>();
  for (const row of rows) {
    const c = row.case;
    if (!c || !SERIES_PASSES.includes(c.pass) || num(c.seqLen) === null) continue;
    const attention = c.model === TRANSFORMER ? (c.attention ?? null) : null;
    const platform = platformOf(c);
    const checkpoint = c.checkpoint === true;
    const key = [c.model, attention ?? "", c.pass, c.backend, c.batch, c.preset]
      .concat(platform === "tfjs" ? [] : [platform], checkpoint ? ["checkpoint"] : [])
      .join("|");
    let s = groups.get(key);
    if (!s) {
      const [framework, device = null] = platform.split(":");
      s = {
        key,
        model: c.model,
        pass: c.pass,
        attention,
        framework,
        device,
        platform,
        backend: String(c.backend),
        batch: c.batch,
        preset: String(c.preset),
        checkpoint,
        label: "",
        points: [],
      };
      groups.set(key, s);
    }
    const p = toPoint(row);
    finishedAt.set(p, String(row.finishedAt ?? ""));
    const i = s.points.findIndex((q) => q.seqLen === p.seqLen);
    if (i < 0) s.points.push(p);
    else {
      // Two rows at one length (a re-run, another seed): keep the better status, and
      // among equal statuses the most recent run — never the fastest, which would flatter.
      const q = s.points[i];
      const newer = (finishedAt.get(p) ?? "") > (finishedAt.get(q) ?? "");
      const better = statusRank(p.status) < statusRank(q.status) ||
        (p.status === q.status && newer);
      if (better) s.points[i] = p;
    }
  }
  const series = [...groups.values()];
  for (const s of series) s.points.sort((a, b) => a.seqLen - b.seqLen);
  labelSeries(series);
  const order = (s: Series) => [s.model === HYENA ? 0 : 1, SERIES_PASSES.indexOf(s.pass)];
  series.sort((a, b) => {
    const [a0, a1] = order(a), [b0, b1] = order(b);
    return a0 - b0 || a1 - b1 || a.key.localeCompare(b.key);
  });
  return series;
}

/**
 * Labels: model name · pass, plus the variant fields that differ between series. Where
 * frameworks differ each series names its own (`TensorFlow.js wasm`, `PyTorch cpu`: a
 * PyTorch row's backend field is not used); `checkpointed` where checkpointing differs.
 */
function labelSeries(series: Series[]): void {
  const varying = (f: (s: Series) => unknown) => new Set(series.map(f)).size > 1;
  const showAttention = new Set(series.filter((s) => s.attention).map((s) => s.attention))
    .size > 1;
  const showPlatform = varying((s) => s.platform);
  const showBackend = varying((s) => s.backend);
  const showBatch = varying((s) => s.batch);
  const showPreset = varying((s) => s.preset);
  const showCheckpoint = varying((s) => s.checkpoint);
  for (const s of series) {
    const extra: string[] = [];
    if (showAttention && s.attention) extra.push(s.attention);
    if (showPlatform) {
      extra.push(
        s.framework === "tfjs"
          ? `${platformName(s.platform)} ${s.backend}`
          : platformName(s.platform),
      );
    } else if (showBackend) extra.push(s.backend);
    if (showCheckpoint && s.checkpoint) extra.push("checkpointed");
    if (showBatch) extra.push(`batch ${s.batch}`);
    if (showPreset) extra.push(s.preset);
    s.label = `${modelName(s.model)} · ${s.pass}` + (extra.length ? ` (${extra.join(", ")})` : "");
  }
}

/** The points of a series with status `ok` and a median time. */
export function okPoints(series: Series): SeriesPoint[] {
  return series.points.filter((p) => p.status === "ok" && p.median !== null);
}

/** The value of one memory figure at a point. */
export function memoryOf(p: SeriesPoint, metric: MemoryMetric): number | null {
  return p[metric];
}

/**
 * Ratios of `transformer` over `hyena` at every length where both have an `ok` row,
 * ascending. Memory ratios use `metric`; when it is omitted, the first of
 * peakBytes, deviceBytes, rssPeakBytes that both series know at every common length.
 */
export function ratioSeries(
  hyena: Series,
  transformer: Series,
  metric?: MemoryMetric | null,
): { metric: MemoryMetric | null; points: RatioPoint[] } {
  const t = new Map(okPoints(transformer).map((p) => [p.seqLen, p]));
  const common = okPoints(hyena).filter((p) => t.has(p.seqLen)).map((h) => [h, t.get(h.seqLen)!]);
  const chosen = metric !== undefined ? metric : (["peakBytes", "deviceBytes", "rssPeakBytes"]
    .find((m) =>
      common.length > 0 &&
      common.every(([h, tr]) =>
        memoryOf(h, m as MemoryMetric) !== null && memoryOf(tr, m as MemoryMetric) !== null
      )
    ) as MemoryMetric | undefined) ?? null;
  const points = common.map(([h, tr]): RatioPoint => {
    const hb = chosen ? memoryOf(h, chosen) : null;
    const tb = chosen ? memoryOf(tr, chosen) : null;
    return {
      seqLen: h.seqLen,
      hyenaMs: h.median,
      transformerMs: tr.median,
      speedup: h.median && tr.median !== null ? tr.median / h.median : null,
      hyenaBytes: hb,
      transformerBytes: tb,
      memoryRatio: hb && tb !== null ? tb / hb : null,
    };
  });
  return { metric: chosen, points };
}

/**
 * The longest length with status `ok` whose memory is within the budget
 * (`budgetBytes` option, else the row's own `memory.budgetBytes`; a row whose memory
 * is unknown or that has no budget counts as within it). Memory is `metric`
 * (default `peakBytes`).
 */
export function longestContext(
  series: Series,
  options: { budgetBytes?: number | null; metric?: MemoryMetric } = {},
): LongestContext {
  const metric = options.metric ?? "peakBytes";
  const within = (p: SeriesPoint) => {
    const budget = options.budgetBytes ?? p.budgetBytes;
    const used = memoryOf(p, metric);
    return budget === null || budget === undefined || used === null || used <= budget;
  };
  const good = series.points.filter((p) => p.status === "ok" && within(p));
  const seqLen = good.length ? Math.max(...good.map((p) => p.seqLen)) : null;
  const failures = series.points
    .filter((p) => p.status === "oom" || (p.status === "ok" && !within(p)))
    .map((p) => p.status === "oom" ? (p.oomAt ?? p.seqLen) : p.seqLen)
    .filter((n) => seqLen === null || n > seqLen);
  const firstFailure = failures.length ? Math.min(...failures) : null;
  return { seqLen, limitFound: firstFailure !== null, firstFailure };
}

/**
 * Whose memory budget a case or series has: the backend for TensorFlow.js (`wasm`,
 * `webgpu`), the framework and device for PyTorch (`PyTorch cuda`; its case's backend
 * field does not apply), so a GPU's budget is never drawn as wasm's.
 */
export function budgetKey(
  c: { framework?: unknown; device?: unknown; backend?: unknown },
): string {
  const platform = platformOf(c);
  return platform === "tfjs" ? String(c.backend ?? "?") : platformName(platform);
}

/** Memory budgets by {@linkcode budgetKey}: the largest `memory.budgetBytes` seen on its rows. */
export function memoryBudgets(rows: readonly CaseResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const b = num(r.memory?.budgetBytes);
    const key = budgetKey({ ...r.case, backend: r.case?.backend ?? r.worker?.backend });
    if (b !== null) out[key] = Math.max(out[key] ?? 0, b);
  }
  return out;
}

/** Compares one SE(3)-Hyena series with one transformer series. */
export function compareSeries(hyena: Series, transformer: Series): Comparison {
  const { metric, points } = ratioSeries(hyena, transformer);
  const withTimes = points.filter((p) => p.speedup !== null);
  const longestHyena = longestContext(hyena);
  const longestTransformer = longestContext(transformer);
  return {
    pass: hyena.pass,
    hyena,
    transformer,
    memoryMetric: metric,
    points,
    largest: withTimes.length ? withTimes[withTimes.length - 1] : null,
    longestHyena,
    longestTransformer,
  };
}

/**
 * Pairs every SE(3)-Hyena series with every transformer series of the same pass,
 * framework and device, backend, batch, preset and checkpointing (one comparison per
 * attention variant): a ratio is never taken across frameworks.
 */
export function pairSeries(series: readonly Series[]): Comparison[] {
  const out: Comparison[] = [];
  const variant = (s: Series) =>
    [s.pass, s.platform, s.backend, s.batch, s.preset, s.checkpoint].join("|");
  for (const h of series.filter((s) => s.model === HYENA)) {
    for (const t of series.filter((s) => s.model === TRANSFORMER && variant(s) === variant(h))) {
      out.push(compareSeries(h, t));
    }
  }
  return out;
}

/** Runs the whole analysis of a sweep. */
export function analyse(results: SweepResults): Analysis {
  const rows = Array.isArray(results.results) ? results.results : [];
  const series = buildSeries(rows);
  const comparisons = pairSeries(series);
  const platforms = [...new Set(series.map((s) => s.platform))].sort((a, b) =>
    Number(b === "tfjs") - Number(a === "tfjs") || a.localeCompare(b)
  );
  const score = (c: Comparison) => [c.pass === "forward" ? 1 : 0, c.points.length];
  // Within one platform: the first (tfjs when present) that has a comparison at all.
  const primary = platforms.find((p) => comparisons.some((c) => c.hyena.platform === p));
  const headline = comparisons
    .filter((c) => c.hyena.platform === primary)
    .sort((a, b) => {
      const [a0, a1] = score(a), [b0, b1] = score(b);
      return b0 - a0 || b1 - a1;
    })[0] ?? null;
  return { series, comparisons, platforms, headline, budgets: memoryBudgets(rows) };
}
