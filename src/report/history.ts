/**
 * History across sweeps (`deno task report --history <results.json|folder>…`), as asv
 * shows a benchmark over commits: the sweeps ordered by commit date (`env.gitCommitDate`,
 * else the sweep's `createdAt`; ties by `createdAt`), each case's median per sweep, and
 * the step changes between consecutive sweeps where the case ran.
 *
 * A step is a change beyond the noise and beyond a threshold: the two medians' 95% CIs
 * do not overlap (p10–p90 where a CI is missing; see {@linkcode differs}) and
 * |later ÷ earlier − 1| > threshold (default 5%, asv's default regression threshold).
 *
 * Pure functions, no I/O.
 *
 * @module
 */

import type { CaseResult, CaseStatus, SweepResults } from "../results.ts";
import { caseKey, type ConfigDiff, configDiffs, differs } from "./compare.ts";

/** One sweep on the history's x-axis. */
export interface HistorySweep {
  /** Where it was read from. */
  path: string;
  sweepId: string;
  createdAt: string;
  /** Full commit hash, or null when the sweep does not record one. */
  commit: string | null;
  /** Whether the working tree had uncommitted changes (null when unknown). */
  dirty: boolean | null;
  /** The date the sweep is ordered by, and where it came from. */
  date: string;
  dateSource: "commit" | "created";
  /**
   * Axis label: `<commit 7>[+] <YYYY-MM-DD HH:MM>` (`+`: dirty), or the sweep id; unique
   * (a repeat gets ` (2)`, ` (3)`, …).
   */
  label: string;
}

/** A case in one sweep. */
export interface HistoryPoint {
  /** Index into {@linkcode History.sweeps}. */
  sweep: number;
  status: CaseStatus;
  /** Median ms (`ok` rows only). */
  median: number | null;
  medianCI: [number, number] | null;
  row: CaseResult;
}

/** A step change between two consecutive sweeps where the case ran `ok`. */
export interface HistoryStep {
  /** Indices of the earlier and the later sweep. */
  from: number;
  to: number;
  fromMs: number;
  toMs: number;
  /** toMs ÷ fromMs. */
  ratio: number;
  direction: "slower" | "faster";
  /**
   * What else changed between the two rows and their sweeps (as in `report --compare`:
   * sweep settings, environment, case settings, worker, load), besides the commit
   * (`env.git*`). Empty from {@linkcode detectSteps}; filled by {@linkcode buildHistory}.
   */
  changed: ConfigDiff[];
}

/** One case across sweeps. */
export interface HistorySeries {
  /** {@linkcode caseKey} of the case. */
  key: string;
  /** The key without the length: the cases drawn in one chart. */
  group: string;
  seqLen: number;
  /** One per sweep that has the case, in sweep order. */
  points: HistoryPoint[];
  steps: HistoryStep[];
}

/** The result of {@linkcode buildHistory}. */
export interface History {
  sweeps: HistorySweep[];
  series: HistorySeries[];
  /** The step threshold used (a fraction). */
  threshold: number;
}

/** A sweep as read: the path given and its contents. */
export interface HistoryInput {
  path: string;
  results: SweepResults;
}

/** Options of {@linkcode buildHistory}. */
export interface HistoryOptions {
  /** Minimum |ratio − 1| of a step (a fraction). Default 0.05. */
  threshold?: number;
}

/** The date a sweep is ordered by: its commit's date when recorded, else `createdAt`. */
export function sweepDate(r: SweepResults): { date: string; source: "commit" | "created" } {
  const d = (r.environment as Record<string, unknown> | undefined)?.gitCommitDate;
  if (typeof d === "string" && Number.isFinite(Date.parse(d))) {
    return { date: d, source: "commit" };
  }
  return { date: r.createdAt, source: "created" };
}

