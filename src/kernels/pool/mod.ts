/**
 * Multi-threaded cpu/wasm kernels: a pool of Deno workers on shared memory.
 *
 * @module
 */
export {
  checkThreads,
  defaultThreads,
  type PoolJob,
  ThreadPool,
  type ThreadPoolOptions,
} from "./pool.ts";
export {
  disposeKernelPool,
  getThreads,
  kernelPool,
  kernelPoolWorkers,
  setThreads,
  workerRows,
} from "./threads.ts";
export { JOB_KINDS, JOB_NAMES, type JobKind } from "./jobs.ts";
