/**
 * Sweeps derived from the report fixture ({@linkcode fixtureSweep}) for the compare and
 * history tests: every time scaled, and a series of sweeps over commits with known steps.
 *
 * @module
 */

import type { CaseResult, SweepResults } from "../../results.ts";
import { fixtureSweep } from "./fixture.ts";

/** A copy of `sweep` with every time figure of the rows matching `where` multiplied by `k`. */
export function scaleTimes(
  sweep: SweepResults,
  k: number,
  where: (r: CaseResult) => boolean = () => true,
): SweepResults {
  const copy: SweepResults = structuredClone(sweep);
  for (const r of copy.results) {
    if (!r.timeMs || !where(r)) continue;
    const t = r.timeMs;
    for (const f of ["median", "mean", "min", "max", "p10", "p90"] as const) t[f] *= k;
    if (t.medianCI) t.medianCI = [t.medianCI[0] * k, t.medianCI[1] * k];
  }
  return copy;
}

/** The case that steps in {@linkcode historySweeps}. */
export const STEP_CASE = "se3-hyena/-/forward/1024/1/quick/wasm";
/** A case whose change in {@linkcode historySweeps} is over 5% but within its noise. */
export const NOISY_CASE = "se3-hyena/-/forward/4096/1/quick/wasm";
/** A case whose change in {@linkcode historySweeps} is beyond noise but under 5%. */
export const SMALL_CASE = "se3-hyena/-/forward/2048/1/quick/wasm";

/**
 * Four sweeps of the fixture on four commits, returned out of order (commit dates
 * 2026-01-01 … 04, the third recorded only by `createdAt`):
 *
 * 1. `c1` (dirty) — the fixture as is.
 * 2. `c2`, run last (`createdAt` 2026-01-05) — {@linkcode STEP_CASE} ×1.02 (within its ±3%
 *    CI: no step); {@linkcode NOISY_CASE} ×1.08 (its CIs are ±10% in every sweep: no step).
 * 3. `c3` — {@linkcode STEP_CASE} ×1.5 of sweep 1 (a slower step); {@linkcode SMALL_CASE}
 *    ×1.04 (its CIs are ±1% in every sweep: beyond noise, under 5%: no step).
 * 4. `c4` — {@linkcode STEP_CASE} back to ×1 (a faster step); the transformer rows gone;
 *    run on Deno 2.9.7 (the others 2.9.6).
 */
export function historySweeps(): { path: string; results: SweepResults }[] {
  const key = (r: CaseResult) =>
    r.case.model === "se3-hyena" && r.case.pass === "forward" && r.case.seqLen;
  const at = (n: number) => (r: CaseResult) => key(r) === n;
  const sweep = (i: number, s: SweepResults, date: string | null, dirty = false) => {
    s.sweepId = `hist-${i}`;
    s.createdAt = `2026-01-0${i === 2 ? 5 : i}T12:00:00.000Z`;
    s.environment = {
      ...s.environment,
      gitCommit: `c${i}${"0".repeat(39)}`,
      gitDirty: dirty,
      ...(date ? { gitCommitDate: date } : {}),
    };
    return { path: `sweeps/${i}/results.json`, results: s };
  };
  const base = fixtureSweep();
  for (const r of base.results.filter(at(2048))) {
    const m = r.timeMs!.median;
    r.timeMs!.medianCI = [m * 0.99, m * 1.01];
  }
  for (const r of base.results.filter(at(4096))) {
    const m = r.timeMs!.median;
    r.timeMs!.medianCI = [m * 0.9, m * 1.1];
  }
  const s1 = sweep(1, structuredClone(base), "2026-01-01T09:00:00+00:00", true);
  const s2 = sweep(
    2,
    scaleTimes(scaleTimes(base, 1.02, at(1024)), 1.08, at(4096)),
    "2026-01-02T09:00:00+00:00",
  );
  const s3 = sweep(3, scaleTimes(scaleTimes(base, 1.5, at(1024)), 1.04, at(2048)), null);
  const fourth = structuredClone(base);
  fourth.results = fourth.results.filter((r) => r.case.model !== "equivariant-transformer");
  const s4 = sweep(4, fourth, "2026-01-04T09:00:00+00:00");
  s4.results.environment.deno = "2.9.7";
  return [s3, s4, s1, s2];
}