function sweepOf(input: HistoryInput): HistorySweep {
  const env = (input.results.environment ?? {}) as Record<string, unknown>;
  const commit = typeof env.gitCommit === "string" ? env.gitCommit : null;
  const dirty = typeof env.gitDirty === "boolean" ? env.gitDirty : null;
  const { date, source } = sweepDate(input.results);
  const t = Date.parse(date);
  const when = Number.isFinite(t) ? new Date(t).toISOString().slice(0, 16).replace("T", " ") : date;
  return {
    path: input.path,
    sweepId: input.results.sweepId,
    createdAt: input.results.createdAt,
    commit,
    dirty,
    date,
    dateSource: source,
    label: commit ? `${commit.slice(0, 7)}${dirty ? "+" : ""} ${when}` : input.results.sweepId,
  };
}

function time(s: string): number {
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : 0;
}

/** The step changes of a case's points (in sweep order); see the module doc. */
export function detectSteps(points: readonly HistoryPoint[], threshold: number): HistoryStep[] {
  const ok = points.filter((p) => p.status === "ok" && p.median !== null && p.median > 0);
  const steps: HistoryStep[] = [];
  for (let i = 1; i < ok.length; i++) {
    const a = ok[i - 1], b = ok[i];
    const ratio = b.median! / a.median!;
    if (differs(a.row, b.row).significant !== true || Math.abs(ratio - 1) <= threshold) continue;
    steps.push({
      from: a.sweep,
      to: b.sweep,
      fromMs: a.median!,
      toMs: b.median!,
      ratio,
      direction: ratio > 1 ? "slower" : "faster",
      changed: [],
    });
  }
  return steps;
}

/**
 * Orders the sweeps, collects every case's points and finds its steps. Within one sweep
 * a case's `ok` row wins over a repeated failed one. Series are sorted by group, then
 * length.
 */
export function buildHistory(
  inputs: readonly HistoryInput[],
  options: HistoryOptions = {},
): History {
  const threshold = options.threshold ?? 0.05;
  const ordered = inputs.map((input) => ({ input, sweep: sweepOf(input) })).sort((x, y) =>
    time(x.sweep.date) - time(y.sweep.date) ||
    time(x.sweep.createdAt) - time(y.sweep.createdAt)
  );
  const byKey = new Map<string, HistorySeries>();
  ordered.forEach(({ input }, s) => {
    const rows = new Map<string, CaseResult>();
    for (const r of input.results.results) {
      const k = caseKey(r), had = rows.get(k);
      if (!had || (had.status !== "ok" && r.status === "ok")) rows.set(k, r);
    }
    for (const [key, row] of rows) {
      const seqLen = Number(row.case?.seqLen);
      const series = byKey.get(key) ?? {
        key,
        group: key.split("/").filter((_, i) => i !== 3).join("/"),
        seqLen,
        points: [],
        steps: [],
      };
      const ok = row.status === "ok" && row.timeMs;
      series.points.push({
        sweep: s,
        status: row.status,
        median: ok ? row.timeMs!.median : null,
        medianCI: ok && Array.isArray(row.timeMs!.medianCI) ? row.timeMs!.medianCI : null,
        row,
      });
      byKey.set(key, series);
    }
  });
  const series = [...byKey.values()].sort((a, b) =>
    a.group.localeCompare(b.group) || a.seqLen - b.seqLen
  );
  const results = ordered.map((o) => o.input.results);
  for (const s of series) {
    s.steps = detectSteps(s.points, threshold);
    for (const t of s.steps) {
      const row = (i: number) => s.points.find((p) => p.sweep === i)!.row;
      t.changed = configDiffs(results[t.from], results[t.to], [{ a: row(t.from), b: row(t.to) }])
        .filter((d) => !d.field.startsWith("env.git"));
    }
  }
  const sweeps = ordered.map((o) => o.sweep);
  // Labels name category positions on the x-axis: make repeats (same commit and minute) unique.
  const seen = new Map<string, number>();
  for (const s of sweeps) {
    const n = (seen.get(s.label) ?? 0) + 1;
    seen.set(s.label, n);
    if (n > 1) s.label = `${s.label} (${n})`;
  }
  return { sweeps, series, threshold };
}
