/**
 * `Slice`, `SplitV` and `Unpack` on the `wasm` backend reading their input through a view of
 * the wasm heap instead of a copy.
 *
 * Why: tfjs-backend-wasm 4.22's `Slice` starts with `backend.readSync(x)`, which copies the
 * whole input out of the heap (`HEAPU8.slice`) to take a part of it, and its `SplitV` and
 * `Unpack` slice once per part. A model that runs its per-token layers in chunks of 8,192
 * tokens slices a chunk out of the full `[N, C]` input each time, so each slice cost O(N) and
 * the pass O(N²/chunk): SE(3)-Hyena forward (paper-runtime, token chunk 8,192,
 * `bench/profile_model.ts`) spent 71 ms in 160 slices at N = 65,536 and 7,310 ms in 640 at
 * N = 262,144 (0.44 → 11.4 ms per slice of the same size) — the superlinear time of the
 * committed `paper-fig5` run beyond 131k tokens. Here a slice costs its output's size.
 *
 * Registered on import (from src/kernels/register.ts) for the wasm backend only; string
 * tensors (not on the heap) keep tfjs-wasm's kernels.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { copyRun, replaceWasmKernel } from "./wasm_heap.ts";

/** The wasm backend's slice these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * `x[begin : begin + size]` (any rank) into a new heap tensor, copying runs of the innermost
 * contiguous axis from a view of `x`.
 */
export function sliceFromHeap(
  x: tf.TensorInfo,
  begin: readonly number[],
  size: readonly number[],
  backend: unknown,
): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput([...size], x.dtype);
  // Views after makeOutput: allocating may grow (and detach) the heap.
  const src = wasm.typedArrayFromHeap(x), dst = wasm.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (dst.length === 0) return out;
  if (rank === 0) {
    dst[0] = src[0];
    return out;
  }
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, [...begin], [...size])) {
    const offset = tf.slice_util.computeFlatOffset([...begin], strides);
    dst.set(src.subarray(offset, offset + dst.length));
    return out;
  }
  const inner = size[rank - 1], index = new Array(rank - 1).fill(0);
  for (let at = 0; at < dst.length; at += inner) {
    let offset = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) offset += (begin[d] + index[d]) * strides[d];
    copyRun(dst, at, src, offset, inner);
    for (let d = rank - 2; d >= 0; d--) { // next index, last axis fastest
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** The replacement `Slice`. */
export const wasmSlice: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  const { begin, size } = attrs as unknown as { begin: number[]; size: number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceFromHeap(x, b, s, backend);
};

/** The replacement `SplitV`: one slice per part. */
export const wasmSplitV: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  const { numOrSizeSplits, axis } = attrs as unknown as {
    numOrSizeSplits: number | number[];
    axis: number;
  };
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const parts = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const begin = new Array(x.shape.length).fill(0);
  return parts.map((part) => {
    const size = [...x.shape];
    size[ax] = part;
    const out = sliceFromHeap(x, begin, size, backend);
    begin[ax] += part;
    return out;
  });
};

/** The replacement `Unpack`: one slice per index of `axis`, that axis dropped. */
export const wasmUnpack: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs.value as tf.TensorInfo;
  const rank = x.shape.length;
  let { axis } = attrs as unknown as { axis: number };
  if (axis < 0) axis += rank;
  const size = [...x.shape];
  size[axis] = 1;
  const shape = x.shape.filter((_, d) => d !== axis);
  return Array.from({ length: x.shape[axis] }, (_, i) => {
    const begin = new Array(rank).fill(0);
    begin[axis] = i;
    const { dataId, dtype } = sliceFromHeap(x, begin, size, backend);
    return { dataId, dtype, shape };
  });
};

replaceWasmKernel("Slice", wasmSlice);
replaceWasmKernel("SplitV", wasmSplitV);
replaceWasmKernel("Unpack", wasmUnpack);
