/**
 * A local sweep: every case through {@link runCaseIsolated}, one at a time, on this
 * machine.
 *
 * Scheduling. Cases are grouped by everything but their length (model, pass, backend,
 * preset, batch, attention, …); groups run in the order they first appear, and each
 * group in ascending length. Largest-first ordering shortens a sweep only when several
 * workers share one queue (the distributed coordinator's concern, see
 * {@link orderLargestFirst}); one local worker gains nothing from it, while ascending
 * order is what makes skip-after-OOM possible:
 *
 * Skip-after-OOM. When a case ends `oom` at length N, the larger lengths of its group are
 * not run; each is recorded `skipped` with `skippedAfter: "oom"`, `skipped: true`, `oomAt: N`
 * and a note. Likewise a `timeout` at N records the larger lengths as `skipped` with
 * `skippedAfter: "timeout"` (a longer case
 * cannot finish sooner).
 *
 * @module
 */
import { canonicalJson, caseId, withoutDefaultFramework } from "../case/id.ts";
import { passFlops } from "../flops.ts";
import type { Case, CaseResult } from "../results.ts";
import { runCaseIsolated } from "../runner/isolated.ts";
import { emptyResult } from "../runner/result.ts";

/** The runner's signature (runCaseIsolated, or a test double). */
export type CaseRunner = (
  c: Case,
  opts: { signal?: AbortSignal; memoryBudgetBytes?: number; env?: Record<string, string> },
) => Promise<CaseResult>;

/** Options of {@link runLocalSweep}. */
export interface LocalSweepOptions {
  /** RSS budget of each case's process; default: runCaseIsolated's default. */
  memoryBudgetBytes?: number;
  /** Extra environment of each child. */
  env?: Record<string, string>;
  /** Results recorded earlier (`--resume`): their cases are not run again; their OOMs still skip. */
  done?: Iterable<CaseResult>;
  /** Called before a case runs (index counts cases handled so far, skipped ones included). */
  onStart?: (c: Case, index: number, total: number) => void;
  /** Called with each new result (run or skipped), in order; awaited. */
  onResult?: (r: CaseResult, index: number, total: number) => void | Promise<void>;
  /** Stops the sweep: the running child is killed, no further case starts. */
  signal?: AbortSignal;
  /** The runner; default {@link runCaseIsolated}. */
  runner?: CaseRunner;
}

/**
 * The key of a case's group: the case without its length (and label), the default
 * framework normalised as in case ids (a result's re-parsed case carries it).
 */
export function groupKey(c: Case): string {
  const { seqLen: _n, label: _l, ...rest } = c;
  return canonicalJson(withoutDefaultFramework(rest));
}

/** Orders cases for a local sweep: groups by first appearance, ascending length inside. */
export function orderAscending(cases: readonly Case[]): Case[] {
  const groups = new Map<string, Case[]>();
  for (const c of cases) {
    const k = groupKey(c);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(c);
  }
  return [...groups.values()].flatMap((g) => [...g].sort((a, b) => a.seqLen - b.seqLen));
}

/**
 * Orders cases largest first (by analytic FLOPs × batch, else length): for a queue shared
 * by several workers, starting the longest cases first shortens the sweep's makespan.
 */
export function orderLargestFirst(cases: readonly Case[]): Case[] {
  const cost = (c: Case) => passFlops(c) ?? c.seqLen * c.batch;
  return [...cases].sort((a, b) => cost(b) - cost(a));
}

/** Remembers the smallest failing length per group and answers whether a case is skipped. */
export class FailureTracker {
  #failed = new Map<string, { status: "oom" | "timeout"; seqLen: number }>();

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
}

/**
 * Runs `cases` locally (see the module doc for order and skipping) and returns the new
 * results in the order they were produced. Never throws for a case failure.
 */
export async function runLocalSweep(
  cases: readonly Case[],
  options: LocalSweepOptions = {},
): Promise<CaseResult[]> {
  const runner = options.runner ?? runCaseIsolated;
  const tracker = new FailureTracker();
  const doneIds = new Set<string>();
  for (const r of options.done ?? []) {
    doneIds.add(r.id);
    tracker.record(r);
  }
  const todo = orderAscending(cases).filter((c) => !doneIds.has(caseId(c)));
  const results: CaseResult[] = [];
  for (const [i, c] of todo.entries()) {
    if (options.signal?.aborted) break;
    let r = tracker.skip(c);
    if (!r) {
      options.onStart?.(c, i, todo.length);
      r = await runner(c, {
        signal: options.signal,
        memoryBudgetBytes: options.memoryBudgetBytes,
        env: options.env,
      });
      if (r.aborted === true) break;
      tracker.record(r);
    }
    results.push(r);
    await options.onResult?.(r, i, todo.length);
  }
  return results;
}
