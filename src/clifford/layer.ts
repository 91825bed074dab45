/**
 * The common shape of the Clifford layers: an internal grade-split call and a public
 * `[..., C, 8]` apply.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { fromBlades, type Multivector, toBlades } from "./algebra.ts";

/** A Clifford layer. */
export interface CliffordLayer {
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Applies the layer to a grade-split multivector `[n_g, M, Cin]` → `[n_g, M, Cout]`. */
  call(x: Multivector): Multivector;
  /** Applies the layer to `[..., Cin, 8]`, returning `[..., Cout, 8]`. */
  apply(x: tf.Tensor): tf.Tensor;
  /** The layer's trainable variables. */
  readonly variables: tf.Variable[];
}

/** Implements {@link CliffordLayer.apply} on top of `call`, checking the channel count. */
export function applyBlades(layer: CliffordLayer, name: string, x: tf.Tensor): tf.Tensor {
  if (!(x instanceof tf.Tensor) || x.rank < 2 || x.shape[x.rank - 1] !== 8) {
    const shape = x instanceof tf.Tensor ? `[${x.shape.join(",")}]` : String(x);
    throw new Error(`${name}: x must have shape [..., C, 8], got ${shape}`);
  }
  if (x.shape[x.rank - 2] !== layer.inChannels) {
    throw new Error(
      `${name}: x has ${x.shape[x.rank - 2]} channels, expected ${layer.inChannels}`,
    );
  }
  return tf.tidy(() => toBlades(layer.call(fromBlades(x)), x.shape.slice(0, -2)));
}

/** Checks that a width is a positive integer. */
export function assertWidth(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}: expected a positive integer, got ${value}`);
  }
}
