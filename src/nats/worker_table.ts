/**
 * The coordinator's table of workers (last announcement or heartbeat of each) and the
 * sweep's timeline (which worker ran which case when), both stored in results.json.
 *
 * Anyone holding the credentials can announce workers: at most {@link MAX_WORKERS} are
 * kept, the ones heard from most recently (a flood of announcements evicts itself, while
 * real workers, which heartbeat, come back at their next beat), and the timeline is
 * bounded too.
 *
 * @module
 */
import type { CaseResult } from "../results.ts";
import type { WorkerEvent } from "./protocol.ts";

/** At most this many workers are tracked (shown, stored in results.json). */
export const MAX_WORKERS = 256;

/** A worker seen during the sweep (last announcement/heartbeat). */
export type WorkerRow = Omit<WorkerEvent, "v" | "type">;

/** One case run by one worker. */
export interface TimelineEntry {
  caseId: string;
  workerId: string;
  startedAt: string;
  finishedAt?: string;
  status?: string;
}

/** Workers and timeline (see the module doc). */
export class WorkerTable {
  #rows = new Map<string, WorkerRow>();
  #maxTimeline: number;
  #isCase: (id: string) => boolean;
  #warned = false;
  /** The timeline, oldest first. */
  readonly timeline: TimelineEntry[];
  /** performance.now() of the latest worker event of this run (0: none yet). */
  lastHeard = 0;

  /**
   * @param isCase whether an id is a case of the sweep (others stay off the timeline).
   * @param maxTimeline most timeline entries.
   * @param previous the rows stored by an earlier run (resume).
   */
  constructor(
    isCase: (id: string) => boolean,
    maxTimeline: number,
    previous: { workers?: unknown; timeline?: unknown } = {},
  ) {
    this.#isCase = isCase;
    this.#maxTimeline = maxTimeline;
    for (const w of (previous.workers as WorkerRow[] | undefined) ?? []) {
      this.#rows.set(w.workerId, w);
    }
    this.timeline = [...((previous.timeline as TimelineEntry[] | undefined) ?? [])];
  }

  /**
   * Takes a (validated) worker event. Returns the timeline entry it started, if any, and
   * whether the table just overflowed (say so once).
   */
  heard(e: WorkerEvent): { started?: TimelineEntry; overflowed: boolean } {
    const { v: _v, type, ...row } = e;
    this.#rows.delete(row.workerId);
    let overflowed = false;
    if (this.#rows.size >= MAX_WORKERS) {
      this.#rows.delete(this.#rows.keys().next().value!);
      overflowed = !this.#warned;
      this.#warned = true;
    }
    this.lastHeard = performance.now();
    this.#rows.set(
      row.workerId,
      type === "finished" || type === "bye" ? { ...row, caseId: undefined } : row,
    );
    if (
      type !== "started" || !row.caseId || !this.#isCase(row.caseId) ||
      this.timeline.length >= this.#maxTimeline
    ) return { overflowed };
    const started = { caseId: row.caseId, workerId: row.workerId, startedAt: row.time };
    this.timeline.push(started);
    return { started, overflowed };
  }

  /** Closes the open timeline entry of a recorded result. */
  finished(r: CaseResult): void {
    const t = this.timeline.findLast((e) => e.caseId === r.id && e.finishedAt === undefined);
    if (!t) return;
    t.finishedAt = r.finishedAt ?? new Date().toISOString();
    t.status = r.status;
  }

  /** The workers, least recently heard first. */
  rows(): WorkerRow[] {
    return [...this.#rows.values()];
  }

  /** How many of `pids` have announced themselves. */
  announced(pids: readonly number[]): number {
    const set = new Set(pids);
    return this.rows().filter((w) => set.has(w.pid)).length;
  }
}
