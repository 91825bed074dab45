/**
 * Skip-after-OOM (harness.md §3): once a case of a group (see `groupKey`) ends `oom` at
 * length N, the larger lengths of its group are not run; each is recorded by
 * {@link skippedResult} (status `skipped`, `skippedAfter: "oom"`, `skipped: true`,
 * `oomAt: N`, and a note). Likewise a `timeout` at N skips the larger lengths with
 * `skippedAfter: "timeout"` (a longer case cannot finish sooner).
 *
 * The local executor keeps one {@link FailureTracker}; distributed workers share the
 * same limits through the sweep's KV bucket (src/nats/failure_limits.ts, built on this).
 *
 * @module
 */
import type { Case, CaseResult } from "../results.ts";
import { emptyResult } from "../runner/result.ts";
import { groupKey } from "./schedule.ts";

/** The smallest failing length of a group, and how it failed. */
export interface GroupFailure {
  status: "oom" | "timeout";
  seqLen: number;
}

/**
 * The row of case `c`, not run because a smaller length of its group failed: the one
 * place that decides a skipped case's status and fields.
 */
export function skippedResult(c: Case, f: GroupFailure): CaseResult {
  const what = f.status === "oom" ? "ran out of memory" : "timed out";
  const now = new Date().toISOString();
  return {
    ...emptyResult(c, "skipped", {
      error:
        `skipped: ${c.model} ${c.pass} ${what} at seqLen ${f.seqLen} (same backend, preset, batch)`,
    }),
    skippedAfter: f.status,
    ...(f.status === "oom" ? { oomAt: f.seqLen } : {}),
    skipped: true,
    startedAt: now,
    finishedAt: now,
  };
}

/** Remembers the smallest failing length per group and answers whether a case is skipped. */
export class FailureTracker {
  #failed = new Map<string, GroupFailure>();

  /** Records a result; `oom` and `timeout` lower the group's ceiling. */
  record(r: CaseResult): void {
    if (r.status !== "oom" && r.status !== "timeout") return;
    const n = typeof r.oomAt === "number" && r.status === "oom" ? r.oomAt : r.case.seqLen;
    const k = groupKey(r.case);
    const prev = this.#failed.get(k);
    if (!prev || n < prev.seqLen) this.#failed.set(k, { status: r.status, seqLen: n });
  }

  /** The skipped result for `c` when a smaller length of its group failed, else null. */
  skip(c: Case): CaseResult | null {
    const f = this.#failed.get(groupKey(c));
    if (!f || c.seqLen <= f.seqLen) return null;
    return skippedResult(c, f);
  }
}
