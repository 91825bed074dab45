/**
 * The shared-memory protocol between a {@link ThreadPool} and its workers: the layout of
 * the control block (one small `SharedArrayBuffer`, Int32 words and Float64 parameters)
 * and of the arena (one growable `SharedArrayBuffer` holding a job's arrays).
 *
 * A job: the main thread writes the job's kind, arrays (offsets into the arena) and
 * parameters, resets `NEXT`, `DONE`, `ERR`, opens `JOIN` (0), bumps `GEN` and notifies.
 * Every thread (the main thread too) then takes units with `Atomics.add(NEXT, 1)` until
 * `units` are taken. A worker joins a job by incrementing `JOIN` while it is open (≥ 0);
 * the main thread closes it (`JOIN = -1`) once its own loop ends, reads how many joined
 * and waits until as many have incremented `DONE`. A worker that is late only misses the
 * job, so results never depend on which thread ran a unit.
 *
 * @module
 */

/** Int32 word indices of the control block. */
export const CTL = {
  /** Job generation, bumped per job (workers `Atomics.wait` on it). */
  GEN: 0,
  /** Workers that joined the current job; −1 once the main thread closed it. */
  JOIN: 1,
  /** Next unit to take. */
  NEXT: 2,
  /** Workers that finished the current job. */
  DONE: 3,
  /** 1: workers must exit. */
  EXIT: 4,
  /** 1: a worker's unit threw (its message is in the worker's console). */
  ERR: 5,
  /** The job kind's index in `JOB_KINDS`. */
  KIND: 6,
  /** Number of arrays. */
  NARRAYS: 7,
  /** Number of units. */
  UNITS: 8,
  /** Units of the current job run by workers (the rest ran on the calling thread). */
  WORKER_UNITS: 9,
  /** Per worker slot: 1 alive, 0 gone (a worker clears its own slot when it idles out). */
  SLOTS: 16,
  /** Pairs `(element offset, length)` of Float32 arrays in the arena. */
  ARRAYS: 128,
} as const;

/** Most workers one pool may have. */
export const MAX_WORKERS = 64;
/** Most arrays one job may pass. */
export const MAX_ARRAYS = 64;
/** Most numeric parameters one job may pass. */
export const MAX_PARAMS = 32;
/** Byte offset of the Float64 parameters inside the control block. */
export const PARAMS_BYTE_OFFSET = 2048;
/** Byte size of the control block. */
export const CONTROL_BYTES = PARAMS_BYTE_OFFSET + 8 * MAX_PARAMS;
/**
 * Arrays in the arena start at multiples of this many bytes (a cache line; also a multiple
 * of 8, which the chunked jobs' Float64Array views of their partial sums rely on).
 */
export const ARENA_ALIGN = 64;

/** What a worker gets in its first (and only) message. */
export interface WorkerInit {
  control: SharedArrayBuffer;
  arena: SharedArrayBuffer;
  /** This worker's slot index (word `CTL.SLOTS + slot`). */
  slot: number;
  /** Exit after waiting this long for a job (ms). */
  idleMs: number;
}

/** Float32 views of the current job's arrays (read from the control block). */
export function jobArrays(ctl: Int32Array, arena: SharedArrayBuffer): Float32Array[] {
  const n = ctl[CTL.NARRAYS];
  const out: Float32Array[] = [];
  for (let a = 0; a < n; a++) {
    out.push(new Float32Array(arena, 4 * ctl[CTL.ARRAYS + 2 * a], ctl[CTL.ARRAYS + 2 * a + 1]));
  }
  return out;
}
