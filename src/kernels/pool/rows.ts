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

/**
 * A job whose rows also add into shared sums (attention gradients: every query row adds to
 * every key's gradient). The rows are cut into `chunks` ranges that do not depend on the
 * thread count; each chunk writes its rows of the row outputs and its own float64 partial
 * sums, and the partials are added in chunk order: bitwise equal for any thread count.
 */
export interface ChunksJob {
  /** Job kind (jobs.ts, a `chunksKind`). */
  kind: string;
  /** Inputs, copied whole into the arena. */
  inputs: readonly Float32Array[];
  /** Outputs of which each chunk writes its rows (copied whole). */
  rowOutputs: readonly Float32Array[];
  /** Flat rows. */
  rows: number;
  /** Chunks (at most `rows`). */
  chunks: number;
  /** Float64 sums per chunk. */
  partialLength: number;
  /** The kernel's parameters (after the three the pool prepends). */
  params: readonly number[];
  /** Rows `[r0, r1)` on the caller's own arrays, adding into `partial` (zeroed). */
  chunk(r0: number, r1: number, partial: Float64Array): void;
}

/**
 * Runs `job`'s chunks on the kernels' pool when there is one and the arrays fit in its
 * arena, else one after the other on this thread; returns the sums (float64,
 * `partialLength`), added in chunk order.
 */
export function runChunks(job: ChunksJob): Float64Array {
  const perChunk = Math.ceil(job.rows / Math.max(1, Math.min(job.chunks, job.rows)));
  const chunks = Math.ceil(job.rows / perChunk), length = job.partialLength;
  const partials = new Float64Array(chunks * length);
  const pool = kernelPool();
  const poolJob = {
    kind: job.kind,
    inputs: job.inputs,
    outputs: [...job.rowOutputs, new Float32Array(partials.buffer)],
    params: [perChunk, job.rows, length, ...job.params],
    units: chunks,
  };
  if (pool && chunks >= 2 && pool.fits(poolJob)) {
    pool.run(poolJob);
  } else {
    for (let c = 0; c < chunks; c++) {
      const r0 = c * perChunk;
      job.chunk(
        r0,
        Math.min(job.rows, r0 + perChunk),
        partials.subarray(c * length, (c + 1) * length),
      );
    }
  }
  const sums = partials.slice(0, length);
  for (let c = 1; c < chunks; c++) {
    for (let x = 0, at = c * length; x < length; x++) sums[x] += partials[at + x];
  }
  return sums;
}
