/**
 * What a report may claim from a sweep, and no more: the statements of the headline with
 * the evidence they need.
 *
 * - A scaling exponent only from ≥ 3 lengths, with its 95% confidence interval (a
 *   t-interval on the least-squares slope of log time against log N) and R²; with fewer,
 *   "not enough lengths".
 * - A crossover only when bracketed by measured lengths of both models (≥ 3 common
 *   lengths) where the ordering is beyond noise at both ends (the two medians' ~95%
 *   confidence intervals do not overlap).
 * - The longest context as a bracket `[last ok, first failure)` per model; the context
 *   ratio as the figure the brackets guarantee (last ok of SE(3)-Hyena over first failure
 *   of the transformer), a closed range where both brackets are closed, "≥" where
 *   SE(3)-Hyena's upper bound is open.
 * - Memory ratios by each figure (framework peak, process RSS, device bytes).
 * - The paper's figures at the paper's own N: our curves interpolated in log-log between
 *   measured lengths, or "not measured there".
 *
 * Pure functions, no I/O.
 *
 * @module
 */

import { linearRegression, linearRegressionLine, rSquared } from "simple-statistics";
import {
  type Comparison,
  type LongestContext,
  type MemoryMetric,
  okPoints,
  type Series,
  type SeriesPoint,
} from "./analysis.ts";

/** Fewest distinct lengths an exponent or a crossover is claimed from. */
export const MIN_LENGTHS = 3;

/** A power law `time ∝ N^exponent` fitted with its uncertainty, or why there is none. */
export type ExponentClaim =
  | {
    kind: "fit";
    exponent: number;
    /** 95% confidence interval of the exponent (t-interval, n − 2 degrees of freedom). */
    ci95: [number, number];
    /** Coefficient of determination of the log-log fit. */
    r2: number;
    /** Lengths the fit used, and the smallest and largest of them. */
    points: number;
    fromN: number;
    toN: number;
  }
  | {
    kind: "insufficient";
    /** Distinct lengths available (fewer than {@linkcode MIN_LENGTHS}). */
    points: number;
  };

