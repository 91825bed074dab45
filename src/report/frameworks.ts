/**
 * TensorFlow.js against PyTorch (or one PyTorch device against another) on the same cases:
 * the framework ratio of each (model, attention, pass, N) both ran, with both medians'
 * CIs and whether the difference is beyond noise; and, for a headline computed within one
 * framework, the same comparison in the others.
 *
 * The primary platform is `analysis.platforms[0]` (TensorFlow.js when present); every
 * ratio is primary ÷ other, so above ×1 the other framework is faster.
 *
 * Pure functions, no I/O.
 *
 * @module
 */

import {
  type Analysis,
  type Comparison,
  okPoints,
  type Series,
  type SeriesPoint,
} from "./analysis.ts";
import { noiseInterval } from "./claims.ts";

/** Which side is faster beyond noise (the two medians' intervals do not overlap). */
export type FrameworkVerdict = "primary-faster" | "other-faster" | "within-noise";

/** One side of a framework ratio: the series and its point at the length. */
export interface FrameworkSide {
  series: Series;
  point: SeriesPoint;
  /** The interval the median is known within (its ~95% CI, else p10–p90). */
  interval: [number, number] | null;
}

/** The two frameworks' medians of one case, and their ratio. */
export interface FrameworkRatio {
  model: string;
  attention: string | null;
  pass: string;
  seqLen: number;
  primary: FrameworkSide;
  other: FrameworkSide;
  /** primary median ÷ other median (> 1: the other framework is faster). */
  ratio: number;
  /**
   * The ratio's range the two intervals allow: primary low ÷ other high, primary high ÷
   * other low (null when either has no interval).
   */
  range: [number, number] | null;
  verdict: FrameworkVerdict;
}

const same = (a: Series, b: Series) =>
  a.model === b.model && a.attention === b.attention && a.pass === b.pass &&
  a.batch === b.batch && a.preset === b.preset;

function side(series: Series, point: SeriesPoint): FrameworkSide {
  return { series, point, interval: noiseInterval(point) };
}

/**
 * The framework ratios of a sweep: every series of the primary platform against every
 * series of another platform with the same model, attention, pass, batch and preset, at
 * each length where both ran `ok`. Where the other platform has series with and without
 * gradient checkpointing at one length, only the one checkpointed as the primary is is
 * kept (a checkpointed primary is compared with a plain other only where nothing else ran).
 * Sorted by model (SE(3)-Hyena first, as the series), attention, pass, length.
 *
 * @example
 * frameworkRatios(analyse(sweep)).map((r) => r.ratio); // [4.1, 3.8, …]
 */
export function frameworkRatios(analysis: Analysis): FrameworkRatio[] {
  const primary = analysis.platforms[0];
  if (primary === undefined || analysis.platforms.length < 2) return [];
  const rank = new Map(analysis.series.map((s, i) => [s, i]));
  const candidates: FrameworkRatio[] = [];
  for (const p of analysis.series.filter((s) => s.platform === primary)) {
    for (const o of analysis.series.filter((s) => s.platform !== primary && same(s, p))) {
      const byN = new Map(okPoints(o).map((q) => [q.seqLen, q]));
      for (const a of okPoints(p)) {
        const b = byN.get(a.seqLen);
        if (!b || !b.median) continue;
        const A = side(p, a), B = side(o, b);
        candidates.push({
          model: p.model,
          attention: p.attention,
          pass: p.pass,
          seqLen: a.seqLen,
          primary: A,
          other: B,
          ratio: a.median! / b.median,
          range: A.interval && B.interval && B.interval[0] > 0
            ? [A.interval[0] / B.interval[1], A.interval[1] / B.interval[0]]
            : null,
          verdict: !A.interval || !B.interval
            ? "within-noise"
            : A.interval[1] < B.interval[0]
            ? "primary-faster"
            : B.interval[1] < A.interval[0]
            ? "other-faster"
            : "within-noise",
        });
      }
    }
  }
  const group = (r: FrameworkRatio) =>
    [r.primary.series.key, r.other.series.platform, r.other.series.backend, r.seqLen].join("|");
  const matched = new Set(
    candidates.filter((r) => r.primary.series.checkpoint === r.other.series.checkpoint).map(group),
  );
  return candidates
    .filter((r) =>
      r.primary.series.checkpoint === r.other.series.checkpoint || !matched.has(group(r))
    )
    .sort((a, b) =>
      rank.get(a.primary.series)! - rank.get(b.primary.series)! || a.seqLen - b.seqLen ||
      rank.get(a.other.series)! - rank.get(b.other.series)!
    );
}

/**
 * The comparisons of the other platforms that correspond to `c` (same pass, transformer
 * attention, batch, preset and checkpointing), in platform order: the figures a headline
 * computed within `c`'s framework shows beside its own.
 */
export function counterparts(analysis: Analysis, c: Comparison): Comparison[] {
  const order = (x: Comparison) => analysis.platforms.indexOf(x.hyena.platform);
  return analysis.comparisons
    .filter((x) =>
      x.hyena.platform !== c.hyena.platform && x.pass === c.pass &&
      x.transformer.attention === c.transformer.attention && x.hyena.batch === c.hyena.batch &&
      x.hyena.preset === c.hyena.preset && x.hyena.checkpoint === c.hyena.checkpoint &&
      x.transformer.checkpoint === c.transformer.checkpoint
    )
    .sort((a, b) => order(a) - order(b));
}
