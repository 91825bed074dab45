/**
 * Task heads: what turns a model's per-token outputs into a prediction.
 *
 * Equivariant models (`se3-hyena`, `equivariant-transformer`), output `(x̂, f̂)`, c the
 * token mean of the input positions:
 * - pooled vector target (recall): the paper's "mean pooling of vector features and an
 *   equivariant MLP head". Our version: per-token invariant weights `a = 1 + Dense(f̂)`
 *   (K channels) pool the centred vector outputs into K vectors
 *   `V_k = mean_i a_ik (x̂_i − c)`; an ordinary MLP on invariants only (pooled scalars
 *   `mean_i f̂_i` and the Gram matrix `V_k·V_l`, squashed by `g/√(1+|g|)`) gives K
 *   coefficients, and the prediction is `c + Σ_k coef_k V_k`. Rotation-equivariant
 *   (invariant weights times vectors) and translation-equivariant (c carries the shift).
 * - per-token target (n-body): the vector output is the displacement,
 *   `pred_i = x_i + (x̂_i − c)`, which is SE(3)-equivariant; no extra parameters.
 *
 * Baselines (`hyena`, `transformer`), features `h: [B, N, W]`:
 * - pooled: `MLP(mean_i h_i) → [B, 3]`;
 * - per-token: `pred_i = x_i + MLP(h_i)` (the same residual form as the equivariant head).
 *
 * @module
 */
import { tf } from "../backend.ts";
import { Dense, gelu, Mlp, ParamStore } from "../baselines/layers.ts";
import type { ModelInputs, TokenEncoder } from "../baselines/encoder.ts";

/** The structural contract of an equivariant model (`src/models/create_model.ts`). */
export interface EquivariantModel {
  apply(inputs: ModelInputs): { x: tf.Tensor; f: tf.Tensor };
  readonly trainableVariables: tf.Variable[];
  parameterCount(): number;
  dispose(): void;
}

/** A model plus its head: maps inputs to predictions. */
export interface Predictor {
  /** `[B, 3]` for a pooled target, `[B, N, 3]` for a per-token target. */
  predict(inputs: ModelInputs): tf.Tensor;
  /** Every trainable variable (model and head). */
  readonly trainableVariables: tf.Variable[];
  /** Number of scalar parameters (model and head). */
  parameterCount(): number;
  /** Frees model and head. */
  dispose(): void;
}

/** Options of the heads. */
export interface HeadOptions {
  /** `pooled` (one vector per sample) or `per-token`. */
  target: "pooled" | "per-token";
  /** Hidden width of the head MLP. Default 64. */
  hidden?: number;
  /** Pooled vector channels K of the equivariant head. Default 8. */
  channels?: number;
  /** Parameter seed. Default 0. */
  seed?: number;
}

/** Token mean of the positions, `[B, 1, 3]`. */
function centre(x: tf.Tensor): tf.Tensor {
  return tf.mean(x, 1, true);
}

/**
 * Wraps an equivariant model with its task head (see the module doc).
 *
 * @param model an object with `apply`, `trainableVariables`, `parameterCount`, `dispose`.
 * @param featureDim D, the width of the model's scalar output `f̂`.
 */
export function equivariantPredictor(
  model: EquivariantModel,
  featureDim: number,
  opts: HeadOptions,
): Predictor {
  const p = new ParamStore((opts.seed ?? 0) + 1_000_003, "eqhead");
  const k = opts.channels ?? 8;
  const hidden = opts.hidden ?? 64;
  const gate = opts.target === "pooled" ? new Dense(p, featureDim, k) : null;
  const mlp = opts.target === "pooled" ? new Mlp(p, featureDim + k * k, hidden, k) : null;
  return {
    get trainableVariables() {
      return [...model.trainableVariables, ...p.variables];
    },
    predict(inputs: ModelInputs): tf.Tensor {
      return tf.tidy(() => {
        const out = model.apply(inputs);
        const c = centre(inputs.x); // [B, 1, 3]
        const r = tf.sub(out.x, c); // [B, N, 3]
        if (!gate || !mlp) return tf.add(inputs.x, r); // [B, N, 3]
        const [b, n] = r.shape;
        const a = tf.add(1, gate.apply(out.f)); // [B, N, K]
        const v = tf.div(tf.matMul(a, r, true, false), n); // [B, K, 3]
        const gram = tf.matMul(v, v, false, true); // [B, K, K]
        const g = tf.div(gram, tf.sqrt(tf.add(1, tf.abs(gram))));
        const s = tf.mean(out.f, 1); // [B, D]
        const coef = mlp.apply(tf.concat([s, tf.reshape(g, [b, k * k])], -1)); // [B, K]
        const pooled = tf.matMul(tf.expandDims(coef, 1), v); // [B, 1, 3]
        return tf.reshape(tf.add(c, pooled), [b, 3]);
      });
    },
    parameterCount: () => model.parameterCount() + p.count(),
    dispose: () => {
      model.dispose();
      p.dispose();
    },
  };
}

/** Wraps a baseline token encoder with its task head (see the module doc). */
export function baselinePredictor(encoder: TokenEncoder, opts: HeadOptions): Predictor {
  const p = new ParamStore((opts.seed ?? 0) + 1_000_003, "head");
  const hidden = opts.hidden ?? 64;
  const l1 = new Dense(p, encoder.width, hidden);
  const l2 = new Dense(p, hidden, 3, true, opts.target === "per-token" ? 0.1 : 1);
  return {
    get trainableVariables() {
      return [...encoder.trainableVariables, ...p.variables];
    },
    predict(inputs: ModelInputs): tf.Tensor {
      return tf.tidy(() => {
        const h = encoder.apply(inputs); // [B, N, W]
        if (opts.target === "pooled") return l2.apply(gelu(l1.apply(tf.mean(h, 1)))); // [B, 3]
        return tf.add(inputs.x, l2.apply(gelu(l1.apply(h)))); // [B, N, 3]
      });
    },
    parameterCount: () => encoder.parameterCount() + p.count(),
    dispose: () => {
      encoder.dispose();
      p.dispose();
    },
  };
}
