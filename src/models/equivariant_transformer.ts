/**
 * The equivariant transformer (design/model.md §4): the shared equivariant model with
 * attention as the global context: vector self-attention and scalar scaled dot-product
 * attention, both `materialized`, `gram` or `flash` (see attention.ts); step 4 adds `u`
 * directly.
 *
 * Memory held per layer (model.md §4 terms; `A_ij = softmax_j(‖C_ij‖/√N)`,
 * `P = softmax(q_f k_fᵀ/√D)`), beyond O(N) tensors:
 * - `materialized`: `A` and `P`, `[B, N, N]` each, kept by the tape for the backward pass;
 *   `C_ij`, `S_ij` and `S_ij × v_j` are computed per pair in the kernel, never stored (on
 *   backends without our kernels: the paper's tf-ops formulation with `[B, N, N, 3]` tensors);
 * - `gram`: N×N scalar matrices (`q·k`, `q·v`, weights), `[B, block, N]` when blocked;
 * - `flash`: nothing N×N; the row log-sum-exp `[B, N]` of each stream.
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
