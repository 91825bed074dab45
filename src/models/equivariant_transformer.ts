/**
 * The equivariant transformer (design/model.md §4): the shared equivariant model with
 * attention as the global context: vector self-attention and scalar scaled dot-product
 * attention, both `materialized`, `gram` or `flash` (see attention.ts); step 4 adds `u`
 * directly.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { type AttentionMode, scalarAttentionByMode, vectorAttention } from "./attention.ts";
import {
  CliffordSequenceModel,
  type EquivariantModel,
  type GlobalContext,
  type ModelConfig,
} from "./equivariant_model.ts";
import type { PresetName } from "./presets.ts";

/** Options of {@link attentionContext}. */
export interface AttentionContextOptions {
  /** Vector attention implementation. Default `materialized`. */
  attention?: AttentionMode;
  /** Query row-block size of `gram` (both streams); 0 (default) = unblocked. */
  block?: number;
}

/** The attention global context. */
export function attentionContext(opts: AttentionContextOptions = {}): GlobalContext {
  const mode = opts.attention ?? "materialized";
  const block = mode === "gram" ? opts.block ?? 0 : 0;
  return {
    combineWithValues: false,
    compute({ qx, kx, vx, qf, kf, vf }) {
      return tf.tidy(() => ({
        ux: vectorAttention(qx, kx, vx, mode, { block }),
        uf: scalarAttentionByMode(qf, kf, vf, mode, { block }),
      }));
    },
  };
}

/** Builds an equivariant transformer with the given sizes, attention and seed. */
export function createEquivariantTransformer(
  preset: PresetName,
  config: ModelConfig,
  seed: number,
  opts: AttentionContextOptions = {},
): EquivariantModel {
  return new CliffordSequenceModel(
    "equivariant-transformer",
    preset,
    config,
    attentionContext(opts),
    seed,
  );
}
