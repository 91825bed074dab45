/**
 * The fused geometric-product kernels on `cpu` and `wasm` (the core of the GeometricProduct
 * layer, design/model.md §2; math in `clifford/geometric_product_math.ts`).
 *
 * Kernel `CliffordGeometricProduct`: inputs `x0…x7`, `l0…l7`, `r0…r7` (float32 `[M, C]`,
 * one per blade), `w` (float32 `[C, 20]` path weights) and `s0…s3` (float32 `[C]`, σ per
 * grade); outputs `y0…y7` (`[M, C]`):
 *
 *   y = (l + P(x, n(r))) / √2
 *
 * Kernel `CliffordGeometricProductGrad`: inputs `dy0…dy7` and the forward's `x*`, `r*`, `w`,
 * `s*` (not `l`); outputs the gradients of every forward input in the forward's order:
 * `dx0…dx7, dl0…dl7, dr0…dr7, dw, ds0…ds3` (29 tensors).
 *
 * Both run the shared math on the inputs' arrays (`cpu`) or on views of the wasm heap
 * (`wasm`), see `blade_kernel.ts`; with more than one thread (src/kernels/pool) and at
 * least {@link PRODUCT_POOL_MIN_ELEMENTS} elements, on the kernels' pool: the forward split
 * by token rows (the calling thread computes a share of them in place, uncopied), the gradient by blocks of channels (weight gradients are per-channel
 * sums over tokens, kept in order), so results equal the single-threaded ones bitwise.
 *
 * @module
 */
import {
  geometricProductBackwardF32,
  geometricProductForwardF32,
  geometricProductForwardRange,
  GRADE_PATHS,
  productSigmoids,
} from "../clifford/geometric_product_math.ts";
import { checkBladeInputs, registerBladeKernel } from "./blade_kernel.ts";
import { kernelPool, workerRows } from "./pool/threads.ts";

/** Below this many elements (M·C) one thread computes the whole product. */
export const PRODUCT_POOL_MIN_ELEMENTS = 1 << 13;
/**
 * Arena copies per row of the forward (29 inputs in, 8 outputs out) over its compute: wasm,
 * M = 4096, C = 128, the busiest thread of a pool of 2 that copied every row did 31 ms
 * against 33 ms alone (bench/threads_bench.ts), so the copies cost ~0.45 of the compute.
 * The calling thread therefore computes a share of the rows in place, uncopied
 * ({@link workerRows}).
 */
const FORWARD_COPY_COST = 0.45;
/**
 * Channels per unit of the pooled gradient are a multiple of this (16 float32 = one cache
 * line); units are as wide as `C / threads` allows, since each streams all M rows of 48
 * arrays with a stride of C floats (narrow blocks measured slower than one thread).
 */
const GRAD_CHANNEL_BLOCK = 16;

/** Registered name of the forward kernel. */
export const GEOMETRIC_PRODUCT_KERNEL = "CliffordGeometricProduct";
/** Registered name of the gradient kernel. */
export const GEOMETRIC_PRODUCT_GRAD_KERNEL = "CliffordGeometricProductGrad";

const blades = (prefix: string) => Array.from({ length: 8 }, (_, b) => `${prefix}${b}`);
/** Names of the forward kernel's inputs, in order (also the gradient kernel's output order). */
export const PRODUCT_INPUT_NAMES: readonly string[] = [
  ...blades("x"),
  ...blades("l"),
  ...blades("r"),
  "w",
  "s0",
  "s1",
  "s2",
  "s3",
];
/** Names of the gradient kernel's inputs. */
export const PRODUCT_GRAD_INPUT_NAMES: readonly string[] = [
  ...blades("dy"),
  ...blades("x"),
  ...blades("r"),
  "w",
  "s0",
  "s1",
  "s2",
  "s3",
];

const wantShape = (name: string, m: number, c: number) =>
  name === "w" ? [c, GRADE_PATHS.length] : name[0] === "s" ? [c] : [m, c];
const pick = (a: Record<string, Float32Array>, prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => a[`${prefix}${i}`]);

registerBladeKernel({
  name: GEOMETRIC_PRODUCT_KERNEL,
  inputs: PRODUCT_INPUT_NAMES,
  shape: (inputs) =>
    checkBladeInputs(GEOMETRIC_PRODUCT_KERNEL, inputs, PRODUCT_INPUT_NAMES, wantShape),
  outputs: (m, c) => Array.from({ length: 8 }, () => [m, c]),
  run: (a, y, m, c) => {
    const pool = kernelPool();
    const split = pool ? workerRows(m, pool.threads, FORWARD_COPY_COST) : 0;
    if (pool && split >= 1 && m * c >= PRODUCT_POOL_MIN_ELEMENTS) {
      // Rows [0, split) on the pool (a prefix of every [M, C] array: only it is copied),
      // rows [split, M) on this thread, in place.
      const rows = Math.ceil(split / (8 * pool.threads));
      const inputs = PRODUCT_INPUT_NAMES.map((n) => a[n]);
      const job = {
        kind: "gpForward",
        inputs: inputs.map((v, i) => (i < 24 ? v.subarray(0, split * c) : v)),
        outputs: y.map((v) => v.subarray(0, split * c)),
        params: [split, c, rows],
        units: Math.ceil(split / rows),
        callerWork: () =>
          geometricProductForwardRange(
            inputs.slice(0, 8),
            inputs.slice(8, 16),
            inputs.slice(16, 24),
            a.w,
            productSigmoids(inputs.slice(25, 29), c),
            y,
            m,
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
    geometricProductForwardF32(
      {
        x: pick(a, "x", 8),
        l: pick(a, "l", 8),
        r: pick(a, "r", 8),
        w: a.w,
        sigma: pick(a, "s", 4),
      },
      y,
      m,
      c,
    );
  },
});

registerBladeKernel({
  name: GEOMETRIC_PRODUCT_GRAD_KERNEL,
  inputs: PRODUCT_GRAD_INPUT_NAMES,
  shape: (inputs) =>
    checkBladeInputs(GEOMETRIC_PRODUCT_GRAD_KERNEL, inputs, PRODUCT_GRAD_INPUT_NAMES, wantShape),
  outputs: (m, c) => [
    ...Array.from({ length: 24 }, () => [m, c]),
    [c, GRADE_PATHS.length],
    ...Array.from({ length: 4 }, () => [c]),
  ],
  run: (a, out, m, c) => {
    const pool = kernelPool();
    if (pool && c > GRAD_CHANNEL_BLOCK && m * c >= PRODUCT_POOL_MIN_ELEMENTS) {
      const block = GRAD_CHANNEL_BLOCK * Math.ceil(c / pool.threads / GRAD_CHANNEL_BLOCK);
      const job = {
        kind: "gpBackward",
        inputs: PRODUCT_GRAD_INPUT_NAMES.map((n) => a[n]),
        outputs: out,
        params: [m, c, block],
        units: Math.ceil(c / block),
      };
      if (pool.fits(job)) {
        pool.run(job);
        return;
      }
    }
    geometricProductBackwardF32(
      pick(a, "dy", 8),
      { x: pick(a, "x", 8), r: pick(a, "r", 8), w: a.w, sigma: pick(a, "s", 4) },
      {
        dx: out.slice(0, 8),
        dl: out.slice(8, 16),
        dr: out.slice(16, 24),
        dw: out[24],
        dsigma: out.slice(25, 29),
      },
      m,
      c,
    );
  },
});
