/**
 * The fused MVSiLU kernels on `cpu` and `wasm` (math in `clifford/mv_silu_math.ts`).
 *
 * Kernel `CliffordMVSiLU`: inputs `x0…x7` (float32 `[M, C]`), `a0…a3` (α per grade, `[C]`),
 * `b0…b3` (β, `[C]`); outputs `y0…y7` (`[M, C]`).
 *
 * Kernel `CliffordMVSiLUGrad`: inputs `dy0…dy7` and the forward's inputs; outputs the
 * gradients of every forward input in the forward's order: `dx0…dx7, da0…da3, db0…db3`.
 *
 * With more than one thread (src/kernels/pool) and at least
 * {@link PRODUCT_POOL_MIN_ELEMENTS} elements the forward runs on the kernels' pool, split by
 * token rows (a share computed in place by the calling thread), bitwise equal to one thread.
 * (Four sigmoids per element make the forward compute-bound: wasm, M = 4096, C = 128, it
 * takes ~25 ms on one thread, `deno run -A bench/threads_bench.ts --only silu`, and copying its
 * 8 inputs in and 8 outputs out of the pool's arena ~3.5 ms.)
 * The gradient runs on the calling thread: it reads 16 `[M, C]` arrays and writes 8 for about
 * as much arithmetic, so the pool's copies cost more than the second thread gains (it split
 * by channel blocks, the α, β gradients being per-channel sums; timed before its removal by a
 * one-off script calling the gradient kernel alone, 1 thread and the pool interleaved, wasm,
 * C = 128: M = 1,024 8.5 / 8.6 ms, M = 4,096 31.6 / 39.9, M = 8,580 71.0 / 88.9).
 *
 * @module
 */
import {
  mvSiluBackwardF32,
  mvSiluForwardF32,
  mvSiluForwardRange,
} from "../clifford/mv_silu_math.ts";
import { checkBladeInputs, registerBladeKernel } from "./blade_kernel.ts";
import { PRODUCT_POOL_MIN_ELEMENTS } from "./geometric_product_kernels.ts";
import { kernelPool, workerRows } from "./pool/threads.ts";

/**
 * Arena copies per row of the forward over its compute (wasm, M = 4096, C = 128: ~3.5 ms
 * against ~25 ms); the calling thread computes a share of the rows in place
 * ({@link workerRows}).
 */
const FORWARD_COPY_COST = 0.14;

/** Registered name of the forward kernel. */
export const MV_SILU_KERNEL = "CliffordMVSiLU";
/** Registered name of the gradient kernel. */
export const MV_SILU_GRAD_KERNEL = "CliffordMVSiLUGrad";

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** Names of the forward kernel's inputs, in order (also the gradient kernel's output order). */
export const MV_SILU_INPUT_NAMES: readonly string[] = [
  ...names("x", 8),
  ...names("a", 4),
  ...names("b", 4),
];
const GRAD_INPUTS = [...names("dy", 8), ...MV_SILU_INPUT_NAMES];
const wantShape = (name: string, m: number, c: number) =>
  name[0] === "a" || name[0] === "b" ? [c] : [m, c];

registerBladeKernel({
  name: MV_SILU_KERNEL,
  inputs: MV_SILU_INPUT_NAMES,
  shape: (inputs) => checkBladeInputs(MV_SILU_KERNEL, inputs, MV_SILU_INPUT_NAMES, wantShape),
  outputs: (m, c) => names("y", 8).map(() => [m, c]),
  run: (a, y, m, c) => {
    const pool = kernelPool();
    const split = pool ? workerRows(m, pool.threads, FORWARD_COPY_COST) : 0;
    if (pool && split >= 1 && m * c >= PRODUCT_POOL_MIN_ELEMENTS) {
      // Rows [0, split) on the pool (only that prefix of x and y is copied), the rest here.
      const rows = Math.ceil(split / (8 * pool.threads));
      const inputs = MV_SILU_INPUT_NAMES.map((n) => a[n]);
      const job = {
        kind: "siluForward",
        inputs: inputs.map((v, i) => (i < 8 ? v.subarray(0, split * c) : v)),
        outputs: y.map((v) => v.subarray(0, split * c)),
        params: [split, c, rows],
        units: Math.ceil(split / rows),
        callerWork: () =>
          mvSiluForwardRange(
            inputs.slice(0, 8),
            inputs.slice(8, 12),
            inputs.slice(12),
            y,
            c,
            split,
            m,
          ),
      };
      if (pool.fits(job)) {
        pool.run(job);
        return;
      }
    }
    mvSiluForwardF32(
      names("x", 8).map((n) => a[n]),
      names("a", 4).map((n) => a[n]),
      names("b", 4).map((n) => a[n]),
      y,
      m,
      c,
    );
  },
});

registerBladeKernel({
  name: MV_SILU_GRAD_KERNEL,
  inputs: GRAD_INPUTS,
  shape: (inputs) => checkBladeInputs(MV_SILU_GRAD_KERNEL, inputs, GRAD_INPUTS, wantShape),
  outputs: (m, c) => [...names("dx", 8).map(() => [m, c]), ...names("d", 8).map(() => [c])],
  run: (a, out, m, c) => {
    mvSiluBackwardF32(
      names("dy", 8).map((n) => a[n]),
      names("x", 8).map((n) => a[n]),
      names("a", 4).map((n) => a[n]),
      names("b", 4).map((n) => a[n]),
      { dx: out.slice(0, 8), dalpha: out.slice(8, 12), dbeta: out.slice(12, 16) },
      m,
      c,
    );
  },
});
