/**
 * Two sweeps side by side (`deno task report <baseline> --compare <candidate>`): for
 * every case both ran, the ratio candidate ÷ baseline of their median times and memory
 * (above 1: the candidate is slower), whether the time difference is larger than the
 * noise, the cases only one side ran, what differs in their configuration and
 * environment, and the regression gate of `--fail-if-slower`.
 *
 * Naming: A is the baseline (the report's own sweep), B the candidate.
 *
 * @module
 */

import type { CaseResult, SweepResults } from "../results.ts";
import { fmtBytes } from "./format.ts";

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
  /** Candidate (B) median ÷ baseline (A) median (> 1: slower). `null` unless both are `ok`. */
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

/** One configuration or environment field whose value differs between the sweeps. */
export interface ConfigDiff {
  /** `sweep.<field>`, `env.<field>`, `case.<field>`, `memory.budgetBytes` or `worker.<field>`. */
  field: string;
  /** The values as text (`–` where absent). */
  baseline: string;
  candidate: string;
  /** For per-case fields: how many matched cases differ this way. */
  cases?: number;
}

/** The result of {@linkcode compareSweeps}. */
export interface SweepComparison {
  /** Baseline (A) and candidate (B) sweep ids. */
  aId: string;
  bId: string;
  matched: CaseDiff[];
  /** Rows only in A (the baseline), only in B (the candidate). */
  onlyA: CaseResult[];
  onlyB: CaseResult[];
  /** Configuration and environment differences (see {@linkcode configDiffs}). */
  differences: ConfigDiff[];
}

/**
 * The matching key of a case: its identifying fields joined by `/`
 * (`model/attention/pass/seqLen/batch/preset/backend`, then `/task` for training cases,
 * so the two recall vocabularies and n-body never match each other, then the framework
 * and device of non-TensorFlow.js cases, so a PyTorch row never matches a tfjs one, and
 * `checkpoint` for checkpointed backward cases, which never match plain ones).
 */
export function caseKey(row: CaseResult): string {
  const c = row.case ?? ({} as CaseResult["case"]);
  const key = [c.model, c.attention ?? "-", c.pass, c.seqLen, c.batch, c.preset, c.backend];
  if (c.task !== undefined) key.push(String(c.task));
  if (c.framework !== undefined && c.framework !== "tfjs") {
    key.push(String(c.framework), ...(c.device !== undefined ? [String(c.device)] : []));
  }
  if (c.checkpoint === true) key.push("checkpoint");
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
  const matched = pairs.filter((p): p is CaseDiff => p !== null);
  return {
    aId: a.sweepId,
    bId: b.sweepId,
    matched,
    onlyA: a.results.filter((_, i) => pairs[i] === null),
    onlyB: bRows.filter((_, i) => !used.has(i)),
    differences: configDiffs(a, b, matched),
  };
}

/** Sweep-level fields that describe a run rather than its configuration. */
const RUN_FIELDS = new Set([
  "sweepId",
  "createdAt",
  "finishedAt",
  "wallMs",
  "description",
  "results",
  "environment",
]);
/** Case fields that are part of {@linkcode caseKey} (equal in every field match). */
const KEY_FIELDS = new Set([
  "model",
  "attention",
  "pass",
  "seqLen",
  "batch",
  "preset",
  "backend",
  "task",
  "framework",
  "device",
  "label",
]);

/**
 * A value as text for a difference listing: strings bare, byte counts (fields named
 * `…Bytes`) as `1 GiB (1073741824)`, the rest as JSON; `–` if absent.
 */
