/**
 * How many threads a case runs with, shared by the parent (isolated.ts) and the child
 * (measure.ts); free of imports so the parent does not load TensorFlow.js.
 *
 * A case's `threads` field wins; else the environment variable {@link THREADS_ENV} (set by
 * `deno task worker --threads N` for its children); else every core
 * (`navigator.hardwareConcurrency`). TensorFlow.js cases give it to our kernels' worker
 * pool (src/kernels/pool), torch cases to PyTorch (`OMP_NUM_THREADS`).
 *
 * @module
 */

/** Environment variable with the default thread count of cases that name none. */
export const THREADS_ENV = "SE3_HYENA_THREADS";

/** Most threads of a case (src/case/schema.ts `MAX_THREADS`, the kernel pool's limit). */
const MAX_CASE_THREADS = 65;

/** The thread count of case `c` (see the module doc), at most 65. */
export function caseThreads(c: { threads?: unknown }): number {
  if (typeof c.threads === "number") return c.threads;
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get(THREADS_ENV);
  } catch {
    // no env permission: the default
  }
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv) && Number(fromEnv) >= 1) {
    return Math.min(MAX_CASE_THREADS, Number(fromEnv));
  }
  return Math.max(1, Math.min(MAX_CASE_THREADS, navigator.hardwareConcurrency || 1));
}
