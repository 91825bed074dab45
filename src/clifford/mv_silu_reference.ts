/**
 * The reference formulation of MVSiLU in TensorFlow.js ops (design/model.md §2), on the
 * blade-split layout: `y_b = x_b · sigmoid(α_g · s_g + β_g)`, g = grade(b), `s_0 = x_0`,
 * `s_g` = the squared norm of grade g (g ≥ 1). It runs on every backend; the fused kernels
 * (`mv_silu_op.ts`) are tested against it and it is the path of backends without them.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { bladesOfGrade, GRADES, type Multivector } from "./algebra.ts";

/** The squared norm of grade `g` over its blades: `[M, C]`. */
export function gradeSquaredNorm(x: Multivector, g: number): tf.Tensor2D {
  const blades = bladesOfGrade(g);
  return tf.tidy(() => {
    const squares = blades.map((b) => tf.square(x[b]));
    return (squares.length === 1 ? squares[0] : tf.addN(squares)) as tf.Tensor2D;
  });
}

/** MVSiLU in tf ops: α, β are 4 tensors `[C]` each (grades 0–3). */
export function mvSiluReference(
  x: Multivector,
  alpha: tf.Tensor[],
  beta: tf.Tensor[],
): Multivector {
  return tf.tidy(() => {
    const gates = [0, 1, 2, 3].map((g) => {
      const s = g === 0 ? x[0] : gradeSquaredNorm(x, g); // [M, C]
      return tf.sigmoid(tf.add(tf.mul(s, alpha[g]), beta[g]));
    });
    return x.map((xb, b) => tf.mul(xb, gates[GRADES[b]]) as tf.Tensor2D);
  });
}
