/**
 * A result row with no measurements yet (or none, for a failure): the one place that
 * fills a {@link CaseResult}'s required fields. Free of TensorFlow.js imports, so the
 * parent process (isolated.ts) and the child (measure.ts) share it.
 *
 * @module
 */
import { caseId } from "../case/id.ts";
import { hostName } from "../environment.ts";
import { passFlops } from "../flops.ts";
import type { Case, CaseResult } from "../results.ts";
import { caseThreads } from "./threads.ts";

/** The figures a caller may already know when it builds an empty result. */
export interface EmptyResultFields {
  /** Error message (failures). */
  error?: string;
  /** Peak RSS seen so far. Default null. */
  rssPeakBytes?: number | null;
  /** Memory budget of the case. Default null. */
  budgetBytes?: number | null;
  /** Device name. Default "". */
  device?: string;
}

/** A result of case `c` with `status`, no timings, and the analytic FLOPs filled in. */
export function emptyResult(
  c: Case,
  status: CaseResult["status"],
  fields: EmptyResultFields = {},
): CaseResult {
  return {
    id: caseId(c),
    case: c,
    status,
    timeMs: null,
    memory: {
      peakBytes: null,
      rssPeakBytes: fields.rssPeakBytes ?? null,
      deviceBytes: null,
      budgetBytes: fields.budgetBytes ?? null,
    },
    flops: passFlops(c),
    threads: caseThreads(c),
    worker: { host: hostName(), device: fields.device ?? "", backend: c.backend },
    ...(fields.error === undefined ? {} : { error: fields.error }),
  };
}
