/**
 * The vector (cross-product) long convolution of SE(3)-Hyena (model.md §3 step 2):
 *
 *   u[b, i] = (1/N) Σ_j q̄[b, j] × k̄[b, (i − j) mod N],   q̄ = q − mean_j q, k̄ likewise,
 *
 * computed as six scalar circular convolutions in one {@link fftConv} call on
 * `[B, N, 6]`: `a × b = P((L a) ⊙ (H b))` with
 * `L a = (a0, a0, a1, a1, a2, a2)`, `H b = (b1, −b2, −b0, b2, b0, −b1)`,
 * `P(z) = (z3 + z5, z1 + z4, z0 + z2)`.
 * (Check: z0 = a0b1, z1 = −a0b2, z2 = −a1b0, z3 = a1b2, z4 = a2b0, z5 = −a2b1, so
 * P(z) = (a1b2 − a2b1, a2b0 − a0b2, a0b1 − a1b0) = a × b.)
 *
 * @module
 */
import { tf } from "./backend.ts";
import { assertSequenceTensor, fftConv } from "./fft_conv.ts";

/** L as a `[3, 6]` matrix (`a ↦ a L`): `L a = (a0, a0, a1, a1, a2, a2)`. */
const L_MATRIX = [
  [1, 1, 0, 0, 0, 0],
  [0, 0, 1, 1, 0, 0],
  [0, 0, 0, 0, 1, 1],
];
/** H as a `[3, 6]` matrix: `H b = (b1, −b2, −b0, b2, b0, −b1)`. */
const H_MATRIX = [
  [0, 0, -1, 0, 1, 0],
  [1, 0, 0, 0, 0, -1],
  [0, -1, 0, 1, 0, 0],
];
/** P as a `[6, 3]` matrix: `P(z) = (z3 + z5, z1 + z4, z0 + z2)`. */
const P_MATRIX = [
  [0, 0, 1],
  [0, 1, 0],
  [0, 0, 1],
  [1, 0, 0],
  [0, 1, 0],
  [1, 0, 0],
];

/**
 * Cross-product long convolution of two vector sequences, centred inside:
 * `u[b, i] = (1/N) Σ_j q̄[b, j] × k̄[b, (i − j) mod N]`. O(N log N), differentiable.
 *
 * @param q `[B, N, 3]` float32 vectors.
 * @param k `[B, N, 3]` float32 vectors, same shape as `q`.
 * @returns `[B, N, 3]` float32.
 * @throws Error naming the argument and value for a wrong rank, dtype, last dimension,
 *   N = 0 or mismatched shapes.
 */
export function vectorLongConv(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  assertSequenceTensor("vectorLongConv", "q", q);
  assertSequenceTensor("vectorLongConv", "k", k);
  for (const [name, t] of [["q", q], ["k", k]] as const) {
    if (t.shape[2] !== 3) {
      throw new Error(
        `vectorLongConv: ${name} must be [B, N, 3] vectors, got shape [${t.shape.join(",")}]`,
      );
    }
  }
  if (q.shape[0] !== k.shape[0] || q.shape[1] !== k.shape[1]) {
    throw new Error(
      `vectorLongConv: q and k must have equal shapes, got q [${q.shape.join(",")}] and ` +
        `k [${k.shape.join(",")}]`,
    );
  }
  const n = q.shape[1];
  return tf.tidy(() => {
    const [b] = q.shape;
    // L, H and P are 0/±1 matrices: the products are exact, and (unlike gather)
    // differentiable on every backend.
    const centredRows = (t: tf.Tensor3D) => tf.reshape(tf.sub(t, tf.mean(t, 1, true)), [b * n, 3]);
    const la = tf.matMul(centredRows(q), tf.tensor2d(L_MATRIX, [3, 6])); // [B·N, 6]
    const hb = tf.matMul(centredRows(k), tf.tensor2d(H_MATRIX, [3, 6])); // [B·N, 6]
    const z = fftConv(tf.reshape(la, [b, n, 6]), tf.reshape(hb, [b, n, 6])); // [B, N, 6]
    const u = tf.matMul(tf.reshape(z, [b * n, 6]), tf.tensor2d(P_MATRIX, [6, 3])); // [B·N, 3]
    return tf.reshape(tf.mul(u, 1 / n), [b, n, 3]) as tf.Tensor3D;
  });
}
