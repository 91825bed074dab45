/**
 * The reference formulation of the geometric-product core in TensorFlow.js ops (design/model.md
 * §2), on the blade-split layout:
 *
 *   y = (l + P(x, n(r))) / √2
 *   P(a, b)[c, j] = Σ_{i,k} a[c, i] · W[c, grade(i), grade(j), grade(k)] · T[i, j, k] · b[c, k]
 *   n(x)_g = x_g / (sigmoid(σ[c, g]) · (‖x_g‖ − 1) + 1 + ε)
 *
 * `T` is sparse: each `(i, k)` pair gives exactly one `j` (`e_i e_k = ±e_j`), 64 terms in
 * all: 64 elementwise multiply pairs and 8 sums of `[M, C]` tensors, no `[…, 8, 8, 8]`
 * tensor, gather or slice. It runs on every backend; the fused kernels
 * (`geometric_product_op.ts`) are tested against it and it is the path of backends without
 * them (`webgpu`, `tensorflow`). Its gradient tape keeps every one of the ~130 `[M, C]`
 * intermediates per call.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { GRADES, type Multivector } from "./algebra.ts";
import { GRADE_PATHS, PRODUCT_NORM_EPS, PRODUCT_TERMS } from "./geometric_product_math.ts";
import { gradeSquaredNorm } from "./mv_silu_reference.ts";

/**
 * The 64 non-zero Cayley entries grouped by output blade: for each `j`, eight terms
 * `{ i, k }` with `e_i e_k = ±e_j`; and the signed path matrix `[paths, 64]` mapping the
 * path weights to the 64 signed term weights (column `8·j + n` for the n-th term of `j`).
 */
const TERMS = (() => {
  const byJ: { i: number; k: number }[][] = Array.from({ length: 8 }, () => []);
  const signedPath: number[][] = GRADE_PATHS.map(() => new Array(64).fill(0));
  for (const { i, j, k, sign, p } of PRODUCT_TERMS) {
    signedPath[p][8 * j + byJ[j].length] = sign;
    byJ[j].push({ i, k });
  }
  return { byJ, signedPath };
})();

/** The normalisation `n(·)` of each channel and grade (σ: 4 tensors `[C]`). */
export function normalizeGrades(x: Multivector, sigma: tf.Tensor[]): Multivector {
  return tf.tidy(() => {
    const denoms = [0, 1, 2, 3].map((g) => {
      const norm = tf.sqrt(tf.add(gradeSquaredNorm(x, g), PRODUCT_NORM_EPS * PRODUCT_NORM_EPS));
      return tf.add(tf.mul(tf.sigmoid(sigma[g]), tf.sub(norm, 1)), 1 + PRODUCT_NORM_EPS);
    });
    return x.map((xb, b) => tf.div(xb, denoms[GRADES[b]]) as tf.Tensor2D);
  });
}

/**
 * The bilinear product `P(a, b)` with per-channel path weights `pathWeights: [C, paths]`:
 * `P(a, b)_j = Σ_{(i,k): e_i e_k = ±e_j} (±W[:, path(i,j,k)]) ⊙ a_i ⊙ b_k`, 64 terms.
 */
export function weightedProduct(
  a: Multivector,
  b: Multivector,
  pathWeights: tf.Tensor2D,
): Multivector {
  return tf.tidy(() => {
    // [64, C] signed weight of each term, then one [C] row per term.
    const w = tf.unstack(tf.transpose(tf.matMul(pathWeights, tf.tensor2d(TERMS.signedPath))));
    return TERMS.byJ.map((terms, j) =>
      tf.addN(terms.map(({ i, k }, n) => tf.mul(tf.mul(a[i], w[8 * j + n]), b[k]))) as tf.Tensor2D
    );
  });
}

/** The inputs of the geometric-product core (blade-split, every blade `[M, C]`). */
export interface GeometricProductInputs {
  /** The layer input, left factor of the product. */
  x: Multivector;
  /** The left linear map's output (the skip term). */
  l: Multivector;
  /** The right linear map's output, normalised before the product. */
  r: Multivector;
  /** Path weights `[C, 20]`. */
  pathWeights: tf.Tensor2D;
  /** σ of the normalisation, 4 tensors `[C]` (grades 0–3). */
  sigma: tf.Tensor1D[];
}

/** `y = (l + P(x, n(r))) / √2` in TensorFlow.js ops (any backend). */
export function geometricProductReference(
  { x, l, r, pathWeights, sigma }: GeometricProductInputs,
): Multivector {
  return tf.tidy(() => {
    const p = weightedProduct(x, normalizeGrades(r, sigma), pathWeights);
    return l.map((lb, b) => tf.mul(tf.add(lb, p[b]), Math.SQRT1_2) as tf.Tensor2D);
  });
}
