/**
 * The geometric-product core `y = (l + P(x, n(r))) / √2` (design/model.md §2) as one
 * TensorFlow.js op with its own kernels on `cpu` and `wasm`
 * (`kernels/geometric_product_kernels.ts`, shared math in `geometric_product_math.ts`).
 *
 * Why: the reference formulation (`geometric_product_reference.ts`) is ~200 elementwise ops
 * per call, and the gradient tape keeps ~130 `[M, C]` intermediates of them; the fused op is
 * one kernel whose tape node saves only its inputs `x`, `r`, `w`, `σ` (`x` is saved by the
 * linear maps anyway) and whose gradient is one kernel call. It takes the blade-split layout
 * as it is (8 + 8 + 8 tensors, no stacking).
 *
 * {@link geometricProductCore} runs the fused kernel when the active backend has one and
 * fused kernels are enabled (`setFusedKernels`, re-exported here), else the reference.
 * Gradients are first order only (the gradient kernel has no gradient itself).
 *
 * @module
 */
import { tf } from "../backend.ts";
import {
  GEOMETRIC_PRODUCT_GRAD_KERNEL,
  GEOMETRIC_PRODUCT_KERNEL,
  PRODUCT_INPUT_NAMES,
} from "../kernels/geometric_product_kernels.ts";
import "../kernels/register.ts";
import type { Multivector } from "./algebra.ts";
import {
  assertFloatTensor,
  assertMultivector,
  bladeShape,
  describeValue,
  useFusedKernel,
} from "./fused_kernels.ts";
import { GRADE_PATHS } from "./geometric_product_math.ts";
import {
  type GeometricProductInputs,
  geometricProductReference,
} from "./geometric_product_reference.ts";

export type { GeometricProductInputs } from "./geometric_product_reference.ts";

const SAVED = PRODUCT_INPUT_NAMES.filter((n) => n[0] !== "l");

tf.registerGradient({
  kernelName: GEOMETRIC_PRODUCT_KERNEL,
  inputsToSave: SAVED,
  gradFunc: (dy, saved) => {
    const dys = dy as tf.Tensor[];
    const inputs: tf.NamedTensorMap = {};
    dys.forEach((d, b) => (inputs[`dy${b}`] = d));
    SAVED.forEach((name, n) => (inputs[name] = saved[n]));
    // One kernel call gives all 29 gradients; each thunk hands out its own.
    const grads = tf.engine().runKernel(GEOMETRIC_PRODUCT_GRAD_KERNEL, inputs) as tf.Tensor[];
    return Object.fromEntries(PRODUCT_INPUT_NAMES.map((name, n) => [name, () => grads[n]]));
  },
});

export { setFusedKernels } from "./fused_kernels.ts";

/** Whether {@link geometricProductCore} runs the fused kernel on the active backend now. */
export function usesFusedProduct(): boolean {
  return useFusedKernel(GEOMETRIC_PRODUCT_KERNEL);
}

/**
 * Checks the inputs: `x`, `l`, `r` arrays of 8 float32 tensors `[M, C]` of one shape,
 * `pathWeights` `[C, 20]`, `sigma` an array of 4 tensors `[C]`.
 *
 * @throws Error naming the op, the argument and the offending value.
 */
export function assertProductInputs(op: string, inputs: GeometricProductInputs): void {
  if (inputs === null || typeof inputs !== "object") {
    throw new Error(
      `${op}: inputs must be an object { x, l, r, pathWeights, sigma }, got ${
        describeValue(inputs)
      }`,
    );
  }
  const [m, c] = bladeShape(op, "x", inputs.x);
  for (const name of ["x", "l", "r"] as const) assertMultivector(op, name, inputs[name], m, c);
  assertFloatTensor(op, "pathWeights", inputs.pathWeights, [c, GRADE_PATHS.length]);
  if (!Array.isArray(inputs.sigma) || inputs.sigma.length !== 4) {
    throw new Error(
      `${op}: sigma must be an array of 4 tensors [C], got ${describeValue(inputs.sigma)}`,
    );
  }
  inputs.sigma.forEach((t, g) => assertFloatTensor(op, `sigma[${g}]`, t, [c]));
}

/**
 * The fused op: one `CliffordGeometricProduct` kernel call (first-order gradients by one
 * `CliffordGeometricProductGrad` call).
 *
 * @returns `y`, 8 tensors `[M, C]`.
 * @throws Error naming the argument and value for bad inputs, and naming the backend when it
 *   has no fused kernel.
 */
export function fusedGeometricProduct(inputs: GeometricProductInputs): Multivector {
  assertProductInputs("fusedGeometricProduct", inputs);
  const backend = tf.getBackend();
  if (tf.getKernel(GEOMETRIC_PRODUCT_KERNEL, backend) === undefined) {
    throw new Error(
      `fusedGeometricProduct: backend "${backend}" has no ${GEOMETRIC_PRODUCT_KERNEL} kernel ` +
        `(cpu and wasm have one); use geometricProductCore, which falls back to the reference`,
    );
  }
  return runFused(inputs);
}

/** One forward kernel call on checked inputs. */
function runFused(inputs: GeometricProductInputs): Multivector {
  const named: tf.NamedTensorMap = {};
  const list = [...inputs.x, ...inputs.l, ...inputs.r, inputs.pathWeights, ...inputs.sigma];
  PRODUCT_INPUT_NAMES.forEach((name, n) => (named[name] = list[n]));
  return tf.engine().runKernel(GEOMETRIC_PRODUCT_KERNEL, named) as unknown as Multivector;
}

/**
 * `y = (l + P(x, n(r))) / √2`: the fused op where the active backend has the kernel (and
 * {@link setFusedKernels} did not disable it), else the TensorFlow.js-ops reference.
 *
 * @returns `y`, 8 tensors `[M, C]`.
 */
export function geometricProductCore(inputs: GeometricProductInputs): Multivector {
  assertProductInputs("geometricProductCore", inputs);
  return usesFusedProduct() ? runFused(inputs) : geometricProductReference(inputs);
}
