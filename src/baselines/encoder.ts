/**
 * The contract of a non-equivariant baseline: a token encoder mapping the concatenated
 * per-token inputs to per-token features; the task heads (`src/train/heads.ts`) turn
 * those into predictions.
 *
 * @module
 */
import type { tf } from "../backend.ts";

/** Model inputs, as the equivariant models take them. */
export interface ModelInputs {
  /** `[B, N, 3]` */
  x: tf.Tensor;
  /** `[B, N, S]` */
  f: tf.Tensor;
  /** `[B, N, m, 3]` (optional) */
  w?: tf.Tensor;
}

/** A baseline token encoder. */
export interface TokenEncoder {
  /** Width W of the per-token features. */
  readonly width: number;
  /** `(x, f, w) → [B, N, W]`. */
  apply(inputs: ModelInputs): tf.Tensor;
  /** Every trainable variable. */
  readonly trainableVariables: tf.Variable[];
  /** Number of scalar parameters. */
  parameterCount(): number;
  /** Frees the variables. */
  dispose(): void;
}

/** Options shared by both baselines. */
export interface BaselineOptions {
  /** Scalars per token, S. */
  scalarInputs: number;
  /** Extra vectors per token, m. Default 0. */
  vectorInputs?: number;
  /** Hidden width W. Default 48 (3× the equivariant recall model's D = 16). */
  width?: number;
  /** Number of blocks. Default 3. */
  layers?: number;
  /** Hidden width of each block's MLP, as a multiple of W. Default 2. */
  mlpRatio?: number;
  /** Parameter seed. Default 0. */
  seed?: number;
}

/** Checks an integer option, naming it in the error. */
export function checkInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`${name}: expected an integer ≥ ${min}, got ${v}`);
  }
  return v;
}
