/**
 * Registers a kernel on the blade-split layout (8 tensors `[M, C]` per multivector, plus
 * small per-channel parameters) for the `cpu` and `wasm` backends from one math function on
 * Float32Arrays: on `cpu` it reads the inputs' arrays and wraps fresh outputs; on `wasm` it
 * runs on views of the wasm heap (inputs read and outputs written in place, no copies).
 *
 * @module
 */
import { tf } from "../backend.ts";

/** A kernel on blade-split tensors. */
export interface BladeKernelSpec {
  /** Registered kernel name. */
  name: string;
  /** Input names in order. */
  inputs: readonly string[];
  /**
   * Checks the inputs (shapes, dtype) and returns `[M, C]`.
   *
   * @throws Error naming the kernel, the input and its value.
   */
  shape(inputs: tf.NamedTensorInfoMap): [number, number];
  /** Output shapes in order, for M tokens and C channels. */
  outputs(m: number, c: number): number[][];
  /**
   * The math: reads `inputs` (by name), overwrites every array of `outputs` (in order).
   * Must not write to the inputs.
   */
  run(inputs: Record<string, Float32Array>, outputs: Float32Array[], m: number, c: number): void;
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

/** The kernel config of `spec` on `backendName`. */
export function bladeKernelConfig(
  spec: BladeKernelSpec,
  backendName: "cpu" | "wasm",
): tf.KernelConfig {
  return {
    kernelName: spec.name,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const [m, c] = spec.shape(inputs);
      const shapes = spec.outputs(m, c);
      const arrays: Record<string, Float32Array> = {};
      if (backendName === "cpu") {
        const cpu = backend as unknown as CpuBackend;
        for (const name of spec.inputs) {
          arrays[name] = cpu.readSync(inputs[name]!.dataId) as Float32Array;
        }
        const outs = shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
        spec.run(arrays, outs, m, c);
        return outs.map((v, n) => cpu.makeTensorInfo(shapes[n], "float32", v));
      }
      const wasm = backend as unknown as WasmBackend;
      const infos = shapes.map((s) => wasm.makeOutput(s, "float32"));
      // Views are taken after every makeOutput: allocating may grow (and detach) the heap.
      const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info) as Float32Array;
      for (const name of spec.inputs) arrays[name] = view(inputs[name]!);
      spec.run(arrays, infos.map(view), m, c);
      return infos;
    },
  };
}

/** Registers `spec` for `cpu` and `wasm`. */
export function registerBladeKernel(spec: BladeKernelSpec): void {
  tf.registerKernel(bladeKernelConfig(spec, "cpu"));
  tf.registerKernel(bladeKernelConfig(spec, "wasm"));
}

/**
 * Checks that the named inputs are float32 with the shapes `want(name)` gives (relative to
 * the first input's `[M, C]`), and returns `[M, C]`.
 *
 * @throws Error naming the kernel, the input and its shape or dtype.
 */
export function checkBladeInputs(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  names: readonly string[],
  want: (name: string, m: number, c: number) => number[],
): [number, number] {
  const first = inputs[names[0]];
  if (!first || first.shape.length !== 2) {
    throw new Error(
      `${kernel}: ${names[0]} must be [M, C], got ${first ? `[${first.shape.join(",")}]` : "none"}`,
    );
  }
  const [m, c] = first.shape;
  for (const name of names) {
    const t = inputs[name];
    const shape = want(name, m, c);
    if (!t || t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new Error(
        `${kernel}: ${name} must have shape [${shape.join(",")}], got ${
          t ? `[${t.shape.join(",")}]` : "none"
        }`,
      );
    }
    if (t.dtype !== "float32") {
      throw new Error(`${kernel}: ${name} must be float32, got ${t.dtype}`);
    }
  }
  return [m, c];
}