export function valueText(v: unknown, field = ""): string {
  if (v === undefined || v === null) return "–";
  if (typeof v === "number" && /Bytes$/.test(field)) return `${fmtBytes(v)} (${v})`;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The mean of a row's 1-minute load averages before and after the case (`loadAvg`). */
function rowLoad(row: CaseResult): number | null {
  if (!row.loadAvg) return null;
  return (row.loadAvg.before[0] + row.loadAvg.after[0]) / 2;
}

function meanLoad(rows: readonly CaseResult[]): number | null {
  const l = rows.map(rowLoad).filter((x): x is number => x !== null);
  return l.length ? l.reduce((s, x) => s + x, 0) / l.length : null;
}

/**
 * What differs between two sweeps besides the code: sweep-level scalar settings
 * (`sweep.preset`, `sweep.memoryBudgetBytes`, `sweep.mode`, …), every environment field
 * (`env.gitCommit`, `env.gitDirty`, `env.host`, `env.cpuModel`, `env.deno`, `env.tfjs`,
 * …), and per matched pair of rows the settings outside the matching key (`case.budgetMs`,
 * `case.repeats`, `case.timeoutMs`, …), the memory budget and the worker (host, device,
 * backend, framework), counted over cases; finally the mean load average over the
 * cases where the rows record one (`load (mean over cases)`, two decimals).
 */
export function configDiffs(
  a: SweepResults,
  b: SweepResults,
  matched: readonly { a: CaseResult; b: CaseResult }[],
): ConfigDiff[] {
  const out: ConfigDiff[] = [];
  const scalar = (v: unknown) => v === null || typeof v !== "object";
  const topKeys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of topKeys) {
    if (RUN_FIELDS.has(k) || !scalar(a[k]) || !scalar(b[k])) continue;
    const x = valueText(a[k], k), y = valueText(b[k], k);
    if (x !== y) out.push({ field: `sweep.${k}`, baseline: x, candidate: y });
  }
  const ea = (a.environment ?? {}) as Record<string, unknown>;
  const eb = (b.environment ?? {}) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ea), ...Object.keys(eb)])) {
    const x = valueText(ea[k], k), y = valueText(eb[k], k);
    if (x !== y) out.push({ field: `env.${k}`, baseline: x, candidate: y });
  }
  const perCase = new Map<string, ConfigDiff>();
  const note = (field: string, x: unknown, y: unknown) => {
    const bx = valueText(x, field), by = valueText(y, field);
    if (bx === by) return;
    const id = JSON.stringify([field, bx, by]);
    const d = perCase.get(id) ?? { field, baseline: bx, candidate: by, cases: 0 };
    d.cases! += 1;
    perCase.set(id, d);
  };
  for (const d of matched) {
    const ca = d.a.case ?? {}, cb = d.b.case ?? {};
    for (const k of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
      if (!KEY_FIELDS.has(k)) note(`case.${k}`, ca[k], cb[k]);
    }
    note("memory.budgetBytes", d.a.memory?.budgetBytes, d.b.memory?.budgetBytes);
    for (const k of ["host", "device", "backend", "framework"] as const) {
      note(`worker.${k}`, d.a.worker?.[k], d.b.worker?.[k]);
    }
  }
  out.push(...perCase.values());
  const la = meanLoad(matched.map((d) => d.a)), lb = meanLoad(matched.map((d) => d.b));
  if ((la !== null || lb !== null) && la?.toFixed(2) !== lb?.toFixed(2)) {
    out.push({
      field: "load (mean over cases)",
      baseline: la === null ? "–" : la.toFixed(2),
      candidate: lb === null ? "–" : lb.toFixed(2),
    });
  }
  return out;
}

/**
 * Parses a `--fail-if-slower` threshold: a non-negative percentage, `5%` or `5`
 * (both 0.05). Returns the fraction, or `null` when `text` is not one.
 */
export function parseThreshold(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]) / 100;
  return Number.isFinite(v) ? v : null;
}

/**
 * The regressions a gate fails on: matched cases whose candidate is slower beyond the
 * noise (verdict `slower`) and by more than `threshold` (ratio > 1 + threshold).
 */
export function regressions(cmp: SweepComparison, threshold: number): CaseDiff[] {
  return cmp.matched.filter((d) =>
    d.verdict === "slower" && d.ratio !== null && d.ratio > 1 + threshold
  );
}
