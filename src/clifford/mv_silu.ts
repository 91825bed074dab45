/**
 * MVSiLU (design/model.md §2): `y[c, b] = x[c, b] · sigmoid(α[c, g] · s[c, g] + β[c, g])`,
 * g = grade(b), `s` = the scalar `x[c, 0]` for grade 0 and the squared norm of that grade's
 * coefficients for grades 1–3 (invariant under O(3), so the gate is too).
 *
 * @module
 */
import { tf } from "../backend.ts";
import { bladesOfGrade, GRADES, type Multivector } from "./algebra.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import type { ParamFactory } from "./params.ts";

/** The squared norm of grade `g` over its blades: `[M, C]`. */
export function gradeSquaredNorm(x: Multivector, g: number): tf.Tensor2D {
  const blades = bladesOfGrade(g);
  return tf.tidy(() => {
    const squares = blades.map((b) => tf.square(x[b]));
    return (squares.length === 1 ? squares[0] : tf.addN(squares)) as tf.Tensor2D;
  });
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
    return tf.tidy(() => {
      const gates = [0, 1, 2, 3].map((g) => {
        const s = g === 0 ? x[0] : gradeSquaredNorm(x, g); // [M, C]
        return tf.sigmoid(tf.add(tf.mul(s, this.alpha[g]), this.beta[g]));
      });
      return x.map((xb, b) => tf.mul(xb, gates[GRADES[b]]) as tf.Tensor2D);
    });
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "MVSiLU", x);
  }
}
