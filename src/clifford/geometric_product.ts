/**
 * GeometricProduct (design/model.md §2), the weighted, per-channel geometric product of
 * Ruhe et al.'s Clifford group equivariant networks:
 *
 *   y = (MVLinear_l(x) + P(x, n(MVLinear_r(x)))) / √2
 *   P(a, b)[c, j] = Σ_{i,k} a[c, i] · W[c, grade(i), grade(j), grade(k)] · T[i, j, k] · b[c, k]
 *   n(x)_g = x_g / (sigmoid(σ[c, g]) · (‖x_g‖ − 1) + 1 + ε)
 *
 * `T` is sparse: each `(i, j)` pair has exactly one `k` (`e_i e_k = ±e_j`). So for each
 * output grade the layer forms the permuted copies `b_{k(i,j)}` with one small matmul
 * (`[n_g·8, 8] @ [8, M·C]`), multiplies by `a_i` and the signed per-channel weights and
 * sums over `i`. It never builds `[…, 8, 8, 8]` and uses no gather (slow on wasm).
 * Only the grade paths `(grade(i), grade(j), grade(k))` that occur in `T` get a weight.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { bladeProduct, GRADE_OFFSETS, GRADE_SIZES, GRADES, type Multivector } from "./algebra.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import { gradeSquaredNorm } from "./mv_silu.ts";
import { MVLinear } from "./mv_linear.ts";
import type { ParamFactory } from "./params.ts";

/** ε of the normalisation `n(·)` (also inside the square root, squared). */
export const PRODUCT_NORM_EPS = 1e-6;

/** The grade paths `[grade(i), grade(j), grade(k)]` that occur in the Cayley table. */
export const GRADE_PATHS: readonly (readonly [number, number, number])[] = (() => {
  const seen = new Map<string, [number, number, number]>();
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 8; k++) {
      const { j } = bladeProduct(i, k);
      const p: [number, number, number] = [GRADES[i], GRADES[j], GRADES[k]];
      seen.set(p.join(","), p);
    }
  }
  return [...seen.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
})();
const PATH_INDEX = new Map(GRADE_PATHS.map((p, n) => [p.join(","), n]));

/**
 * Per output grade g: the selection matrix `[n_g·8, 8]` with row `(j, i)` picking blade
 * `k(i, j)`, and the signed path matrix `[paths, n_g·8]` mapping path weights to `(j, i)`.
 */
const GRADE_TABLES = GRADE_SIZES.map((n, g) => {
  const select: number[][] = [];
  const signedPath: number[][] = GRADE_PATHS.map(() => new Array(n * 8).fill(0));
  for (let jj = 0; jj < n; jj++) {
    const j = GRADE_OFFSETS[g] + jj;
    for (let i = 0; i < 8; i++) {
      let k = -1, sign = 0;
      for (let kk = 0; kk < 8; kk++) {
        const prod = bladeProduct(i, kk);
        if (prod.j === j) [k, sign] = [kk, prod.sign];
      }
      const row = new Array(8).fill(0);
      row[k] = 1;
      select.push(row);
      const path = PATH_INDEX.get([GRADES[i], GRADES[j], GRADES[k]].join(","))!;
      signedPath[path][jj * 8 + i] = sign;
    }
  }
  return { select, signedPath };
});

/** The normalisation `n(·)` of each channel and grade. */
export function normalizeGrades(x: Multivector, sigma: tf.Tensor[]): Multivector {
  return tf.tidy(() =>
    x.map((xg, g) => {
      const norm = tf.sqrt(tf.add(gradeSquaredNorm(xg), PRODUCT_NORM_EPS * PRODUCT_NORM_EPS));
      const denom = tf.add(tf.mul(tf.sigmoid(sigma[g]), tf.sub(norm, 1)), 1 + PRODUCT_NORM_EPS);
      return tf.div(xg, denom);
    }) as Multivector
  );
}

/**
 * The bilinear product `P(a, b)` with per-channel path weights `pathWeights: [C, paths]`.
 * Exported for tests.
 */
export function weightedProduct(
  a: Multivector,
  b: Multivector,
  pathWeights: tf.Tensor2D,
): Multivector {
  return tf.tidy(() => {
    const [, m, c] = a[0].shape;
    const aFull = tf.reshape(tf.concat(a, 0), [1, 8, m, c]);
    const bFull = tf.reshape(tf.concat(b, 0), [8, m * c]);
    return GRADE_TABLES.map(({ select, signedPath }, g) => {
      const n = GRADE_SIZES[g];
      const permuted = tf.reshape(tf.matMul(tf.tensor2d(select), bFull), [n, 8, m, c]);
      const w = tf.matMul(pathWeights, tf.tensor2d(signedPath)); // [C, n·8]
      const wjic = tf.reshape(tf.transpose(w), [n, 8, 1, c]);
      return tf.sum(tf.mul(tf.mul(permuted, aFull), wjic), 1); // [n, M, C]
    }) as Multivector;
  });
}

/** The geometric-product layer with a linear skip path. */
export class GeometricProduct implements CliffordLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Left linear map (with bias). */
  readonly left: MVLinear;
  /** Right linear map (no bias), normalised before the product. */
  readonly right: MVLinear;
  /** Path weights `[C, paths]` (init `N(0, 1/4)`). */
  readonly pathWeights: tf.Variable;
  /** Per-grade normalisation parameters σ `[C]` (init 0). */
  readonly sigma: tf.Variable[];

  /** @param channels C ≥ 1. */
  constructor(params: ParamFactory, channels: number) {
    assertWidth("GeometricProduct: channels", channels);
    this.inChannels = this.outChannels = channels;
    this.left = new MVLinear(params, channels, channels);
    this.right = new MVLinear(params, channels, channels, { bias: false });
    this.pathWeights = params.normal([channels, GRADE_PATHS.length], 0.5);
    this.sigma = [0, 1, 2, 3].map(() => params.constant([channels], 0));
  }

  get variables(): tf.Variable[] {
    return [...this.left.variables, ...this.right.variables, this.pathWeights, ...this.sigma];
  }

  call(x: Multivector): Multivector {
    return tf.tidy(() => {
      const l = this.left.call(x);
      const r = normalizeGrades(this.right.call(x), this.sigma);
      const p = weightedProduct(x, r, this.pathWeights as tf.Tensor2D);
      return l.map((lg, g) => tf.mul(tf.add(lg, p[g]), Math.SQRT1_2)) as Multivector;
    });
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "GeometricProduct", x);
  }
}
