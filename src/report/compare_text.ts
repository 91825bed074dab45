/**
 * The terminal summary of `deno task report <baseline> --compare <candidate>`: which
 * sweep is which, one row per case both ran (medians with their 95% CIs, the ratio
 * candidate ÷ baseline, the verdict beyond the noise), the cases one side only ran, the
 * configuration and environment differences, and the `--fail-if-slower` gate.
 *
 * @module
 */

import type { CaseResult, SweepResults, TimeSummary } from "../results.ts";
import { type CaseDiff, caseKey, regressions, type SweepComparison } from "./compare.ts";
import { fmtNum, fmtRatio } from "./format.ts";
import { textTable } from "./text_table.ts";

/** One side of a comparison, as given on the command line. */
export interface CompareSide {
  /** The path given (file or folder). */
  path: string;
  results: SweepResults;
}

/**
 * A median with its 95% CI in one unit: `6.12 [5.9, 6.3] ms`, `12.3 [12.1, 12.6] s`
 * (seconds from 10 s up); the bare median where there is no CI; the status for a row
 * that is not `ok`.
 */
export function medianText(row: CaseResult): string {
  const t: TimeSummary | null = row.timeMs;
  if (row.status !== "ok" || !t) return row.status;
  const [k, unit] = Math.abs(t.median) >= 10_000 ? [1000, "s"] : [1, "ms"];
  const ci = Array.isArray(t.medianCI)
    ? ` [${fmtNum(t.medianCI[0] / k)}, ${fmtNum(t.medianCI[1] / k)}]`
    : "";
  return `${fmtNum(t.median / k)}${ci} ${unit}`;
}

function sideLine(name: string, s: CompareSide): string {
  const env = (s.results.environment ?? {}) as Record<string, unknown>;
  const commit = typeof env.gitCommit === "string" ? env.gitCommit.slice(0, 12) : "?";
  const dirty = env.gitDirty === true ? " (dirty)" : "";
  return `${name} ${s.results.sweepId} (${s.path}), created ${s.results.createdAt}, ` +
    `commit ${commit}${dirty}`;
}

function verdictText(d: CaseDiff): string {
  if (d.verdict !== "n/a") return d.verdict;
  return d.a.status !== "ok" || d.b.status !== "ok" ? "n/a (not ok)" : "n/a (no interval)";
}

/**
 * The whole terminal report. With `threshold` (a fraction, from `--fail-if-slower`) a
 * `gate` column marks the failing cases and the last line says whether the gate passes.
 */
export function compareText(
  baseline: CompareSide,
  candidate: CompareSide,
  cmp: SweepComparison,
  threshold?: number,
): string {
  const out: string[] = [
    sideLine("Baseline: ", baseline),
    sideLine("Candidate:", candidate),
    "Ratio = candidate median ÷ baseline median: above ×1 the candidate is slower, below ×1 " +
    "faster.",
    "Beyond noise = the two medians' 95% CIs do not overlap (p10–p90 ranges where a CI is " +
    "missing); otherwise: same.",
    "",
  ];
  const failing = new Set(threshold === undefined ? [] : regressions(cmp, threshold));
  const headers = ["case", "baseline median [95% CI]", "candidate median [95% CI]", "ratio"];
  headers.push("verdict", ...(threshold === undefined ? [] : ["gate"]));
  const rows = cmp.matched.map((d) => [
    d.key,
    medianText(d.a),
    medianText(d.b),
    fmtRatio(d.ratio),
    verdictText(d),
    ...(threshold === undefined ? [] : [failing.has(d) ? "FAIL" : ""]),
  ]);
  out.push(
    cmp.matched.length
      ? textTable(headers, rows, ["l", "r", "r", "r", "l", "l"])
      : "No case was run by both sweeps.",
  );
  const count = (v: CaseDiff["verdict"]) => cmp.matched.filter((d) => d.verdict === v).length;
  out.push(
    "",
    `${cmp.matched.length} cases in both: ${count("slower")} slower beyond noise, ` +
      `${count("faster")} faster beyond noise, ${count("same")} same within noise, ` +
      `${count("n/a")} not comparable.`,
  );
  for (const [name, rows] of [["baseline", cmp.onlyA], ["candidate", cmp.onlyB]] as const) {
    if (!rows.length) continue;
    out.push("", `Only in the ${name} (${rows.length}):`);
    for (const r of rows) out.push(`  ${caseKey(r)} (${r.status})`);
  }
  out.push("");
  if (cmp.differences.length) {
    out.push("Configuration and environment differences:");
    out.push(
      textTable(
        ["field", "baseline", "candidate", "cases"],
        cmp.differences.map((d) => [
          d.field,
          d.baseline,
          d.candidate,
          d.cases === undefined ? "" : String(d.cases),
        ]),
        ["l", "l", "l", "r"],
      ),
    );
  } else {
    out.push("Configuration and environment: no differences.");
  }
  if (threshold !== undefined) {
    const pct = `${fmtNum(threshold * 100)}%`;
    out.push(
      "",
      failing.size
        ? `FAIL --fail-if-slower ${pct}: ${failing.size} case(s) slower beyond noise and by ` +
          `more than ${pct}: ${[...failing].map((d) => `${d.key} ${fmtRatio(d.ratio)}`).join(", ")}`
        : `PASS --fail-if-slower ${pct}: no case slower beyond noise and by more than ${pct}.`,
    );
    // The gate compares times; say which baseline cases it could not compare.
    const lost = cmp.matched.filter((d) => d.a.status === "ok" && d.b.status !== "ok");
    if (lost.length || cmp.onlyA.length) {
      const statuses = new Map<string, number>();
      for (const d of lost) statuses.set(d.b.status, (statuses.get(d.b.status) ?? 0) + 1);
      const by = [...statuses].map(([k, n]) => `${n} ${k}`).join(", ");
      out.push(
        `Not gated: ${lost.length} case(s) ok in the baseline but not in the candidate` +
          `${by ? ` (${by})` : ""}, ${cmp.onlyA.length} only in the baseline.`,
      );
    }
  }
  return out.join("\n");
}
