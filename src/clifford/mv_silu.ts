/**
 * MVSiLU (design/model.md §2): `y[c, b] = x[c, b] · sigmoid(α[c, g] · s[c, g] + β[c, g])`,
 * g = grade(b), `s` = the scalar `x[c, 0]` for grade 0 and the squared norm of that grade's
 * coefficients for grades 1–3 (invariant under O(3), so the gate is too).
 *
 * @module
 */
import type { tf } from "../backend.ts";
import type { Multivector } from "./algebra.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import { mvSilu } from "./mv_silu_op.ts";
import type { ParamFactory } from "./params.ts";

export { gradeSquaredNorm } from "./mv_silu_reference.ts";

/** Gated SiLU-like nonlinearity, one gate per channel and grade. */
export class MVSiLU implements CliffordLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Per-grade slopes α `[C]` (init 1). */
  readonly alpha: tf.Variable[];
  /** Per-grade offsets β `[C]` (init 0). */
  readonly beta: tf.Variable[];

  /** @param channels C ≥ 1. */
  constructor(params: ParamFactory, channels: number) {
    assertWidth("MVSiLU: channels", channels);
    this.inChannels = this.outChannels = channels;
    this.alpha = [0, 1, 2, 3].map(() => params.constant([channels], 1));
    this.beta = [0, 1, 2, 3].map(() => params.constant([channels], 0));
  }

  get variables(): tf.Variable[] {
    return [...this.alpha, ...this.beta];
  }

  call(x: Multivector): Multivector {
    return mvSilu(x, this.alpha, this.beta); // fused kernel on cpu/wasm, tf ops elsewhere
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "MVSiLU", x);
  }
}