/** Two-sided 95% quantiles of Student's t for 1…30 degrees of freedom. */
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (Cornish–Fisher above 30). */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`tQuantile975: df must be ≥ 1, got ${df}`);
  if (df <= 30) return T975[Math.round(df) - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** Options of {@linkcode exponentClaim}. */
export interface ExponentOptions {
  /** Fraction of the distinct lengths used, from the top (where the power law holds). Default 0.5. */
  fraction?: number;
  /** Fewest lengths a fit uses. Default {@linkcode MIN_LENGTHS} (values below 3 are raised to 3). */
  minPoints?: number;
}

/**
 * Fits `value ∝ N^k` by least squares of log(value) on log(N) over the upper part of the
 * lengths (default the upper half, at least 3), with the 95% t-interval of k and R².
 * Non-positive lengths or values are ignored; one value per length (the last given).
 *
 * @example
 * exponentClaim([{ seqLen: 10, value: 1 }, { seqLen: 100, value: 100 }]).kind; // "insufficient"
 */
export function exponentClaim(
  points: readonly { seqLen: number; value: number }[],
  options: ExponentOptions = {},
): ExponentClaim {
  const { fraction = 0.5 } = options;
  const minPoints = Math.max(MIN_LENGTHS, options.minPoints ?? MIN_LENGTHS);
  const byN = new Map<number, number>();
  for (const p of points) {
    if (p.seqLen > 0 && p.value > 0 && Number.isFinite(p.value)) byN.set(p.seqLen, p.value);
  }
  const sorted = [...byN.entries()].sort((a, b) => a[0] - b[0]);
  if (sorted.length < minPoints) return { kind: "insufficient", points: sorted.length };
  const take = Math.min(sorted.length, Math.max(minPoints, Math.ceil(sorted.length * fraction)));
  const xy = sorted.slice(sorted.length - take).map(([n, v]) => [Math.log(n), Math.log(v)]);
  const fit = linearRegression(xy);
  const line = linearRegressionLine(fit);
  const n = xy.length;
  const mx = xy.reduce((s, [x]) => s + x, 0) / n;
  const sxx = xy.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sse = xy.reduce((s, [x, y]) => s + (y - line(x)) ** 2, 0);
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const half = tQuantile975(n - 2) * se;
  return {
    kind: "fit",
    exponent: fit.m,
    ci95: [fit.m - half, fit.m + half],
    r2: sse === 0 ? 1 : rSquared(xy, line),
    points: n,
    fromN: Math.exp(xy[0][0]),
    toN: Math.exp(xy[n - 1][0]),
  };
}

/** {@linkcode exponentClaim} of a series' median times (`ok` points only). */
export function seriesExponentClaim(series: Series, options?: ExponentOptions): ExponentClaim {
  const pts = okPoints(series).map((p) => ({ seqLen: p.seqLen, value: p.median! }));
  const claim = exponentClaim(pts, options);
  // Exact lengths back (exp(log(N)) may be off by an ulp).
  if (claim.kind === "fit") {
    const ns = pts.map((p) => p.seqLen);
    const near = (x: number) => ns.reduce((b, n) => Math.abs(n - x) < Math.abs(b - x) ? n : b);
    claim.fromN = near(claim.fromN);
    claim.toN = near(claim.toN);
  }
  return claim;
}

/** Which model is faster at one common length, beyond noise. */
export type Ordering = "hyena-faster" | "transformer-faster" | "within-noise";

/** The interval a point's median is known within: its ~95% CI, else p10–p90, else the median. */
export function noiseInterval(p: SeriesPoint): [number, number] | null {
  if (p.median === null) return null;
  if (p.medianCI) return p.medianCI;
  if (p.p10 !== null && p.p90 !== null) return [p.p10, p.p90];
  return [p.median, p.median];
}

/** Orders two points of one length: faster only when their noise intervals do not overlap. */
export function ordering(hyena: SeriesPoint, transformer: SeriesPoint): Ordering {
  const h = noiseInterval(hyena), t = noiseInterval(transformer);
  if (!h || !t) return "within-noise";
  if (h[1] < t[0]) return "hyena-faster";
  if (t[1] < h[0]) return "transformer-faster";
  return "within-noise";
}

/** One common length of the two series, with the ordering there. */
export interface CommonLength {
  seqLen: number;
  hyena: SeriesPoint;
  transformer: SeriesPoint;
  ordering: Ordering;
}

/** The lengths where both series have an `ok` median, ascending, each ordered. */
export function commonLengths(hyena: Series, transformer: Series): CommonLength[] {
  const t = new Map(okPoints(transformer).map((p) => [p.seqLen, p]));
  return okPoints(hyena).filter((h) => t.has(h.seqLen)).map((h) => {
    const tr = t.get(h.seqLen)!;
    return { seqLen: h.seqLen, hyena: h, transformer: tr, ordering: ordering(h, tr) };
  });
}

/**
 * What can be said about where SE(3)-Hyena becomes faster.
 *
 * - `bracketed`: the transformer is faster beyond noise at `low` and SE(3)-Hyena at `high`
 *   and every larger common length is not transformer-faster; `estimate` is the log-log
 *   interpolation of the speed-up between the two (only as good as the bracket is narrow).
 * - `hyena-faster`: no length where the transformer is faster beyond noise, SE(3)-Hyena
 *   faster beyond noise from `from` on (`low` = `from`; within noise below it).
 * - `not-reached`: the transformer is faster beyond noise at the largest common length
 *   `high` (the crossover, if any, lies above it).
 * - `within-noise`: no length where either is faster beyond noise.
 * - `insufficient`: fewer than {@linkcode MIN_LENGTHS} common lengths (`lengths`).
 */
export interface CrossoverClaim {
  kind: "bracketed" | "hyena-faster" | "not-reached" | "within-noise" | "insufficient";
  low: number | null;
  high: number | null;
  estimate: number | null;
  /** Number of common lengths. */
  lengths: number;
}

/** The crossover claim of two series (see {@linkcode CrossoverClaim}). */
export function crossoverClaim(hyena: Series, transformer: Series): CrossoverClaim {
  const cs = commonLengths(hyena, transformer);
  const none = { low: null, high: null, estimate: null, lengths: cs.length };
  if (cs.length < MIN_LENGTHS) return { kind: "insufficient", ...none };
  const last = cs[cs.length - 1];
  if (last.ordering === "transformer-faster") {
    return { ...none, kind: "not-reached", high: last.seqLen };
  }
  const lastT = cs.findLastIndex((c) => c.ordering === "transformer-faster");
  const firstH = cs.findIndex((c, i) => i > lastT && c.ordering === "hyena-faster");
  if (firstH < 0) return { kind: "within-noise", ...none };
  if (lastT < 0) return { ...none, kind: "hyena-faster", low: cs[firstH].seqLen };
  const a = cs[lastT], b = cs[firstH];
  return {
    kind: "bracketed",
    low: a.seqLen,
    high: b.seqLen,
    estimate: speedupCrossing(cs.slice(lastT, firstH + 1)),
    lengths: cs.length,
  };
}

/** Where log(speed-up) crosses 0 upwards (last such pair), interpolated in log(N). */
function speedupCrossing(cs: readonly CommonLength[]): number | null {
  const s = (c: CommonLength) => c.transformer.median! / c.hyena.median!;
  for (let i = cs.length - 2; i >= 0; i--) {
    const a = cs[i], b = cs[i + 1];
    if (s(a) < 1 && s(b) >= 1) {
      const la = Math.log(s(a)), lb = Math.log(s(b));
      const f = -la / (lb - la);
      return Math.exp(Math.log(a.seqLen) + f * (Math.log(b.seqLen) - Math.log(a.seqLen)));
    }
  }
  return null;
}

/** A model's longest context as a bracket: ran at `lastOk`, failed at `firstFailure`. */
export interface ContextBracket {
  /** Largest length that ran `ok` within its memory budget (null: none did). */
  lastOk: number | null;
  /** Smallest failing length above it (null: none failed; the limit is open). */
  firstFailure: number | null;
}

/** The bracket of a {@linkcode LongestContext}. */
export function contextBracket(l: LongestContext): ContextBracket {
  return { lastOk: l.seqLen, firstFailure: l.firstFailure };
}

/**
 * The context ratio the brackets guarantee. SE(3)-Hyena's limit H lies in
 * `[h.lastOk, h.firstFailure)`, the transformer's T in `[t.lastOk, t.firstFailure)`, so
 * H / T > `low` = h.lastOk / t.firstFailure and H / T < `high` = h.firstFailure / t.lastOk.
 * `kind`: `bounded` (both brackets closed), `at-least` (SE(3)-Hyena's is open: `high`
 * null), `unknown` (the transformer never failed, or a model never ran).
 */
export interface ContextRatioClaim {
  kind: "bounded" | "at-least" | "unknown";
  low: number | null;
  high: number | null;
}

/** {@linkcode ContextRatioClaim} of SE(3)-Hyena's bracket `h` over the transformer's `t`. */
export function contextRatioClaim(h: ContextBracket, t: ContextBracket): ContextRatioClaim {
  if (h.lastOk === null || t.lastOk === null || t.firstFailure === null) {
    return { kind: "unknown", low: null, high: null };
  }
  const low = h.lastOk / t.firstFailure;
  if (h.firstFailure === null) return { kind: "at-least", low, high: null };
  return { kind: "bounded", low, high: h.firstFailure / t.lastOk };
}

/** Memory ratio (transformer ÷ SE(3)-Hyena) at one length, by each memory figure. */
export type MemoryRatios = Record<MemoryMetric, number | null>;

/** The memory figures in the order reports show them. */
export const MEMORY_METRICS: readonly MemoryMetric[] = ["peakBytes", "rssPeakBytes", "deviceBytes"];

/** Memory ratios at one common length, by every figure both points have. */
export function memoryRatios(hyena: SeriesPoint, transformer: SeriesPoint): MemoryRatios {
  const out = {} as MemoryRatios;
  for (const m of MEMORY_METRICS) {
    const h = hyena[m], t = transformer[m];
    out[m] = h !== null && t !== null && h > 0 ? t / h : null;
  }
  return out;
}

/**
 * A series' value at length `n`, interpolated linearly in log(N)–log(value) between the
 * measured lengths around it (exact at a measured length); null outside the measured range.
 */
export function interpolateLogLog(
  points: readonly { seqLen: number; value: number }[],
  n: number,
): number | null {
  const ps = points.filter((p) => p.seqLen > 0 && p.value > 0).sort((a, b) => a.seqLen - b.seqLen);
  const exact = ps.find((p) => p.seqLen === n);
  if (exact) return exact.value;
  const i = ps.findIndex((p) => p.seqLen > n);
  if (i <= 0) return null;
  const a = ps[i - 1], b = ps[i];
  const f = (Math.log(n) - Math.log(a.seqLen)) / (Math.log(b.seqLen) - Math.log(a.seqLen));
  return Math.exp(Math.log(a.value) + f * (Math.log(b.value) - Math.log(a.value)));
}

/** Our figures at one of the paper's lengths (null: not measured there). */
export interface AtPaperN {
  seqLen: number;
  hyenaMs: number | null;
  transformerMs: number | null;
  speedup: number | null;
  /** Memory ratio by a figure comparable to the paper's total GPU memory (device, else RSS). */
  memoryRatio: number | null;
  memoryMetric: MemoryMetric | null;
}

/** Our speed-up and total-memory ratio at length `n`, interpolated in log-log (see above). */
export function atLength(c: Comparison, n: number): AtPaperN {
  const at = (s: Series, f: (p: SeriesPoint) => number | null) =>
    interpolateLogLog(
      okPoints(s).flatMap((p) => {
        const v = f(p);
        return v === null ? [] : [{ seqLen: p.seqLen, value: v }];
      }),
      n,
    );
  const hyenaMs = at(c.hyena, (p) => p.median), transformerMs = at(c.transformer, (p) => p.median);
  let memoryRatio: number | null = null, memoryMetric: MemoryMetric | null = null;
  for (const m of ["deviceBytes", "rssPeakBytes"] as const) {
    const h = at(c.hyena, (p) => p[m]), t = at(c.transformer, (p) => p[m]);
    if (h !== null && t !== null) {
      memoryRatio = t / h;
      memoryMetric = m;
      break;
    }
  }
  return {
    seqLen: n,
    hyenaMs,
    transformerMs,
    speedup: hyenaMs !== null && transformerMs !== null ? transformerMs / hyenaMs : null,
    memoryRatio,
    memoryMetric,
  };
}

/** Every claim the headline makes about one comparison. */
export interface Claims {
  hyenaExponent: ExponentClaim;
  transformerExponent: ExponentClaim;
  crossover: CrossoverClaim;
  hyenaContext: ContextBracket;
  transformerContext: ContextBracket;
  contextRatio: ContextRatioClaim;
  /** Memory ratios at the largest common length (null: no common length). */
  memory: MemoryRatios | null;
}

/** The claims of a comparison. */
export function claimsOf(c: Comparison): Claims {
  const hyenaContext = contextBracket(c.longestHyena);
  const transformerContext = contextBracket(c.longestTransformer);
  const common = commonLengths(c.hyena, c.transformer);
  const last = common.at(-1);
  return {
    hyenaExponent: seriesExponentClaim(c.hyena),
    transformerExponent: seriesExponentClaim(c.transformer),
    crossover: crossoverClaim(c.hyena, c.transformer),
    hyenaContext,
    transformerContext,
    contextRatio: contextRatioClaim(hyenaContext, transformerContext),
    memory: last ? memoryRatios(last.hyena, last.transformer) : null,
  };
}
