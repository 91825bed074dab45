/**
 * The contract of the fused geometric-product kernels (the core of the GeometricProduct
 * layer, design/model.md §2; math in `clifford/geometric_product_math.ts`).
 *
 * Kernel `CliffordGeometricProduct`: inputs `x0…x7`, `l0…l7`, `r0…r7` (float32 `[M, C]`,
 * one per blade), `w` (float32 `[C, 20]` path weights) and `s0…s3` (float32 `[C]`, σ per
 * grade); outputs `y0…y7` (`[M, C]`):
 *
 *   y = (l + P(x, n(r))) / √2
 *
 * Kernel `CliffordGeometricProductGrad`: inputs `dy0…dy7` and the forward's `x*`, `r*`, `w`,
 * `s*` (not `l`); outputs the gradients of every forward input in the forward's order:
 * `dx0…dx7, dl0…dl7, dr0…dr7, dw, ds0…ds3` (29 tensors).
 *
 * @module
 */
import type { tf } from "../backend.ts";
import { GRADE_PATHS } from "../clifford/geometric_product_math.ts";

/** Registered name of the forward kernel. */
export const GEOMETRIC_PRODUCT_KERNEL = "CliffordGeometricProduct";
/** Registered name of the gradient kernel. */
export const GEOMETRIC_PRODUCT_GRAD_KERNEL = "CliffordGeometricProductGrad";

const blades = (prefix: string) => Array.from({ length: 8 }, (_, b) => `${prefix}${b}`);
/** Names of the forward kernel's inputs, in order (also the gradient kernel's output order). */
export const PRODUCT_INPUT_NAMES: readonly string[] = [
  ...blades("x"),
  ...blades("l"),
  ...blades("r"),
  "w",
  "s0",
  "s1",
  "s2",
  "s3",
];
/** Names of the gradient kernel's inputs. */
export const PRODUCT_GRAD_INPUT_NAMES: readonly string[] = [
  ...blades("dy"),
  ...blades("x"),
  ...blades("r"),
  "w",
  "s0",
  "s1",
  "s2",
  "s3",
];

/**
 * Checks a kernel call's inputs (float32; every per-blade input `[M, C]` with one M and C,
 * `w` `[C, 20]`, `s*` `[C]`) and returns `[M, C]`.
 *
 * @throws Error naming the kernel, the input and its shape or dtype.
 */
export function productShape(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  names: readonly string[],
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
    const want = name === "w" ? [c, GRADE_PATHS.length] : name[0] === "s" ? [c] : [m, c];
    if (!t || t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
      throw new Error(
        `${kernel}: ${name} must have shape [${want.join(",")}], got ${
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
