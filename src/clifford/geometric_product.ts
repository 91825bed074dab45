/**
 * GeometricProduct (design/model.md §2), the weighted, per-channel geometric product of
 * Ruhe et al.'s Clifford group equivariant networks:
 *
 *   y = (MVLinear_l(x) + P(x, n(MVLinear_r(x)))) / √2
 *   P(a, b)[c, j] = Σ_{i,k} a[c, i] · W[c, grade(i), grade(j), grade(k)] · T[i, j, k] · b[c, k]
 *   n(x)_g = x_g / (sigmoid(σ[c, g]) · (‖x_g‖ − 1) + 1 + ε)
 *
 * The two linear maps are matmuls; the rest, `(l + P(x, n(r))) / √2`, is
 * {@link geometricProductCore}: one fused kernel on `cpu` and `wasm`
 * (`geometric_product_op.ts`), the TensorFlow.js-ops reference elsewhere
 * (`geometric_product_reference.ts`: 64 elementwise products of `[M, C]` tensors on the
 * blade-split layout, several times faster on wasm than building the 64 permuted copies with
 * a matmul). Only the grade paths `(grade(i), grade(j), grade(k))` that occur in `T` get a
 * weight.
 *
 * @module
 */
import { tf } from "../backend.ts";
import type { Multivector } from "./algebra.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import { GRADE_PATHS } from "./geometric_product_math.ts";
import { geometricProductCore } from "./geometric_product_op.ts";
import { MVLinear } from "./mv_linear.ts";
import type { ParamFactory } from "./params.ts";

export { GRADE_PATHS, PRODUCT_NORM_EPS } from "./geometric_product_math.ts";
export { normalizeGrades, weightedProduct } from "./geometric_product_reference.ts";

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
      return geometricProductCore({
        x,
        l: this.left.call(x),
        r: this.right.call(x),
        pathWeights: this.pathWeights as tf.Tensor2D,
        sigma: this.sigma as tf.Tensor1D[],
      });
    });
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "GeometricProduct", x);
  }
}
