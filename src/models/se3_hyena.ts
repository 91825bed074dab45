/**
 * SE(3)-Hyena (design/model.md §3): the shared equivariant model with the O(N log N)
 * long-convolution global context,
 * `u_f = fftConv(q_f, k_f) / N` and `u_x[i] = (1/N) Σ_j q̄_x[j] × k̄_x[(i − j) mod N]`.
 *
 * @module
 */
import { fftConv } from "../fft_conv.ts";
import { tf } from "../backend.ts";
import { vectorLongConv } from "../vector_long_conv.ts";
import {
  CliffordSequenceModel,
  type EquivariantModel,
  type GlobalContext,
  type ModelConfig,
} from "./equivariant_model.ts";
import type { PresetName } from "./presets.ts";

/** The long-convolution global context. */
export const LONG_CONV_CONTEXT: GlobalContext = {
  combineWithValues: true,
  compute({ qx, kx, qf, kf }) {
    return tf.tidy(() => {
      const n = qf.shape[1];
      return { ux: vectorLongConv(qx, kx), uf: tf.div(fftConv(qf, kf), n) as tf.Tensor3D };
    });
  },
};

/** Builds an SE(3)-Hyena model with the given sizes and seed. */
export function createSe3Hyena(
  preset: PresetName,
  config: ModelConfig,
  seed: number,
): EquivariantModel {
  return new CliffordSequenceModel("se3-hyena", preset, config, LONG_CONV_CONTEXT, seed);
}
