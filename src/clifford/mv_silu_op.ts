/**
 * MVSiLU (design/model.md §2) as one TensorFlow.js op with its own kernels on `cpu` and
 * `wasm` (`kernels/mv_silu_kernels.ts`, math in `mv_silu_math.ts`): the reference
 * (`mv_silu_reference.ts`) is ~27 elementwise ops whose tape keeps ~11 `[M, C]`
 * intermediates and whose backward makes ~30 more; the fused op's tape node saves only its
 * inputs and its gradient is one kernel call. {@link mvSilu} runs it where the active backend
 * has the kernel and fused kernels are enabled (`setFusedKernels`), else the reference.
 * Gradients are first order only.
 *
 * @module
 */
import { tf } from "../backend.ts";
import {
  MV_SILU_GRAD_KERNEL,
  MV_SILU_INPUT_NAMES,
  MV_SILU_KERNEL,
} from "../kernels/mv_silu_kernels.ts";
import "../kernels/register.ts";
import type { Multivector } from "./algebra.ts";
import {
  assertFloatTensor,
  assertMultivector,
  bladeShape,
  describeValue,
  useFusedKernel,
} from "./fused_kernels.ts";
import { mvSiluReference } from "./mv_silu_reference.ts";

tf.registerGradient({
  kernelName: MV_SILU_KERNEL,
  inputsToSave: MV_SILU_INPUT_NAMES as string[],
  gradFunc: (dy, saved) => {
    const inputs: tf.NamedTensorMap = {};
    (dy as tf.Tensor[]).forEach((d, b) => (inputs[`dy${b}`] = d));
    MV_SILU_INPUT_NAMES.forEach((name, n) => (inputs[name] = saved[n]));
    // One kernel call gives all 16 gradients; each thunk hands out its own.
    const grads = tf.engine().runKernel(MV_SILU_GRAD_KERNEL, inputs) as tf.Tensor[];
    return Object.fromEntries(MV_SILU_INPUT_NAMES.map((name, n) => [name, () => grads[n]]));
  },
});

/** Checks x (8 × `[M, C]`) and α, β (4 × `[C]` each); errors name the argument and value. */
function assertInputs(op: string, x: Multivector, alpha: tf.Tensor[], beta: tf.Tensor[]): void {
  const [m, c] = bladeShape(op, "x", x);
  assertMultivector(op, "x", x, m, c);
  for (const [name, p] of [["alpha", alpha], ["beta", beta]] as const) {
    if (!Array.isArray(p) || p.length !== 4) {
      throw new Error(`${op}: ${name} must be an array of 4 tensors [C], got ${describeValue(p)}`);
    }
    p.forEach((t, g) => assertFloatTensor(op, `${name}[${g}]`, t, [c]));
  }
}

/** Whether {@link mvSilu} runs the fused kernel on the active backend now. */
export function usesFusedMVSiLU(): boolean {
  return useFusedKernel(MV_SILU_KERNEL);
}

/**
 * The fused op: one `CliffordMVSiLU` kernel call.
 *
 * @param x 8 tensors `[M, C]`.
 * @param alpha α per grade, 4 tensors `[C]`.
 * @param beta β per grade, 4 tensors `[C]`.
 * @throws Error naming the argument and value for bad inputs, and naming the backend when it
 *   has no kernel.
 */
export function fusedMVSiLU(x: Multivector, alpha: tf.Tensor[], beta: tf.Tensor[]): Multivector {
  assertInputs("fusedMVSiLU", x, alpha, beta);
  const backend = tf.getBackend();
  if (tf.getKernel(MV_SILU_KERNEL, backend) === undefined) {
    throw new Error(
      `fusedMVSiLU: backend "${backend}" has no ${MV_SILU_KERNEL} kernel (cpu and wasm have ` +
        `one); use mvSilu, which falls back to the reference`,
    );
  }
  return runFused(x, alpha, beta);
}

function runFused(x: Multivector, alpha: tf.Tensor[], beta: tf.Tensor[]): Multivector {
  const named: tf.NamedTensorMap = {};
  [...x, ...alpha, ...beta].forEach((t, n) => (named[MV_SILU_INPUT_NAMES[n]] = t));
  return tf.engine().runKernel(MV_SILU_KERNEL, named) as unknown as Multivector;
}

/**
 * MVSiLU: the fused op where the active backend has the kernel (and fused kernels are
 * enabled), else the TensorFlow.js-ops reference.
 *
 * @returns 8 tensors `[M, C]`.
 */
export function mvSilu(x: Multivector, alpha: tf.Tensor[], beta: tf.Tensor[]): Multivector {
  assertInputs("mvSilu", x, alpha, beta);
  return usesFusedMVSiLU() ? runFused(x, alpha, beta) : mvSiluReference(x, alpha, beta);
}
