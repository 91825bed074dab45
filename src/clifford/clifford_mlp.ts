/**
 * CliffordMLP(Cin, C, Cout, depth) (design/model.md §2):
 * depth × [MVLinear → MVSiLU → GeometricProduct → MVLayerNorm], then MVLinear(C → Cout).
 *
 * @module
 */
import { tf } from "../backend.ts";
import type { Multivector } from "./algebra.ts";
import { GeometricProduct } from "./geometric_product.ts";
import { applyBlades, assertWidth, type CliffordLayer } from "./layer.ts";
import { MVLayerNorm } from "./mv_layer_norm.ts";
import { MVLinear } from "./mv_linear.ts";
import { MVSiLU } from "./mv_silu.ts";
import type { ParamFactory } from "./params.ts";

/** Options of {@link CliffordMLP}. */
export interface CliffordMLPOptions {
  /** Number of [MVLinear → MVSiLU → GeometricProduct → MVLayerNorm] stages. Default 1. */
  depth?: number;
}

/** A Clifford-group equivariant MLP over Cl(3,0). */
export class CliffordMLP implements CliffordLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Hidden width C. */
  readonly hidden: number;
  /** The layers in order. */
  readonly layers: CliffordLayer[];

  /**
   * @param inChannels Cin ≥ 1.
   * @param hidden C ≥ 1.
   * @param outChannels Cout ≥ 1.
   */
  constructor(
    params: ParamFactory,
    inChannels: number,
    hidden: number,
    outChannels: number,
    opts: CliffordMLPOptions = {},
  ) {
    const depth = opts.depth ?? 1;
    assertWidth("CliffordMLP: depth", depth);
    assertWidth("CliffordMLP: hidden", hidden);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.hidden = hidden;
    this.layers = [];
    for (let d = 0; d < depth; d++) {
      this.layers.push(
        new MVLinear(params, d === 0 ? inChannels : hidden, hidden),
        new MVSiLU(params, hidden),
        new GeometricProduct(params, hidden),
        new MVLayerNorm(params, hidden),
      );
    }
    this.layers.push(new MVLinear(params, hidden, outChannels));
  }

  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => l.variables);
  }

  call(x: Multivector): Multivector {
    return tf.tidy(() => {
      let h = x;
      for (const layer of this.layers) {
        const next = layer.call(h);
        if (h !== x) tf.dispose(h);
        h = next;
      }
      return h;
    });
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyBlades(this, "CliffordMLP", x);
  }
}
