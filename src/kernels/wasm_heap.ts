/**
 * Plumbing shared by our `wasm` kernels that copy through views of the wasm heap
 * (`wasm_slice.ts`, `wasm_concat.ts`): short-run copies, and replacing a tfjs-wasm kernel while
 * string tensors (not on the heap) keep it.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** Runs shorter than this are copied element by element (a `subarray` per run costs more). */
const SHORT_RUN = 32;

/** Copies `length` elements of `src` from `from` into `dst` at `at`. */
export function copyRun(
  dst: tf.backend_util.TypedArray,
  at: number,
  src: tf.backend_util.TypedArray,
  from: number,
  length: number,
): void {
  if (length < SHORT_RUN) {
    for (let i = 0; i < length; i++) dst[at + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, from + length), at);
  }
}

/**
 * Replaces the wasm backend's `name` kernel by `kernelFunc`; calls whose first input is a string
 * tensor keep tfjs-wasm's.
 *
 * @throws Error naming the kernel when the wasm backend has none of that name.
 */
export function replaceWasmKernel(name: string, kernelFunc: tf.KernelFunc): void {
  const original = tf.getKernel(name, "wasm");
  if (!original) throw new Error(`wasm kernels: the wasm backend has no ${name} kernel`);
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const x = Object.values(args.inputs)[0] as tf.TensorInfo;
      return x.dtype === "string" ? original.kernelFunc(args) : kernelFunc(args);
    },
  });
}
