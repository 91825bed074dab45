/**
 * The vector attention's logits through Gram terms (design/model.md §4, `gram`), fused:
 *
 *   s_ij = ‖q_i‖²‖k_j‖² − (q_i·k_j)²  (= ‖q_i × k_j‖²), clamped at c·‖q_i‖²‖k_j‖²,
 *   ℓ_ij = √(s_ij + ε) / √N
 *
 * with c = {@link GRAM_CLAMP} and ε = {@link ATTENTION_NORM_EPS}; q `[B, M, 3]` (a block of M
 * query rows), k `[B, N, 3]`, ℓ `[B, M, N]`. The same function as the TensorFlow.js ops of
 * `models/attention.ts` (`gramLogitsOps`), in one pass over the pairs with float64 arithmetic.
 *
 * Gradient from dℓ (first order), with `g_ij = dℓ_ij / (2 √N √(s_ij + ε))`:
 *
 *   unclamped: dq_i = 2 Σ_j g_ij (‖k_j‖² q_i − (q_i·k_j) k_j),  dk_j = 2 Σ_i g_ij (‖q_i‖² k_j − (q_i·k_j) q_i)
 *   clamped:   dq_i = 2c Σ_j g_ij ‖k_j‖² q_i,                   dk_j = 2c Σ_i g_ij ‖q_i‖² k_j
 *
 * (a tie counts as unclamped, as `tf.maximum`'s gradient does).
 *
 * @module
 */
import { ATTENTION_NORM_EPS } from "./attention_math.ts";

/** The clamp factor `8·ε₃₂` (ε₃₂ = 2⁻²³, float32's machine epsilon). */
export const GRAM_CLAMP = 8 * 2 ** -23;

/**
 * Rows `[r0, r1)` of the logits (flat rows `r = b·M + i` of q and ℓ).
 *
 * @param m query rows per sample (q is `[B, M, 3]`); `n` keys per sample (k is `[B, N, 3]`).
 */
export function gramLogitsRange(
  q: Float32Array,
  k: Float32Array,
  out: Float32Array,
  m: number,
  n: number,
  r0: number,
  r1: number,
): void {
  const inv = 1 / Math.sqrt(n);
  for (let r = r0; r < r1; r++) {
    const qi = r * 3, oi = r * n, kb = Math.floor(r / m) * n * 3;
    const q0 = q[qi], q1 = q[qi + 1], q2 = q[qi + 2];
    const qq = q0 * q0 + q1 * q1 + q2 * q2;
    for (let j = 0, o = kb; j < n; j++, o += 3) {
      const k0 = k[o], k1 = k[o + 1], k2 = k[o + 2];
      const qk = q0 * k0 + q1 * k1 + q2 * k2;
      const prod = qq * (k0 * k0 + k1 * k1 + k2 * k2);
      let s = prod - qk * qk;
      const floor = prod * GRAM_CLAMP;
      if (s < floor) s = floor;
      out[oi + j] = Math.sqrt(s + ATTENTION_NORM_EPS) * inv;
    }
  }
}

/** The logits `[B, M, N]` of every row. */
export function gramLogits(
  q: Float32Array,
  k: Float32Array,
  out: Float32Array,
  b: number,
  m: number,
  n: number,
): void {
  gramLogitsRange(q, k, out, m, n, 0, b * m);
}

/** `dq [B, M, 3]` and `dk [B, N, 3]` from `dl [B, M, N]` (see the module doc). */
export function gramLogitsBackward(
  dl: Float32Array,
  q: Float32Array,
  k: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  b: number,
  m: number,
  n: number,
): void {
  const half = 0.5 / Math.sqrt(n);
  const gk = new Float64Array(n * 3), sk = new Float64Array(n);
  for (let s = 0; s < b; s++) {
    const kb = s * n * 3;
    gk.fill(0);
    sk.fill(0);
    for (let i = 0; i < m; i++) {
      const r = s * m + i, qi = r * 3, di = r * n;
      const q0 = q[qi], q1 = q[qi + 1], q2 = q[qi + 2];
      const qq = q0 * q0 + q1 * q1 + q2 * q2;
      let sq = 0, g0 = 0, g1 = 0, g2 = 0; // Σ g‖k‖² (c-scaled when clamped), Σ g (q·k) k
      for (let j = 0, o = kb; j < n; j++, o += 3) {
        const k0 = k[o], k1 = k[o + 1], k2 = k[o + 2];
        const qk = q0 * k0 + q1 * k1 + q2 * k2;
        const kk = k0 * k0 + k1 * k1 + k2 * k2, prod = qq * kk;
        const raw = prod - qk * qk, floor = prod * GRAM_CLAMP;
        if (raw < floor) {
          const g = (dl[di + j] * half) / Math.sqrt(floor + ATTENTION_NORM_EPS) * GRAM_CLAMP;
          sq += g * kk;
          sk[j] += g * qq;
        } else {
          const g = (dl[di + j] * half) / Math.sqrt(raw + ATTENTION_NORM_EPS);
          sq += g * kk;
          sk[j] += g * qq;
          const gqk = g * qk;
          g0 += gqk * k0;
          g1 += gqk * k1;
          g2 += gqk * k2;
          gk[o - kb] += gqk * q0;
          gk[o - kb + 1] += gqk * q1;
          gk[o - kb + 2] += gqk * q2;
        }
      }
      dq[qi] = 2 * (sq * q0 - g0);
      dq[qi + 1] = 2 * (sq * q1 - g1);
      dq[qi + 2] = 2 * (sq * q2 - g2);
    }
    for (let j = 0, o = kb; j < n; j++, o += 3) {
      for (let x = 0; x < 3; x++) dk[o + x] = 2 * (sk[j] * k[o + x] - gk[o - kb + x]);
    }
  }
}
