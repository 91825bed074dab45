/**
 * Small helpers shared by several report sections.
 *
 * @module
 */

import type { SweepResults } from "../../results.ts";

/** Whether a sweep has training rows (their own section replaces the speed headline). */
export function hasTrainRows(results: SweepResults): boolean {
  return results.results.some((r) => r.case?.pass === "train");
}

/** A value as plain text for a table cell: objects as JSON, nothing for null. */
export function plainValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
