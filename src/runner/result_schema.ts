/**
 * The results contract (src/results.ts) as a validator: one definition that every
 * framework's result rows must pass (tests run it on TensorFlow.js and PyTorch children's
 * output alike).
 *
 * Beyond the shapes it checks the invariants readers rely on: the id is the case's own
 * (`caseId(parseCase(case))`), `ok` rows have timings, `oom` rows say at what size, failed
 * rows say why, and the timing summary is ordered (`min ≤ p10 ≤ median ≤ p90 ≤ max`, the
 * median inside its confidence interval, `n` samples).
 *
 * @module
 */
import { z } from "zod";
import { caseId } from "../case/id.ts";
import { formatIssues, parseCase } from "../case/schema.ts";
import type { CaseResult } from "../results.ts";

const bytes = z.number().nonnegative().nullable();
const finite = z.number().refine(Number.isFinite, { error: "expected a finite number" });

/** {@link TimeSummary} (src/results.ts). */
export const TimeSummarySchema = z.looseObject({
  median: finite,
  mean: finite,
  min: finite,
  max: finite,
  p10: finite,
  p90: finite,
  n: z.number().int().positive(),
  medianCI: z.tuple([finite, finite]).optional(),
  outliers: z.number().int().nonnegative().optional(),
  samples: z.array(finite).optional(),
}).superRefine((t, ctx) => {
  const order = [t.min, t.p10, t.median, t.p90, t.max];
  if (order.some((v, i) => i > 0 && v < order[i - 1] - 1e-9 * Math.abs(v))) {
    ctx.addIssue({
      code: "custom",
      message: `expected min ≤ p10 ≤ median ≤ p90 ≤ max, got ${order}`,
    });
  }
  if (t.samples && t.samples.length !== t.n) {
    ctx.addIssue({ code: "custom", path: ["samples"], message: `expected n = ${t.n} samples` });
  }
  if (t.medianCI && (t.medianCI[0] > t.median || t.medianCI[1] < t.median)) {
    ctx.addIssue({ code: "custom", path: ["medianCI"], message: "expected to contain the median" });
  }
});

/** {@link CaseResult} (src/results.ts), minus the case (checked by `parseCase`). */
export const CaseResultSchema = z.looseObject({
  id: z.string().regex(/^[0-9a-f]{16}$/, { error: "expected 16 hex digits" }),
  case: z.looseObject({}),
  status: z.enum(["ok", "oom", "timeout", "error", "failed"]),
  timeMs: TimeSummarySchema.nullable(),
  memory: z.looseObject({
    peakBytes: bytes,
    rssPeakBytes: bytes,
    deviceBytes: bytes,
    budgetBytes: bytes.optional(),
  }),
  flops: z.number().nonnegative().nullable(),
  worker: z.looseObject({
    host: z.string(),
    device: z.string(),
    backend: z.string(),
    id: z.string().optional(),
    framework: z.string().optional(),
  }),
  error: z.string().optional(),
  oomAt: z.number().int().positive().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
}).superRefine((r, ctx) => {
  if (r.status === "ok" && r.timeMs === null) {
    ctx.addIssue({ code: "custom", path: ["timeMs"], message: "an ok row needs timings" });
  }
  if (r.status === "oom" && r.oomAt === undefined) {
    ctx.addIssue({ code: "custom", path: ["oomAt"], message: "an oom row needs oomAt" });
  }
  if (r.status !== "ok" && !r.error) {
    ctx.addIssue({ code: "custom", path: ["error"], message: `a ${r.status} row needs an error` });
  }
});

/**
 * Validates a result row against the contract; returns it typed.
 *
 * @throws Error listing every problem as `field: problem, got value`.
 */
export function validateResult(input: unknown): CaseResult {
  const r = CaseResultSchema.safeParse(input);
  if (!r.success) throw new Error(`result: ${formatIssues(r.error, input).join("; ")}`);
  const c = parseCase(r.data.case, "result.case");
  if (caseId(c) !== r.data.id) {
    throw new Error(`result: id ${r.data.id} is not the case's id ${caseId(c)}`);
  }
  return r.data as unknown as CaseResult;
}
