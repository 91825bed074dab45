/**
 * MVSiLU (design/model.md §2): `y[c, b] = x[c, b] · sigmoid(α[c, g] · s[c, g] + β[c, g])`,
 * g = grade(b), `s` = the scalar `x[c, 0]` for grade 0 and the squared norm of that grade's
 * coefficients for grades 1–3 (invariant under O(3), so the gate is too).
 *
 * @module
 */
import { tf } from "../backend.ts";
import type { Multivector } from "./algebra.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import type { ParamFactory } from "./params.ts";

/** The squared norm of each grade over its blades: `[n, M, C]` → `[1, M, C]`. */
export function gradeSquaredNorm(xg: tf.Tensor3D): tf.Tensor3D {
  return tf.sum(tf.square(xg), 0, true);
}

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
    return tf.tidy(() =>
      x.map((xg, g) => {
        const s = g === 0 ? xg : gradeSquaredNorm(xg); // [1, M, C]
        const gate = tf.sigmoid(tf.add(tf.mul(s, this.alpha[g]), this.beta[g]));
        return tf.mul(xg, gate);
      }) as Multivector
    );
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "MVSiLU", x);
  }
}
