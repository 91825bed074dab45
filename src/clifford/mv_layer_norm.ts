/**
 * MVLayerNorm (design/model.md §2): `y[c] = a[c] · x[c] / (mean_c' ‖x[c']‖ + ε)`, with ‖·‖
 * the Euclidean norm of the 8 coefficients, computed as `sqrt(s + ε²)` so its gradient is
 * finite at zero.
 *
 * @module
 */
import { tf } from "../backend.ts";
import type { Multivector } from "./algebra.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import type { ParamFactory } from "./params.ts";

/** ε of the normalisation (also inside the square root, squared). */
export const LAYER_NORM_EPS = 1e-6;

/** Layer normalisation over channels by the mean multivector norm. */
export class MVLayerNorm implements CliffordLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Per-channel scale `a` `[C]` (init 1). */
  readonly scale: tf.Variable;

  /** @param channels C ≥ 1. */
  constructor(params: ParamFactory, channels: number) {
    assertWidth("MVLayerNorm: channels", channels);
    this.inChannels = this.outChannels = channels;
    this.scale = params.constant([channels], 1);
  }

  get variables(): tf.Variable[] {
    return [this.scale];
  }

  call(x: Multivector): Multivector {
    return tf.tidy(() => {
      const sq = tf.addN(x.map((xb) => tf.square(xb))); // [M, C]
      const norm = tf.sqrt(tf.add(sq, LAYER_NORM_EPS * LAYER_NORM_EPS));
      const mean = tf.mean(norm, 1, true); // [M, 1]
      const factor = tf.div(this.scale, tf.add(mean, LAYER_NORM_EPS)); // [M, C]
      return x.map((xb) => tf.mul(xb, factor) as tf.Tensor2D);
    });
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "MVLayerNorm", x);
  }
}
