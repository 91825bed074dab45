/**
 * The sweep engine: one way to run a sweep, two executors.
 *
 * The engine decides what runs and in which order, and where results go; an executor
 * runs cases:
 *
 * - scheduling: the pending cases in a {@link SweepOrder} (src/sweep/schedule.ts), and
 *   skip-after-OOM (src/sweep/failure_tracker.ts; distributed workers share its limits
 *   through the sweep's KV bucket, src/nats/failure_limits.ts);
 * - the results sink (src/sweep/results_sink.ts): seeded by resume, deduplicated by case
 *   id, the first valid result wins;
 * - events ({@link SweepEvent}): what both executors report, drawn by the one live view
 *   (src/nats/live_view.ts). The engine emits `case-finished` / `case-failed` for every
 *   result the sink records; executors add `queued`, `case-started`, `worker`, `log`, ….
 *
 * Executors ({@link SweepExecutor}):
 * - local (src/sweep/local.ts, `localExecutor`): one child process per case, one at a time
 *   (src/runner/isolated.ts);
 * - NATS (src/nats/coordinator.ts, `runDistributedSweep`): publishes the cases to a
 *   JetStream work queue, workers run them, a collector (src/nats/collector.ts) validates
 *   their results into the sink.
 *
 * @example
 * ```ts
 * const sink = new ResultsSink(cases, earlierRows);
 * await runSweep({ sink, executor: localExecutor(), order: "ascending", onEvent: view.onEvent });
 * sink.rows(); // every case once
 * ```
 *
 * @module
 */
import type { Case, CaseResult } from "../results.ts";
import type { WorkerEvent } from "../nats/protocol.ts";
import { orderCases, type SweepOrder } from "./schedule.ts";
import type { ResultsSink } from "./results_sink.ts";

export { FailureTracker, skippedResult } from "./failure_tracker.ts";
export { ResultsSink } from "./results_sink.ts";
export {
  caseCost,
  groupKey,
  orderAscending,
  orderCases,
  orderGroupedInterleaved,
  orderLargestFirst,
  SWEEP_ORDERS,
  type SweepOrder,
} from "./schedule.ts";

/** What a sweep reports while it runs (for the live view), in either mode. */
export type SweepEvent =
  | { type: "server"; url: string; embedded: boolean }
  | { type: "queued"; total: number; queued: number; alreadyDone: number; alreadyQueued: number }
  | { type: "worker"; worker: WorkerEvent }
  | { type: "case-started"; caseId: string; workerId: string; delivery: number }
  | { type: "case-finished"; result: CaseResult; done: number; total: number }
  | { type: "case-failed"; caseId: string; reason: string; done: number; total: number }
  | { type: "worker-exit"; slot: number; pid: number; code: number; restarting: boolean }
  | { type: "log"; message: string };

/** What an executor gets from the engine. */
export interface ExecutionContext {
  /** Record every result here (run, skipped or failed). */
  readonly sink: ResultsSink;
  /** Reports an event (a throwing listener is ignored). */
  emit(e: SweepEvent): void;
  /** Stop: no case starts after it; running ones are stopped. */
  readonly signal?: AbortSignal;
}

/** Runs cases: the local child-process executor, or the NATS one. */
export interface SweepExecutor {
  /**
   * Runs `todo` (in that order; none has a result yet) and records each result in
   * `ctx.sink`. Resolves when every case has a result or the sweep was stopped.
   */
  execute(todo: readonly Case[], ctx: ExecutionContext): Promise<void>;
}

/** Options of {@link runSweep}. */
export interface RunSweepOptions {
  /** The sweep's cases and results (seeded with earlier rows on resume). */
  sink: ResultsSink;
  executor: SweepExecutor;
  /** Order of the pending cases. Default `"grouped"`. */
  order?: SweepOrder;
  /** Live events. */
  onEvent?: (e: SweepEvent) => void;
  /** Stops the sweep. */
  signal?: AbortSignal;
}

/** `onEvent` made safe: a broken view must not break the sweep. */
export function safeEmitter(onEvent?: (e: SweepEvent) => void): (e: SweepEvent) => void {
  return (e) => {
    try {
      onEvent?.(e);
    } catch { /* ignored */ }
  };
}

/** The event of a recorded result: `case-failed` for `failed`, else `case-finished`. */
export function resultEvent(r: CaseResult, sink: ResultsSink): SweepEvent {
  return r.status === "failed"
    ? {
      type: "case-failed",
      caseId: r.id,
      reason: r.error ?? "failed",
      done: sink.size,
      total: sink.total,
    }
    : { type: "case-finished", result: r, done: sink.size, total: sink.total };
}

/**
 * Runs the sweep: orders the sink's pending cases, reports each recorded result as an
 * event, and hands the cases to the executor. Resolves when the executor does.
 */
export async function runSweep(opts: RunSweepOptions): Promise<void> {
  const emit = safeEmitter(opts.onEvent);
  const { sink } = opts;
  sink.onRecord((r) => emit(resultEvent(r, sink)));
  const todo = orderCases(sink.pending(), opts.order ?? "grouped");
  await opts.executor.execute(todo, { sink, emit, signal: opts.signal });
}
