/**
 * Row-parallel kernels on the kernels' pool: outputs made of independent rows (attention
 * query rows, logits rows) are split so that the workers compute a prefix of the rows in the
 * arena while the calling thread computes the rest in place, uncopied ({@link workerRows});
 * each row is computed by one thread exactly as single-threaded, so results are bitwise equal
 * for any thread count.
 *
 * @module
 */
import { kernelPool, workerRows } from "./threads.ts";

/** An output of a {@link RowsJob}: its array and the floats per row. */
export interface RowOutput {
  array: Float32Array;
  width: number;
}

/** A row-parallel job; the pool's kind must be a `rowsKind` of `jobs.ts`. */
export interface RowsJob {
  /** Job kind (jobs.ts) computing rows of the arena's arrays. */
  kind: string;
  /** Inputs, copied whole into the arena. */
  inputs: readonly Float32Array[];
  /** Outputs (only the workers' prefix of rows travels through the arena). */
  outputs: readonly RowOutput[];
  /** Flat rows. */
  rows: number;
  /** The kernel's parameters (after the two the pool prepends). */
  params: readonly number[];
  /** Arena copies per row over the row's compute (see {@link workerRows}). */
  copyCost: number;
  /** Computes rows `[r0, r1)` on the caller's own arrays (this thread, or everything). */
  range(r0: number, r1: number): void;
}

/**
 * Runs `job` on the kernels' pool when there is one, there are at least two rows and the
 * arrays fit in its arena; otherwise `job.range(0, rows)` on this thread.
 */
export function runRows(job: RowsJob): void {
  const pool = kernelPool();
  const split = pool && job.rows >= 2 ? workerRows(job.rows, pool.threads, job.copyCost) : 0;
  if (pool && split >= 1) {
    const perUnit = Math.max(1, Math.ceil(split / (8 * (pool.threads - 1))));
    const poolJob = {
      kind: job.kind,
      inputs: job.inputs,
      outputs: job.outputs.map((o) => o.array.subarray(0, split * o.width)),
      params: [perUnit, split, ...job.params],
      units: Math.ceil(split / perUnit),
      callerWork: () => job.range(split, job.rows),
    };
    if (pool.fits(poolJob)) {
      pool.run(poolJob);
      return;
    }
  }
  job.range(0, job.rows);
}
