/**
 * The results contract (src/results.ts) as a check that every framework's result rows must
 * pass (tests run it on TensorFlow.js and PyTorch children's output alike): the
 * coordinator's own validation of result messages (`parseResultMessage` in
 * src/nats/protocol.ts: shapes, id = the case's id), the case schema (`parseCase`), and the
 * invariants readers rely on: every row says how many threads it ran with (the case's
 * `threads` when it names one), `ok` rows have timings, `oom` rows say at what size, failed
 * rows say why, `skipped` rows after what, load averages (optional) are three numbers, and
 * the timing summary is ordered (`min ≤ p10 ≤ median ≤ p90 ≤ max`, the
 * median inside its confidence interval, `n` samples).
 *
 * @module
 */
import { parseCase } from "../case/schema.ts";
import { parseResultMessage } from "../nats/protocol.ts";
import type { CaseResult } from "../results.ts";

/**
 * Validates a result row against the contract; returns it typed.
 *
 * @throws Error naming the field and the problem.
 */
export function validateResult(input: unknown): CaseResult {
  const parsed = parseResultMessage(new TextEncoder().encode(JSON.stringify(input)));
  if (!parsed.ok) throw new Error(`result: ${parsed.reason}`);
  const r = parsed.value;
  parseCase(r.case, "result.case");
  const problems: string[] = [];
  if (r.status === "ok" && r.timeMs === null) problems.push("timeMs: an ok row needs timings");
  const threads = r.threads;
  if (typeof threads !== "number" || !Number.isInteger(threads) || threads < 1) {
    problems.push(`threads: expected an integer ≥ 1, got ${JSON.stringify(threads)}`);
  } else if (r.case.threads !== undefined && threads !== r.case.threads) {
    problems.push(`threads: the case asks for ${r.case.threads}, got ${threads}`);
  }
  if (r.status === "oom" && r.oomAt === undefined) problems.push("oomAt: an oom row needs it");
  if (r.status !== "ok" && !r.error) problems.push(`error: a ${r.status} row needs one`);
  if (r.status === "skipped" && r.skippedAfter !== "oom" && r.skippedAfter !== "timeout") {
    problems.push(`skippedAfter: a skipped row needs "oom" or "timeout", got ${r.skippedAfter}`);
  }
  if (r.loadAvg !== undefined) {
    for (const k of ["before", "after"] as const) {
      const v = r.loadAvg?.[k];
      if (
        !Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== "number" || !(x >= 0))
      ) {
        problems.push(`loadAvg.${k}: expected 3 numbers ≥ 0, got ${JSON.stringify(v)}`);
      }
    }
  }
  const t = r.timeMs;
  if (t) {
    const order = [t.min, t.p10, t.median, t.p90, t.max];
    if (order.some((v, i) => i > 0 && v < order[i - 1] - 1e-9 * Math.abs(v))) {
      problems.push(`timeMs: expected min ≤ p10 ≤ median ≤ p90 ≤ max, got ${order}`);
    }
    if (!Number.isInteger(t.n) || t.n < 1) problems.push(`timeMs.n: expected ≥ 1, got ${t.n}`);
    if (t.samples && t.samples.length !== t.n) {
      problems.push(`timeMs.samples: expected n = ${t.n}, got ${t.samples.length}`);
    }
    if (t.medianCI && (t.medianCI[0] > t.median || t.medianCI[1] < t.median)) {
      problems.push(`timeMs.medianCI: ${t.medianCI} does not contain the median ${t.median}`);
    }
  }
  for (const k of ["peakBytes", "rssPeakBytes", "deviceBytes"] as const) {
    const v = r.memory[k];
    if (v !== null && v < 0) problems.push(`memory.${k}: expected ≥ 0, got ${v}`);
  }
  if (problems.length) throw new Error(`result: ${problems.join("; ")}`);
  return r;
}
