/**
 * The equivariant transformer's global context (design/model.md §4):
 *
 * - vector self-attention (the paper's Appendix B):
 *   `C_ij = q_i × k_j`, `S_ij = softmax_j(‖C_ij‖ / √N) · C_ij`, `u[i] = (1/N) Σ_j S_ij × v_j`;
 * - scalar scaled dot-product attention `softmax(q kᵀ / √D) v`.
 *
 * Two implementations of the vector attention compute the same function:
 * `materialized` (the paper's: `[B, N, N, 3]` tensors, O(N²) memory) and `gram`
 * (N×N scalar matrices and matmuls through `(q × k) × v = k (q·v) − q (k·v)` and
 * `‖q × k‖² = ‖q‖²‖k‖² − (q·k)²`, clamped; optionally in row blocks, O(N·block) memory).
 * Norms are `sqrt(s + ε)` with {@link ATTENTION_NORM_EPS}, so gradients are finite at 0.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** ε inside the square root of `‖q_i × k_j‖`. */
export const ATTENTION_NORM_EPS = 1e-12;
/** float32 machine epsilon (2⁻²³), for the clamp floor `8·ε·‖q‖²‖k‖²`. */
const FLOAT32_EPS = 2 ** -23;

/** Vector attention implementations. */
export const ATTENTION_MODES = ["materialized", "gram"] as const;
/** A vector attention implementation. */
export type AttentionMode = (typeof ATTENTION_MODES)[number];

/** Options of the blocked attention functions. */
export interface AttentionBlockOptions {
  /** Query rows per block; 0 (default) computes all rows at once. */
  block?: number;
}

/** Cross product along the last axis (size 3), with broadcasting. */
export function cross(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [a0, a1, a2] = tf.split(a, 3, -1);
    const [b0, b1, b2] = tf.split(b, 3, -1);
    return tf.concat([
      tf.sub(tf.mul(a1, b2), tf.mul(a2, b1)),
      tf.sub(tf.mul(a2, b0), tf.mul(a0, b2)),
      tf.sub(tf.mul(a0, b1), tf.mul(a1, b0)),
    ], -1);
  });
}

/**
 * Vector attention, materialized as in the paper: builds `[B, N, N, 3]` tensors.
 *
 * @param q `[B, N, 3]` queries; `k`, `v` the same shape.
 * @returns `u: [B, N, 3]`.
 */
export function vectorAttentionMaterialized(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n] = q.shape;
    const c = cross(tf.reshape(q, [b, n, 1, 3]), tf.reshape(k, [b, 1, n, 3])); // [B, N, N, 3]
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(c), -1), ATTENTION_NORM_EPS)); // [B, N, N]
    const a = tf.softmax(tf.div(norm, Math.sqrt(n))); // over j
    const s = tf.mul(tf.expandDims(a, -1), c); // [B, N, N, 3]
    const u = tf.sum(cross(s, tf.reshape(v, [b, 1, n, 3])), 2); // [B, N, 3]
    return tf.div(u, n) as tf.Tensor3D;
  });
}

/** Runs `rows(begin, size)` over query row blocks and concatenates along the token axis. */
function overRowBlocks(
  n: number,
  block: number | undefined,
  rows: (begin: number, size: number) => tf.Tensor3D,
): tf.Tensor3D {
  const size = block && block > 0 ? Math.min(block, n) : n;
  if (size >= n) return rows(0, n);
  return tf.tidy(() => {
    const parts: tf.Tensor3D[] = [];
    for (let begin = 0; begin < n; begin += size) {
      parts.push(rows(begin, Math.min(size, n - begin)));
    }
    return tf.concat(parts, 1);
  });
}

/** Rows `[begin, begin + size)` of `[B, N, w]`. */
function takeRows(t: tf.Tensor3D, begin: number, size: number): tf.Tensor3D {
  return begin === 0 && size === t.shape[1] ? t : tf.slice(t, [0, begin, 0], [-1, size, -1]);
}

/**
 * Vector attention through Gram matrices (same function as
 * {@link vectorAttentionMaterialized}, no `[B, N, N, 3]` tensor), optionally in row blocks.
 *
 * @param q `[B, N, 3]` queries; `k`, `v` the same shape.
 * @returns `u: [B, N, 3]`.
 */
export function vectorAttentionGram(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  opts: AttentionBlockOptions = {},
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n] = q.shape;
    const kk = tf.reshape(tf.sum(tf.square(k), -1), [b, 1, n]); // ‖k_j‖²
    const kv = tf.sum(tf.mul(k, v), -1, true); // [B, N, 1]  k_j·v_j
    return overRowBlocks(n, opts.block, (begin, size) =>
      tf.tidy(() => {
        const qb = takeRows(q, begin, size); // [B, nb, 3]
        const qk = tf.matMul(qb, k, false, true); // [B, nb, N]
        const qq = tf.sum(tf.square(qb), -1, true); // [B, nb, 1]
        const prod = tf.mul(qq, kk); // ‖q_i‖²‖k_j‖²
        const sq = tf.maximum(tf.sub(prod, tf.square(qk)), tf.mul(prod, 8 * FLOAT32_EPS));
        const norm = tf.sqrt(tf.add(sq, ATTENTION_NORM_EPS));
        const a = tf.softmax(tf.div(norm, Math.sqrt(n))); // [B, nb, N]
        const qv = tf.matMul(qb, v, false, true); // [B, nb, N]  q_i·v_j
        const t1 = tf.matMul(tf.mul(a, qv), k); // Σ_j a_ij (q_i·v_j) k_j
        const t2 = tf.mul(qb, tf.matMul(a, kv)); // q_i Σ_j a_ij (k_j·v_j)
        return tf.div(tf.sub(t1, t2), n) as tf.Tensor3D;
      }));
  });
}

/**
 * Scaled dot-product attention `softmax(q kᵀ / √D) v` over the token axis, optionally in
 * query row blocks.
 *
 * @param q `[B, N, D]`; `k`, `v` the same shape.
 * @returns `[B, N, D]`.
 */
export function scalarAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  opts: AttentionBlockOptions = {},
): tf.Tensor3D {
  return tf.tidy(() => {
    const [, n, d] = q.shape;
    const kScaled = tf.div(k, Math.sqrt(d));
    return overRowBlocks(n, opts.block, (begin, size) =>
      tf.tidy(() => {
        const scores = tf.matMul(takeRows(q, begin, size), kScaled, false, true); // [B, nb, N]
        return tf.matMul(tf.softmax(scores), v) as tf.Tensor3D;
      }));
  });
}

/** Vector attention by `mode` (`block` applies to `gram` only). */
export function vectorAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mode: AttentionMode,
  opts: AttentionBlockOptions = {},
): tf.Tensor3D {
  return mode === "gram"
    ? vectorAttentionGram(q, k, v, opts)
    : vectorAttentionMaterialized(q, k, v);
}
