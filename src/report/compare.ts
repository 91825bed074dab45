/**
 * Two sweeps side by side (`deno task report a.json --compare b.json`): for every case
 * both ran, the ratio of their median times and memory, and whether the time
 * difference is larger than the noise.
 *
 * @module
 */

import type { CaseResult, SweepResults } from "../results.ts";

/** How a result of sweep B was matched to one of sweep A. */
export type MatchKind = "id" | "fields";

/** One case measured in both sweeps. */
export interface CaseDiff {
  /** The case's fields, `model/attention/pass/seqLen/batch/preset/backend`. */
  key: string;
  matchedBy: MatchKind;
  a: CaseResult;
  b: CaseResult;
  aMs: number | null;
  bMs: number | null;
  /** B median / A median (< 1: B is faster). `null` unless both are `ok`. */
  ratio: number | null;
  /** B peak bytes / A peak bytes, where both are known. */
  memoryRatio: number | null;
  /** The intervals compared: the medians' ~95% CIs when both have one, else p10–p90. */
  interval: "medianCI" | "p10-p90" | null;
  /** True when the two intervals do not overlap; `null` when not comparable. */
  significant: boolean | null;
  /** `faster`/`slower`: B against A, beyond the noise; `same`: within it; `n/a`. */
  verdict: "faster" | "slower" | "same" | "n/a";
}

/** The result of {@linkcode compareSweeps}. */
export interface SweepComparison {
  aId: string;
  bId: string;
  matched: CaseDiff[];
  /** Rows only in A, only in B. */
  onlyA: CaseResult[];
  onlyB: CaseResult[];
}

/**
 * The matching key of a case: its identifying fields joined by `/`
 * (`model/attention/pass/seqLen/batch/preset/backend`, then `/task` for training cases,
 * so the two recall vocabularies and n-body never match each other).
 */
export function caseKey(row: CaseResult): string {
  const c = row.case ?? ({} as CaseResult["case"]);
  const key = [c.model, c.attention ?? "-", c.pass, c.seqLen, c.batch, c.preset, c.backend];
  if (c.task !== undefined) key.push(String(c.task));
  return key.join("/");
}

function interval(row: CaseResult, kind: "medianCI" | "p10-p90"): [number, number] | null {
  const t = row.timeMs;
  if (row.status !== "ok" || !t) return null;
  if (kind === "medianCI") return Array.isArray(t.medianCI) ? t.medianCI : null;
  return typeof t.p10 === "number" && typeof t.p90 === "number" ? [t.p10, t.p90] : null;
}

/**
 * Whether the time difference of two `ok` rows exceeds the noise: their medians'
 * confidence intervals (or, when either lacks one, their p10–p90 ranges) do not overlap.
 */
export function differs(
  a: CaseResult,
  b: CaseResult,
): { interval: CaseDiff["interval"]; significant: boolean | null } {
  for (const kind of ["medianCI", "p10-p90"] as const) {
    const ia = interval(a, kind), ib = interval(b, kind);
    if (ia && ib) return { interval: kind, significant: ia[1] < ib[0] || ib[1] < ia[0] };
  }
  return { interval: null, significant: null };
}

function diff(a: CaseResult, b: CaseResult, matchedBy: MatchKind): CaseDiff {
  const aMs = a.status === "ok" ? a.timeMs?.median ?? null : null;
  const bMs = b.status === "ok" ? b.timeMs?.median ?? null : null;
  const ratio = aMs && bMs !== null ? bMs / aMs : null;
  const ap = a.memory?.peakBytes ?? null, bp = b.memory?.peakBytes ?? null;
  const { interval, significant } = differs(a, b);
  const verdict = ratio === null || significant === null
    ? "n/a"
    : !significant
    ? "same"
    : ratio < 1
    ? "faster"
    : "slower";
  return {
    key: caseKey(a),
    matchedBy,
    a,
    b,
    aMs,
    bMs,
    ratio,
    memoryRatio: ap && bp !== null ? bp / ap : null,
    interval,
    significant,
    verdict,
  };
}

/**
 * Matches the rows of two sweeps (by case id, then by the case's fields — see
 * {@linkcode caseKey}; each row is matched at most once) and compares each pair.
 * Matched pairs keep A's order.
 */
export function compareSweeps(a: SweepResults, b: SweepResults): SweepComparison {
  const bRows = [...b.results];
  const used = new Set<number>();
  const byId = new Map<string, number>();
  const byKey = new Map<string, number[]>();
  bRows.forEach((r, i) => {
    if (!byId.has(r.id)) byId.set(r.id, i);
    const k = caseKey(r);
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  const pairs: (CaseDiff | null)[] = a.results.map(() => null);
  // Ids first, for every row, so a field match never steals a row another matches by id.
  a.results.forEach((r, ai) => {
    const i = byId.get(r.id);
    if (i !== undefined && !used.has(i)) (used.add(i), pairs[ai] = diff(r, bRows[i], "id"));
  });
  a.results.forEach((r, ai) => {
    if (pairs[ai]) return;
    const i = (byKey.get(caseKey(r)) ?? []).find((j) => !used.has(j));
    if (i !== undefined) (used.add(i), pairs[ai] = diff(r, bRows[i], "fields"));
  });
  return {
    aId: a.sweepId,
    bId: b.sweepId,
    matched: pairs.filter((p): p is CaseDiff => p !== null),
    onlyA: a.results.filter((_, i) => pairs[i] === null),
    onlyB: bRows.filter((_, i) => !used.has(i)),
  };
}
