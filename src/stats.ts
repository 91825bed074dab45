/**
 * Timing statistics: the summary every case reports, a distribution-free confidence
 * interval for the median, Tukey outliers, and the stopping rule of the adaptive repeats.
 *
 * Conventions:
 * - `median`, `mean`, `min`, `max` from `simple-statistics`.
 * - `p10`, `p90`, quartiles: linear interpolation between order statistics (R type 7,
 *   numpy's default), via {@link quantile}.
 * - Median CI: the order statistics `[x(l), x(u)]`, `u = n + 1 − l`, with `l` the largest
 *   rank such that `P(Binomial(n, ½) ≤ l − 1) ≤ (1 − level)/2`. Its coverage is at least
 *   `level` (exact, not asymptotic). With fewer than 6 samples no pair reaches 95%, and the
 *   interval is `[min, max]` (coverage `1 − 2·2^−n`, reported in `coverage`).
 * - Outliers: samples outside `[Q1 − 1.5·IQR, Q3 + 1.5·IQR]`.
 *
 * @module
 */
import * as ss from "simple-statistics";
import type { TimeSummary } from "./results.ts";

/** Quantile `p ∈ [0, 1]` of sorted ascending `sorted`, linear interpolation (R type 7). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("quantile: empty sample");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** `P(X ≤ k)` for `X ~ Binomial(n, ½)`, computed in log space (exact for any n). */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  // log C(n, i) accumulated incrementally; terms summed with a running max for stability.
  let logC = 0;
  const logs: number[] = [];
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    logs.push(logC - n * Math.LN2);
  }
  const m = Math.max(...logs);
  return Math.min(1, Math.exp(m) * logs.reduce((s, l) => s + Math.exp(l - m), 0));
}

/** A confidence interval of the median with its exact coverage. */
export interface MedianInterval {
  lower: number;
  upper: number;
  /** The interval's exact coverage probability (≥ level when n is large enough). */
  coverage: number;
  /** 1-based ranks of the order statistics used. */
  ranks: [number, number];
}

/**
 * Distribution-free confidence interval of the median (binomial order statistics).
 *
 * @param samples at least one sample, any order.
 * @param level nominal coverage; default 0.95.
 */
export function medianCI(samples: readonly number[], level = 0.95): MedianInterval {
  const n = samples.length;
  if (n === 0) throw new RangeError("medianCI: empty sample");
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`medianCI: level must be in (0, 1), got ${level}`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  let l = 1; // rank of the lower bound; l = 1 means [min, max]
  for (let r = 1; r <= Math.floor((n + 1) / 2); r++) {
    if (binomialHalfCdf(r - 1, n) <= alpha) l = r;
    else break;
  }
  const u = n + 1 - l;
  return {
    lower: sorted[l - 1],
    upper: sorted[u - 1],
    coverage: 1 - 2 * binomialHalfCdf(l - 1, n),
    ranks: [l, u],
  };
}

/** Number of samples outside Tukey's fences `[Q1 − k·IQR, Q3 + k·IQR]` (k default 1.5). */
export function countOutliers(samples: readonly number[], k = 1.5): number {
  if (samples.length < 4) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  return sorted.filter((x) => x < q1 - k * iqr || x > q3 + k * iqr).length;
}

/** Options of {@link summarize}. */
export interface SummarizeOptions {
  /** Keep the raw samples in the summary; default true. */
  keepSamples?: boolean;
  /** Confidence level of `medianCI`; default 0.95. */
  level?: number;
}

/** Summarises timing samples (ms) into a {@link TimeSummary}. */
export function summarize(samples: readonly number[], options: SummarizeOptions = {}): TimeSummary {
  if (samples.length === 0) throw new RangeError("summarize: no samples");
  for (const [i, x] of samples.entries()) {
    if (!Number.isFinite(x)) {
      throw new RangeError(`summarize: samples[${i}] is not finite, got ${x}`);
    }
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const ci = medianCI(sorted, options.level ?? 0.95);
  return {
    median: ss.median(sorted),
    mean: ss.mean(sorted),
    min: ss.min(sorted),
    max: ss.max(sorted),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    n: sorted.length,
    medianCI: [ci.lower, ci.upper],
    outliers: countOutliers(sorted),
    ...(options.keepSamples === false ? {} : { samples: [...samples] }),
  };
}

/** Options of {@link isMedianStable}. */
export interface StabilityOptions {
  /** Largest accepted CI half-width relative to the median; default 0.05 (±5%). */
  relTol?: number;
  /** Fewest samples before the median can count as stable; default 6 (first 95% CI). */
  minSamples?: number;
}

/**
 * The adaptive-repeat stopping rule: the median counts as stable once the 95% CI of the
 * median is within ±relTol of it (and there are at least minSamples samples).
 */
export function isMedianStable(
  samples: readonly number[],
  options: StabilityOptions = {},
): boolean {
  const { relTol = 0.05, minSamples = 6 } = options;
  if (samples.length < Math.max(minSamples, 1)) return false;
  const ci = medianCI(samples);
  const med = ss.median([...samples]);
  if (med <= 0) return ci.upper - ci.lower <= 0;
  return (ci.upper - ci.lower) / 2 <= relTol * med;
}
