/**
 * What a sweep actually ran, read from its rows (not from the preset's description, which
 * is text recorded when the sweep started): models, passes, lengths, epochs and the wall
 * time from the first case's start to the last case's finish.
 *
 * @module
 */

import type { SweepResults } from "../results.ts";
import { modelName } from "./analysis.ts";
import { fmtInt, fmtMs } from "./format.ts";

function distinctNumbers(xs: readonly unknown[]): number[] {
  return [...new Set(xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x)))]
    .sort((a, b) => a - b);
}

function listOrRange(ns: readonly number[]): string {
  if (ns.length <= 4) return ns.map(fmtInt).join(", ");
  return `${fmtInt(ns[0])} … ${fmtInt(ns.at(-1))} (${ns.length} lengths)`;
}

/**
 * One line: `12 cases: SE(3)-Hyena, equivariant transformer; forward, backward; N = 64 …
 * 65,536 (11 lengths); 150 epochs; wall 5.07 min (first start to last finish)`.
 */
export function ranSummary(results: SweepResults): string {
  const rows = Array.isArray(results.results) ? results.results : [];
  if (!rows.length) return "no cases";
  const models = [...new Set(rows.map((r) => modelName(String(r.case?.model))))];
  const passes = [...new Set(rows.map((r) => String(r.case?.pass)))];
  const lengths = distinctNumbers(rows.map((r) => r.case?.seqLen));
  const parts = [
    `${rows.length} case${rows.length === 1 ? "" : "s"}: ${models.join(", ")}`,
    passes.join(", "),
    `N = ${listOrRange(lengths)}`,
  ];
  const train = rows.filter((r) => r.case?.pass === "train");
  if (train.length) {
    const planned = distinctNumbers(train.map((r) => r.case?.epochs));
    const run = distinctNumbers(train.map((r) => r.epochsRun));
    if (planned.length) parts.push(`${planned.join(", ")} epochs planned`);
    if (run.length) parts.push(`${run.join(", ")} run`);
  }
  const starts = rows.map((r) => Date.parse(String(r.startedAt ?? ""))).filter(Number.isFinite);
  const ends = rows.map((r) => Date.parse(String(r.finishedAt ?? ""))).filter(Number.isFinite);
  if (starts.length && ends.length) {
    const ms = Math.max(...ends) - Math.min(...starts);
    if (ms >= 0) {
      const wall = ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : fmtMs(ms);
      parts.push(`wall ${wall} (first start to last finish)`);
    }
  }
  return parts.join("; ");
}
