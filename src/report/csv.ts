/**
 * `results.csv`: one line per result row, RFC 4180 quoting, for spreadsheets and
 * quick `awk`. Columns are fixed (see {@linkcode CSV_COLUMNS}); extra fields of a row
 * are not exported.
 *
 * @module
 */

import type { CaseResult, SweepResults } from "../results.ts";

/** One CSV column: its header and how to read it from a row. */
export interface CsvColumn {
  header: string;
  get: (row: CaseResult) => unknown;
}

/** The columns of `results.csv`, in order. Times in ms, memory in bytes. */
export const CSV_COLUMNS: readonly CsvColumn[] = [
  { header: "id", get: (r) => r.id },
  { header: "model", get: (r) => r.case?.model },
  { header: "attention", get: (r) => r.case?.attention },
  { header: "pass", get: (r) => r.case?.pass },
  { header: "seqLen", get: (r) => r.case?.seqLen },
  { header: "batch", get: (r) => r.case?.batch },
  { header: "preset", get: (r) => r.case?.preset },
  { header: "backend", get: (r) => r.case?.backend },
  { header: "dtype", get: (r) => r.case?.dtype },
  { header: "label", get: (r) => r.case?.label },
  { header: "status", get: (r) => r.status },
  { header: "medianMs", get: (r) => r.timeMs?.median },
  { header: "meanMs", get: (r) => r.timeMs?.mean },
  { header: "minMs", get: (r) => r.timeMs?.min },
  { header: "maxMs", get: (r) => r.timeMs?.max },
  { header: "p10Ms", get: (r) => r.timeMs?.p10 },
  { header: "p90Ms", get: (r) => r.timeMs?.p90 },
  { header: "n", get: (r) => r.timeMs?.n },
  { header: "medianCILowMs", get: (r) => r.timeMs?.medianCI?.[0] },
  { header: "medianCIHighMs", get: (r) => r.timeMs?.medianCI?.[1] },
  { header: "outliers", get: (r) => r.timeMs?.outliers },
  { header: "peakBytes", get: (r) => r.memory?.peakBytes },
  { header: "rssPeakBytes", get: (r) => r.memory?.rssPeakBytes },
  { header: "deviceBytes", get: (r) => r.memory?.deviceBytes },
  { header: "budgetBytes", get: (r) => r.memory?.budgetBytes },
  { header: "flops", get: (r) => r.flops },
  { header: "host", get: (r) => r.worker?.host },
  { header: "device", get: (r) => r.worker?.device },
  { header: "workerBackend", get: (r) => r.worker?.backend },
  { header: "workerId", get: (r) => r.worker?.id },
  { header: "startedAt", get: (r) => r.startedAt },
  { header: "finishedAt", get: (r) => r.finishedAt },
  { header: "oomAt", get: (r) => r.oomAt },
  { header: "error", get: (r) => r.error },
  // Appended (readers by position keep working): load averages around the case, 1 minute.
  { header: "load1Before", get: (r) => r.loadAvg?.before?.[0] },
  { header: "load1After", get: (r) => r.loadAvg?.after?.[0] },
  // Appended: which framework ran the case (rows without one are TensorFlow.js), PyTorch's
  // device, gradient checkpointing, and the framework version the worker recorded.
  { header: "framework", get: (r) => r.case?.framework ?? "tfjs" },
  { header: "torchDevice", get: (r) => r.case?.device },
  { header: "checkpoint", get: (r) => r.case?.checkpoint === true },
  { header: "workerFramework", get: (r) => r.worker?.framework },
];

/**
 * Formats one CSV field (RFC 4180): `null`/`undefined` give an empty field; a field
 * containing a comma, a double quote, CR or LF is wrapped in double quotes with inner
 * quotes doubled. Objects are written as JSON.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Renders the rows of a sweep as CSV text (header line first, CRLF line ends). */
export function toCsv(results: SweepResults, columns: readonly CsvColumn[] = CSV_COLUMNS): string {
  const lines = [columns.map((c) => csvField(c.header)).join(",")];
  for (const row of results.results) {
    lines.push(columns.map((c) => csvField(c.get(row))).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
