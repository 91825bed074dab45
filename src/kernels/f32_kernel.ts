/**
 * Registers a float32 kernel for the `cpu` and `wasm` backends from one math function on
 * Float32Arrays: on `cpu` it reads the inputs' arrays and wraps fresh outputs; on `wasm` it
 * runs on views of the wasm heap (inputs read and outputs written in place, no copies).
 * Every kernel of ours on these two backends goes through here (blade-split Clifford
 * kernels, attention, Gram logits).
 *
 * @module
 */
import { tf } from "../backend.ts";

/** A float32 kernel with sizes `D` (checked from the inputs and attributes). */
export interface F32KernelSpec<D> {
  /** Registered kernel name. */
  name: string;
  /** Input names in order. */
  inputs: readonly string[];
  /**
   * Checks the inputs (shapes, dtype) and attributes; returns the sizes the math needs.
   *
   * @throws Error naming the kernel, the input and its value.
   */
  dims(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): D;
  /** Output shapes in order. */
  outputs(dims: D): number[][];
  /**
   * The math: reads `inputs` (by name), overwrites every array of `outputs` (in order).
   * Must not write to the inputs.
   */
  run(inputs: Record<string, Float32Array>, outputs: Float32Array[], dims: D): void;
}

/** The cpu backend's slice these kernels use. */
interface CpuBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** The wasm backend's slice these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The kernel config of `spec` on `backendName`. */
export function f32KernelConfig<D>(
  spec: F32KernelSpec<D>,
  backendName: "cpu" | "wasm",
): tf.KernelConfig {
  return {
    kernelName: spec.name,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const dims = spec.dims(inputs, attrs ?? {});
      const shapes = spec.outputs(dims);
      const arrays: Record<string, Float32Array> = {};
      if (backendName === "cpu") {
        const cpu = backend as unknown as CpuBackend;
        for (const name of spec.inputs) {
          arrays[name] = cpu.readSync(inputs[name]!.dataId) as Float32Array;
        }
        const outs = shapes.map((s) => new Float32Array(size(s)));
        spec.run(arrays, outs, dims);
        return outs.map((v, n) => cpu.makeTensorInfo(shapes[n], "float32", v));
      }
      const wasm = backend as unknown as WasmBackend;
      const infos = shapes.map((s) => wasm.makeOutput(s, "float32"));
      // Views are taken after every makeOutput: allocating may grow (and detach) the heap.
      const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info) as Float32Array;
      for (const name of spec.inputs) arrays[name] = view(inputs[name]!);
      spec.run(arrays, infos.map(view), dims);
      return infos;
    },
  };
}

/** Registers `spec` for `cpu` and `wasm`. */
export function registerF32Kernel<D>(spec: F32KernelSpec<D>): void {
  tf.registerKernel(f32KernelConfig(spec, "cpu"));
  tf.registerKernel(f32KernelConfig(spec, "wasm"));
}

/**
 * Checks that input `name` exists, is float32 and has `shape`.
 *
 * @throws Error naming the kernel, the input and its shape or dtype.
 */
export function checkF32Input(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  name: string,
  shape: readonly number[],
): void {
  const t = inputs[name];
  if (!t || t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new Error(
      `${kernel}: ${name} must have shape [${shape.join(",")}], got ${
        t ? `[${t.shape.join(",")}]` : "none"
      }`,
    );
  }
  if (t.dtype !== "float32") throw new Error(`${kernel}: ${name} must be float32, got ${t.dtype}`);
}
