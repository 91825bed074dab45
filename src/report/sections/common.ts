/**
 * Small helpers shared by several report sections.
 *
 * @module
 */

import type { SweepResults } from "../../results.ts";
import { fmtBytes, fmtMs } from "../format.ts";

/** Whether a sweep has training rows (their own section replaces the speed headline). */
export function hasTrainRows(results: SweepResults): boolean {
  return results.results.some((r) => r.case?.pass === "train");
}

/** A value as plain text for a table cell: objects as JSON, nothing for null. */
export function plainValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * A field as text for a table cell: numbers under a byte-count name (`memoryBytes`,
 * `memoryBudgetBytes`, `freeBytes`, …) through the report's byte formatter, durations in
 * milliseconds (`wallMs`, `makespanMs`) through its time formatter, the rest as
 * {@linkcode plainValue}.
 */
export function fieldValue(key: string, v: unknown): string {
  if (typeof v === "number" && /bytes$/i.test(key)) return fmtBytes(v);
  if (typeof v === "number" && /Ms$/.test(key)) return fmtMs(v);
  return plainValue(v);
}
