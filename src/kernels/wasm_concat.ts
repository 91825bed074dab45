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
import { copyRun } from "./wasm_slice.ts";

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

/** Replaces the wasm backend's `name` kernel; string tensors keep the original. */
function replace(name: string, kernelFunc: tf.KernelFunc): void {
  const original = tf.getKernel(name, "wasm");
  if (!original) throw new Error(`wasm_concat: the wasm backend has no ${name} kernel`);
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const xs = args.inputs as unknown as tf.TensorInfo[];
      return xs[0].dtype === "string" ? original.kernelFunc(args) : kernelFunc(args);
    },
  });
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
  const shape = xs[0].shape;
  for (const x of xs) {
    tf.util.assertShapesMatch(
      shape,
      x.shape,
      "All tensors passed to stack must have matching shapes",
    );
    tf.util.assert(
      x.dtype === xs[0].dtype,
      () => "All tensors passed to stack must have matching dtypes",
    );
  }
  let { axis } = attrs as unknown as { axis: number };
  if (axis < 0) axis += shape.length + 1;
  const outShape = [...shape.slice(0, axis), xs.length, ...shape.slice(axis)];
  return concatFromHeap(xs, axis, outShape, backend);
};

replace("Concat", wasmConcat);
replace("Pack", wasmPack);
