/**
 * The local executor of the sweep engine (src/sweep/engine.ts): every case through
 * {@link runCaseIsolated} (its own child process), one at a time, on this machine.
 *
 * Order: `"ascending"` (groups as they first appear, each in ascending length; see
 * src/sweep/schedule.ts): one local worker gains nothing from reordering, while ascending
 * lengths are what make skip-after-OOM work. Skip-after-OOM: a {@link FailureTracker}
 * seeded with the earlier rows; a case past its group's failing length is recorded as
 * skipped without running (src/sweep/failure_tracker.ts).
 *
 * Events: the same as a distributed sweep's, for the same live view: `queued`, then per
 * case `case-started` and a `worker` event of the one local worker (`local`, this
 * process), and the engine's `case-finished` per result.
 *
 * @module
 */
import { caseId } from "../case/id.ts";
import { hostName } from "../environment.ts";
import type { Case, CaseResult } from "../results.ts";
import { runCaseIsolated } from "../runner/isolated.ts";
import { type ExecutionContext, runSweep, type SweepEvent, type SweepExecutor } from "./engine.ts";
import { FailureTracker } from "./failure_tracker.ts";
import { ResultsSink } from "./results_sink.ts";
import type { SweepOrder } from "./schedule.ts";

export { FailureTracker } from "./failure_tracker.ts";
export { groupKey, orderAscending, orderLargestFirst } from "./schedule.ts";

/** The runner's signature (runCaseIsolated, or a test double). */
export type CaseRunner = (
  c: Case,
  opts: { signal?: AbortSignal; memoryBudgetBytes?: number; env?: Record<string, string> },
) => Promise<CaseResult>;

/** Options of {@link localExecutor}. */
export interface LocalExecutorOptions {
  /** RSS budget of each case's process; default: runCaseIsolated's default. */
  memoryBudgetBytes?: number;
  /** Extra environment of each child. */
  env?: Record<string, string>;
  /** The runner; default {@link runCaseIsolated}. */
  runner?: CaseRunner;
  /** Called before a case runs (index counts cases handled so far, skipped ones included). */
  onStart?: (c: Case, index: number, total: number) => void;
  /** Called with each new result (run or skipped), in order; awaited before the next case. */
  onResult?: (r: CaseResult, index: number, total: number) => void | Promise<void>;
}

/** Options of {@link runLocalSweep}. */
export interface LocalSweepOptions extends LocalExecutorOptions {
  /** Results recorded earlier (`--resume`): their cases are not run again; their OOMs still skip. */
  done?: Iterable<CaseResult>;
  /** Stops the sweep: the running child is killed, no further case starts. */
  signal?: AbortSignal;
  /** Live events (the live view's `onEvent`). */
  onEvent?: (e: SweepEvent) => void;
  /** Order. Default `"ascending"`. */
  order?: SweepOrder;
}

/** The one local worker's row, as a distributed worker would announce it. */
function localWorker(type: "started" | "finished", c: Case, status?: string): SweepEvent {
  const mem = (() => {
    try {
      const m = Deno.systemMemoryInfo();
      return { memFreeBytes: m.available, memTotalBytes: m.total };
    } catch {
      return {};
    }
  })();
  return {
    type: "worker",
    worker: {
      v: 1,
      type,
      workerId: "local",
      host: hostName(),
      pid: Deno.pid,
      backend: c.framework === "torch" ? `torch/${c.device}` : c.backend,
      device: c.framework === "torch" ? c.device ?? "cpu" : "cpu",
      rssBytes: Deno.memoryUsage().rss,
      ...mem,
      caseId: caseId(c),
      ...(status ? { status: status as CaseResult["status"] } : {}),
      time: new Date().toISOString(),
    },
  };
}

/** The local executor: runs cases one at a time in child processes (see the module doc). */
export function localExecutor(opts: LocalExecutorOptions = {}): SweepExecutor {
  const runner = opts.runner ?? runCaseIsolated;
  return {
    async execute(todo: readonly Case[], ctx: ExecutionContext): Promise<void> {
      const { sink, emit, signal } = ctx;
      const tracker = new FailureTracker();
      for (const r of sink.rows()) tracker.record(r);
      emit({
        type: "queued",
        total: sink.total,
        queued: todo.length,
        alreadyDone: sink.size,
        alreadyQueued: 0,
      });
      for (const [i, c] of todo.entries()) {
        if (signal?.aborted) break;
        let r = tracker.skip(c);
        if (!r) {
          opts.onStart?.(c, i, todo.length);
          emit({ type: "case-started", caseId: caseId(c), workerId: "local", delivery: 1 });
          emit(localWorker("started", c));
          r = await runner(c, { signal, memoryBudgetBytes: opts.memoryBudgetBytes, env: opts.env });
          if (r.aborted === true) break;
          tracker.record(r);
          emit(localWorker("finished", c, r.status));
        }
        if (sink.record(r)) await opts.onResult?.(r, i, todo.length);
      }
    },
  };
}

/**
 * Runs `cases` locally with the engine (see the module doc) and returns the new results in
 * the order they were produced. Never throws for a case failure.
 */
export async function runLocalSweep(
  cases: readonly Case[],
  options: LocalSweepOptions = {},
): Promise<CaseResult[]> {
  const sink = new ResultsSink(cases, [...(options.done ?? [])]);
  const results: CaseResult[] = [];
  sink.onRecord((r) => results.push(r));
  await runSweep({
    sink,
    executor: localExecutor(options),
    order: options.order ?? "ascending",
    onEvent: options.onEvent,
    signal: options.signal,
  });
  return results;
}
