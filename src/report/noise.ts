/**
 * How noisy each measurement is, from `results.json` rows: the median's ~95% CI half-width
 * relative to the median (flagged above {@linkcode NOISY_CI}), the machine's load average
 * around the case, and lengths slower than the next longer one of their series beyond both
 * CIs (non-monotone times: noise, or a real effect worth a look).
 *
 * Pure functions, no I/O.
 *
 * @module
 */

import type { CaseResult, SweepResults } from "../results.ts";
import { type Analysis, modelName, okPoints, platformName, platformOf } from "./analysis.ts";
import { noiseInterval } from "./claims.ts";
import { fmtInt } from "./format.ts";

/** CI half-width over the median above which a case is flagged noisy (10%). */
export const NOISY_CI = 0.1;

/** The noise figures of one timed row. */
export interface CaseNoise {
  row: CaseResult;
  /** Short description: model, attention, pass, backend, N (and task for training). */
  label: string;
  median: number;
  ci: [number, number] | null;
  /** CI half-width ÷ median (null without a CI). */
  relHalfWidth: number | null;
  /** `relHalfWidth > NOISY_CI`. */
  noisy: boolean;
  /** 1-minute load average before and after the case (null where not recorded). */
  loadBefore: number | null;
  loadAfter: number | null;
  /** The load exceeded the machine's core count before or after the case. */
  loaded: boolean;
}

/** A length slower than the next longer length of its series, beyond both CIs. */
export interface NonMonotone {
  series: string;
  shorter: { seqLen: number; median: number; ci: [number, number] };
  longer: { seqLen: number; median: number; ci: [number, number] };
}

/** The noise of a sweep. */
export interface NoiseReport {
  cases: CaseNoise[];
  nonMonotone: NonMonotone[];
  /** Range of the 1-minute load averages recorded (null: none recorded). */
  loadRange: [number, number] | null;
  /** Cores of the machine (environment.cpus), the reference for "loaded". */
  cpus: number | null;
}

/**
 * A row's short description: model, attention, pass, backend (TensorFlow.js) or framework
 * and device (PyTorch), `checkpointed`, task, N.
 */
export function caseLabel(r: CaseResult): string {
  const c = r.case;
  const parts = [modelName(String(c.model))];
  if (c.attention) parts.push(String(c.attention));
  const platform = platformOf(c);
  // A PyTorch row's backend field does not apply: its framework and device say where it ran.
  parts.push(String(c.pass), platform === "tfjs" ? String(c.backend) : platformName(platform));
  if (c.checkpoint === true) parts.push("checkpointed");
  if (typeof c.task === "string") parts.push(c.task);
  return `${parts.join(" · ")} · N = ${fmtInt(c.seqLen)}`;
}

function num(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/** The noise figures of one row, or null when it has no timings. */
export function caseNoise(r: CaseResult, cpus: number | null = null): CaseNoise | null {
  const t = r.timeMs;
  const median = num(t?.median);
  if (r.status !== "ok" || !t || median === null) return null;
  const ci = Array.isArray(t.medianCI) && num(t.medianCI[0]) !== null && num(t.medianCI[1]) !== null
    ? [t.medianCI[0], t.medianCI[1]] as [number, number]
    : null;
  const relHalfWidth = ci && median > 0 ? (ci[1] - ci[0]) / 2 / median : null;
  const load = r.loadAvg as { before?: unknown[]; after?: unknown[] } | undefined;
  const loadBefore = num(load?.before?.[0]), loadAfter = num(load?.after?.[0]);
  return {
    row: r,
    label: caseLabel(r),
    median,
    ci,
    relHalfWidth,
    noisy: relHalfWidth !== null && relHalfWidth > NOISY_CI,
    loadBefore,
    loadAfter,
    loaded: cpus !== null && Math.max(loadBefore ?? 0, loadAfter ?? 0) > cpus,
  };
}

/**
 * Pairs of consecutive `ok` lengths of a series where the shorter one is slower beyond
 * both noise intervals (its interval lies entirely above the longer one's).
 */
export function nonMonotone(analysis: Analysis): NonMonotone[] {
  const out: NonMonotone[] = [];
  for (const s of analysis.series) {
    const ps = okPoints(s);
    for (let i = 0; i + 1 < ps.length; i++) {
      const a = noiseInterval(ps[i]), b = noiseInterval(ps[i + 1]);
      if (a && b && a[0] > b[1]) {
        out.push({
          series: s.label,
          shorter: { seqLen: ps[i].seqLen, median: ps[i].median!, ci: a },
          longer: { seqLen: ps[i + 1].seqLen, median: ps[i + 1].median!, ci: b },
        });
      }
    }
  }
  return out;
}

/** The noise report of a sweep. */
export function noiseReport(results: SweepResults, analysis: Analysis): NoiseReport {
  const cpus = num(results.environment?.cpus);
  const cases = results.results.map((r) => caseNoise(r, cpus)).filter((c): c is CaseNoise =>
    c !== null
  );
  const loads = cases.flatMap((c) => [c.loadBefore, c.loadAfter]).filter((x): x is number =>
    x !== null
  );
  return {
    cases,
    nonMonotone: nonMonotone(analysis),
    loadRange: loads.length ? [Math.min(...loads), Math.max(...loads)] : null,
    cpus,
  };
}
