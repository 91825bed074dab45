/**
 * MVLinear (design/model.md §2): channel mixing separately per grade,
 * `y[o, b] = Σ_i W[o, i, grade(b)] · x[i, b]`, plus a bias on the grade-0 blade only.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { GRADE_SIZES, GRADES, type Multivector } from "./algebra.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import type { ParamFactory } from "./params.ts";

/** Options of {@link MVLinear}. */
export interface MVLinearOptions {
  /** Add a learned bias to the grade-0 blade. Default `true`. */
  bias?: boolean;
}

/** Grade-wise linear map between multivector channels. */
export class MVLinear implements CliffordLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Per-grade weights `[Cin, Cout]` (init `N(0, 1/Cin)`). */
  readonly weights: tf.Variable[];
  /** Grade-0 bias `[Cout]` (init 0), or undefined. */
  readonly bias?: tf.Variable;

  /**
   * @param params where the variables come from (seeded).
   * @param inChannels Cin ≥ 1.
   * @param outChannels Cout ≥ 1.
   */
  constructor(
    params: ParamFactory,
    inChannels: number,
    outChannels: number,
    opts: MVLinearOptions = {},
  ) {
    assertWidth("MVLinear: inChannels", inChannels);
    assertWidth("MVLinear: outChannels", outChannels);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    const std = 1 / Math.sqrt(inChannels);
    this.weights = GRADE_SIZES.map(() => params.normal([inChannels, outChannels], std));
    if (opts.bias ?? true) this.bias = params.constant([outChannels], 0);
  }

  get variables(): tf.Variable[] {
    return this.bias ? [...this.weights, this.bias] : [...this.weights];
  }

  call(x: Multivector): Multivector {
    return tf.tidy(() =>
      x.map((xb, b) => {
        const y = tf.matMul(xb, this.weights[GRADES[b]]); // [M, Cout]
        return (b === 0 && this.bias ? tf.add(y, this.bias) : y) as tf.Tensor2D;
      })
    );
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "MVLinear", x);
  }
}
