/**
 * The process-wide thread setting of our kernels and the pool behind it: kernels call
 * {@link kernelPool} and fall back to their single-threaded path when it gives nothing
 * (one thread, or not in Deno).
 *
 * @module
 */
import { checkThreads, defaultThreads, ThreadPool } from "./pool.ts";

let threads = defaultThreads();
let pool: ThreadPool | undefined;

/**
 * Sets how many threads our cpu and wasm kernels use (default every core,
 * `navigator.hardwareConcurrency`); 1 runs them single-threaded (the pool is kept, its
 * workers exit after idling; see `ThreadPool`), another count > 1 disposes the pool (the
 * next kernel call starts one of that size). Returns the previous setting.
 *
 * @throws RangeError naming the value unless an integer in [1, 65].
 */
export function setThreads(n: number): number {
  checkThreads(n);
  const previous = threads;
  if (n > 1 && pool && pool.threads !== n) disposeKernelPool();
  threads = n;
  return previous;
}

/** How many threads our kernels use (see {@link setThreads}). */
export function getThreads(): number {
  return threads;
}

/**
 * The kernels' pool, created on first use; undefined with one thread or outside Deno. A
 * pool whose workers all idled out is replaced by a fresh one, so that its arena (a copy of
 * the largest job's arrays) is freed between bursts of work.
 */
export function kernelPool(): ThreadPool | undefined {
  if (threads <= 1 || typeof Deno === "undefined") return undefined;
  const idle = pool !== undefined && pool.arenaBytes > 0 && pool.liveWorkers === 0;
  if (!pool || pool.disposed || pool.threads !== threads || idle) {
    pool?.dispose();
    pool = new ThreadPool({ threads });
  }
  return pool;
}

/** Ends the kernels' pool's workers now (a later kernel call starts a new pool). */
export function disposeKernelPool(): void {
  pool?.dispose();
  pool = undefined;
}

/** Workers of the kernels' pool alive now (0 without a pool). */
export function kernelPoolWorkers(): number {
  return pool?.liveWorkers ?? 0;
}

/**
 * How many of `rows` independent rows to give the workers of a pool of `threads` when the
 * calling thread computes the others in place and copies the workers' rows in and out of
 * the arena at `copyCost` (the copies' time per row over the compute's): the split where
 * both finish together, `x = 1 / (1 / (threads − 1) + 1 − copyCost)` of the rows (all of
 * them when that is ≥ 1; the calling thread then only copies, and takes units after).
 */
export function workerRows(rows: number, threads: number, copyCost: number): number {
  const x = 1 / (1 / (threads - 1) + 1 - copyCost);
  return Math.min(rows, Math.round(rows * Math.min(1, x)));
}
