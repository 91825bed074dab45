/**
 * Registers a kernel on the blade-split layout (8 tensors `[M, C]` per multivector, plus
 * small per-channel parameters) for the `cpu` and `wasm` backends from one math function on
 * Float32Arrays, through {@link f32KernelConfig} (inputs read and outputs written in place on
 * `wasm`).
 *
 * @module
 */
import { tf } from "../backend.ts";
import { checkF32Input, f32KernelConfig } from "./f32_kernel.ts";

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

/** The kernel config of `spec` on `backendName`. */
export function bladeKernelConfig(
  spec: BladeKernelSpec,
  backendName: "cpu" | "wasm",
): tf.KernelConfig {
  return f32KernelConfig<[number, number]>({
    name: spec.name,
    inputs: spec.inputs,
    dims: (inputs) => spec.shape(inputs),
    outputs: ([m, c]) => spec.outputs(m, c),
    run: (inputs, outputs, [m, c]) => spec.run(inputs, outputs, m, c),
  }, backendName);
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
  for (const name of names) checkF32Input(kernel, inputs, name, want(name, m, c));
  return [m, c];
}
