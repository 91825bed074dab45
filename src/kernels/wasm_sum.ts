/**
 * `Sum` over a block of axes that is not innermost (`[O, R, I] → [O, I]`, I > 1) on the
 * `wasm` backend, read through a view of the wasm heap.
 *
 * Why: tfjs-backend-wasm 4.22 sums innermost axes only; any other reduction first transposes
 * the input into a new buffer. Every bias and per-channel weight of a dense or Clifford layer
 * has a gradient `sum(dY, 0)` over tokens: in an SE(3)-Hyena backward pass at N = 4,096
 * (`bench/profile_model.ts --model se3-hyena --n 4096 --pass backward --by shape`) the 16 sums
 * of `[4096, 128]` took 93 ms, 5.8 ms each (all 183 sums of the pass: 101 ms; with this kernel
 * 15 ms). Here each row of the input is added into a float64 row of partial sums (then rounded
 * to float32 once): one pass, no copy.
 *
 * Registered on import (from src/kernels/register.ts) for the wasm backend only; other dtypes,
 * innermost and non-contiguous reductions keep tfjs-wasm's kernel.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** The wasm backend's slice this kernel uses. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

const original = tf.getKernel("Sum", "wasm");
if (!original) throw new Error("wasm_sum: the wasm backend has no Sum kernel");
const originalFunc = original.kernelFunc;

/** Output columns summed at a time (one reused float64 row of partial sums: 16 KiB). */
const COLUMN_BLOCK = 2048;
const partial = new Float64Array(COLUMN_BLOCK);

/**
 * `x` (float32 `[O, R, I]` as stored) summed over its middle axis into `out` (`[O, I]`), in
 * float64 per output element, rows added in order.
 */
export function sumMiddleAxis(
  x: Float32Array,
  out: Float32Array,
  outer: number,
  reduce: number,
  inner: number,
): void {
  if (reduce === 1) return void out.set(x.subarray(0, out.length));
  for (let o = 0; o < outer; o++) {
    for (let j0 = 0; j0 < inner; j0 += COLUMN_BLOCK) {
      const width = Math.min(COLUMN_BLOCK, inner - j0);
      const acc = partial.subarray(0, width);
      acc.fill(0);
      for (let r = 0; r < reduce; r++) {
        const row = (o * reduce + r) * inner + j0;
        for (let j = 0; j < width; j++) acc[j] += x[row + j];
      }
      out.set(acc, o * inner + j0);
    }
  }
}

/**
 * `[outer, reduce, inner]` when the (sorted, distinct) `axes` of `shape` are one contiguous block
 * that is not innermost; `undefined` otherwise (tfjs-wasm's kernel is the right one).
 */
export function middleBlock(
  shape: readonly number[],
  axes: readonly number[],
): [number, number, number] | undefined {
  if (axes.length === 0) return undefined;
  const first = axes[0], last = axes[axes.length - 1];
  if (last - first + 1 !== axes.length || last === shape.length - 1) return undefined;
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const inner = size(last + 1, shape.length);
  return inner > 1 ? [size(0, first), size(first, last + 1), inner] : undefined;
}

/** The replacement `Sum` kernel function registered for wasm. */
export const wasmSum: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as unknown as {
    axis: number | number[];
    keepDims: boolean;
  };
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  const block = x.dtype === "float32" ? middleBlock(x.shape, axes) : undefined;
  if (!block) return originalFunc(args);
  const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const backend = args.backend as unknown as WasmBackend;
  const out = backend.makeOutput(shape, "float32");
  // Views after makeOutput: allocating may grow (and detach) the heap.
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  sumMiddleAxis(src, dst, ...block);
  return out;
};

tf.unregisterKernel("Sum", "wasm");
tf.registerKernel({ ...original, kernelFunc: wasmSum });
