/**
 * `Concat` and `Pack` (stack) on the `wasm` backend, copying through views of the wasm heap
 * with short runs copied element by element.
 *
 * Why: tfjs-backend-wasm 4.22 copies each input's part of each output row with
 * `set(subarray(…))`: one small array object per row and input. Joining the three `[N, 1]`
 * coordinate columns of a point cloud (`tf.concat(…, 1)` and `tf.stack(…, 1)` in SE(3)-Hyena's
 * backward) took 9 ms per call at N = 4,096 (`bench/profile_model.ts --model se3-hyena --n 4096
 * --pass backward --by shape`: 27 ms for 3 calls); copying short runs with a loop takes
 * microseconds.
 *
 * Registered on import (from src/kernels/register.ts) for the wasm backend only; string
 * tensors keep tfjs-wasm's kernels.
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
 * The inputs joined along `axis` into a new tensor of shape `outShape`: each input's shape is
 * `[...outer, ...inner_i]` from `axis` on, so each output row (one index of the axes before
 * `axis`) is the inputs' rows one after another.
 */
export function concatFromHeap(
  inputs: readonly tf.TensorInfo[],
  axis: number,
  outShape: number[],
  backend: unknown,
): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput(outShape, inputs[0].dtype);
  // Views after makeOutput: allocating may grow (and detach) the heap.
  const dst = wasm.typedArrayFromHeap(out);
  if (dst.length === 0) return out;
  const parts = inputs.filter((x) => tf.util.sizeFromShape(x.shape) > 0);
  const inner = parts.map((x) => tf.util.sizeFromShape(x.shape.slice(axis)));
  const src = parts.map((x) => wasm.typedArrayFromHeap(x));
  const rows = tf.util.sizeFromShape(outShape.slice(0, axis));
  let at = 0;
  for (let row = 0; row < rows; row++) {
    for (let i = 0; i < parts.length; i++) {
      copyRun(dst, at, src[i], row * inner[i], inner[i]);
      at += inner[i];
    }
  }
  return out;
}

/** The replacement `Concat`. */
export const wasmConcat: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const xs = inputs as unknown as tf.TensorInfo[];
  const axis = tf.util.parseAxisParam((attrs as unknown as { axis: number }).axis, xs[0].shape)[0];
  const shapes = xs.map((x) => x.shape);
  tf.backend_util.assertParamsConsistent(shapes, axis);
  return concatFromHeap(xs, axis, tf.backend_util.computeOutShape(shapes, axis), backend);
};

/** The replacement `Pack`: the inputs, each with a new axis of size 1 at `axis`, joined. */
export const wasmPack: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const xs = inputs as unknown as tf.TensorInfo[];
  const shape = xs[0].shape, rank = shape.length;
  xs.forEach((x, i) => {
    if (!tf.util.arraysEqual(x.shape, shape) || x.dtype !== xs[0].dtype) {
      throw new Error(
        `stack: input ${i} is ${x.dtype} [${x.shape}], input 0 ${xs[0].dtype} [${shape}]: ` +
          `all must have the same shape and dtype`,
      );
    }
  });
  const { axis } = attrs as unknown as { axis: number };
  if (!Number.isInteger(axis) || axis < -(rank + 1) || axis > rank) {
    throw new Error(`stack: axis ${axis} out of range [${-(rank + 1)}, ${rank}] for rank ${rank}`);
  }
  const at = axis < 0 ? axis + rank + 1 : axis;
  const outShape = [...shape.slice(0, at), xs.length, ...shape.slice(at)];
  return concatFromHeap(xs, at, outShape, backend);
};

replaceWasmKernel("Concat", wasmConcat);
replaceWasmKernel("Pack", wasmPack);
