/**
 * The attention kernels' math on Float32Arrays (design/model.md §4), shared by the `cpu` and
 * `wasm` kernels (`attention_kernels.ts`). Tight loops, float64 accumulators (JS numbers and
 * `Float64Array` scratch allocated once per call), no per-pair allocation.
 *
 * Vector attention, per sample and query row i (q, k, v `[N, 3]`):
 *
 *   c_ij = q_i × k_j,   ℓ_ij = √(‖c_ij‖² + ε) / √N,   a_ij = softmax_j(ℓ_ij),
 *   u_i  = (1/N) Σ_j a_ij (c_ij × v_j)
 *
 * Scalar attention (q, k, v `[N, D]`): `o_i = Σ_j p_ij v_j`, `p_ij = softmax_j(q_i·k_j / √D)`.
 *
 * Two forms of each, the same function:
 * - materialized: writes the softmax weights `a` (or `p`) `[B, N, N]` (the only N×N array;
 *   the gradient reads it back), and recomputes `c_ij` per pair (never `[B, N, N, 3]`);
 * - flash: query row blocks × key blocks ({@link FLASH_ROW_BLOCK}, {@link FLASH_KEY_BLOCK})
 *   with an online softmax (running row maximum and sum), writes only the row
 *   log-sum-exp `L_i = max_j ℓ_ij + log Σ_j exp(ℓ_ij − max)` `[B, N]`; the gradient
 *   recomputes `a_ij = exp(ℓ_ij − L_i)` block by block. O(N) memory in both passes.
 *
 * Gradients (first order; `D_i = du_i·u_i`, the softmax's `Σ_j a_ij ∂L/∂a_ij`):
 *
 *   vector: w = c × v, dw = (a/N) du, dℓ = a ((du·w)/N − D_i), dc = (dℓ/√N) c/‖c‖_ε + v × dw,
 *           dq_i += k_j × dc,  dk_j += dc × q_i,  dv_j += dw × c
 *   scalar: ds = p (do_i·v_j − D_i),  dq_i += ds k_j/√D,  dk_j += ds q_i/√D,  dv_j += p do_i
 *
 * @module
 */

/** ε inside the square root of `‖q_i × k_j‖` (gradients finite at 0). */
export const ATTENTION_NORM_EPS = 1e-12;
/** Keys per online-softmax step of the flash kernels. */
export const FLASH_KEY_BLOCK = 256;
/** Query rows per block of the flash kernels. */
export const FLASH_ROW_BLOCK = 32;

/** Sizes of one attention call: batch B, tokens N, width W (3 for the vector attention). */
export interface AttentionDims {
  b: number;
  n: number;
  w: number;
}

/**
 * Vector attention forward, materialized: `u [B, N, 3]` and the softmax weights `a [B, N, N]`.
 */
export function vectorAttentionForwardMaterialized(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  u: Float32Array,
  a: Float32Array,
  b: number,
  n: number,
): void {
  vectorMaterializedRows(q, k, v, u, a, n, 0, b * n);
}

/** Flat query rows `[r0, r1)` (`r = sample·N + i`) of {@link vectorAttentionForwardMaterialized}. */
export function vectorMaterializedRows(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  u: Float32Array,
  a: Float32Array,
  n: number,
  r0: number,
  r1: number,
): void {
  const inv = 1 / Math.sqrt(n);
  const row = new Float64Array(n);
  for (let r = r0; r < r1; r++) {
    const base = Math.floor(r / n) * n * 3, qi = r * 3;
    const q0 = q[qi], q1 = q[qi + 1], q2 = q[qi + 2];
    let mx = -Infinity;
    for (let j = 0, o = base; j < n; j++, o += 3) {
      const k0 = k[o], k1 = k[o + 1], k2 = k[o + 2];
      const c0 = q1 * k2 - q2 * k1, c1 = q2 * k0 - q0 * k2, c2 = q0 * k1 - q1 * k0;
      const l = Math.sqrt(c0 * c0 + c1 * c1 + c2 * c2 + ATTENTION_NORM_EPS) * inv;
      row[j] = l;
      if (l > mx) mx = l;
    }
    // Unnormalised weights (kept in the row scratch) and u's sums; then a is written once.
    let z = 0, u0 = 0, u1 = 0, u2 = 0;
    const ai = r * n;
    for (let j = 0, o = base; j < n; j++, o += 3) {
      const p = Math.exp(row[j] - mx);
      row[j] = p;
      z += p;
      const k0 = k[o], k1 = k[o + 1], k2 = k[o + 2];
      const v0 = v[o], v1 = v[o + 1], v2 = v[o + 2];
      const c0 = q1 * k2 - q2 * k1, c1 = q2 * k0 - q0 * k2, c2 = q0 * k1 - q1 * k0;
      u0 += p * (c1 * v2 - c2 * v1);
      u1 += p * (c2 * v0 - c0 * v2);
      u2 += p * (c0 * v1 - c1 * v0);
    }
    const rz = 1 / z;
    for (let j = 0; j < n; j++) a[ai + j] = row[j] * rz;
    u0 *= rz;
    u1 *= rz;
    u2 *= rz;
    u[qi] = u0 / n;
    u[qi + 1] = u1 / n;
    u[qi + 2] = u2 / n;
  }
}

/** Vector attention forward, flash: `u [B, N, 3]` and the row log-sum-exp `lse [B, N]`. */
export function vectorAttentionForwardFlash(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  u: Float32Array,
  lse: Float32Array,
  b: number,
  n: number,
  keyBlock = FLASH_KEY_BLOCK,
  rowBlock = FLASH_ROW_BLOCK,
): void {
  vectorFlashRows(q, k, v, u, lse, n, 0, b * n, keyBlock, rowBlock);
}

/**
 * Flat query rows `[r0, r1)` of {@link vectorAttentionForwardFlash}, in blocks of `rowBlock`
 * rows of one sample (each row's online softmax runs over the same key blocks in the same
 * order whatever the grouping: any split of the rows gives bitwise the same result).
 */
export function vectorFlashRows(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  u: Float32Array,
  lse: Float32Array,
  n: number,
  r0: number,
  r1: number,
  keyBlock = FLASH_KEY_BLOCK,
  rowBlock = FLASH_ROW_BLOCK,
): void {
  const inv = 1 / Math.sqrt(n);
  const kb = Math.max(1, Math.min(keyBlock, n));
  const logit = new Float64Array(kb);
  const mx = new Float64Array(rowBlock), sum = new Float64Array(rowBlock);
  const acc = new Float64Array(rowBlock * 3);
  for (let first = r0; first < r1;) {
    const sample = Math.floor(first / n), base = sample * n * 3;
    const rows = Math.min(rowBlock, r1 - first, (sample + 1) * n - first);
    mx.fill(-Infinity);
    sum.fill(0);
    acc.fill(0);
    for (let j0 = 0; j0 < n; j0 += kb) {
      const j1 = Math.min(n, j0 + kb);
      for (let r = 0; r < rows; r++) {
        const qi = (first + r) * 3;
        const q0 = q[qi], q1 = q[qi + 1], q2 = q[qi + 2];
        let m = mx[r];
        for (let j = j0, o = base + j0 * 3; j < j1; j++, o += 3) {
          const k0 = k[o], k1 = k[o + 1], k2 = k[o + 2];
          const c0 = q1 * k2 - q2 * k1, c1 = q2 * k0 - q0 * k2, c2 = q0 * k1 - q1 * k0;
          const l = Math.sqrt(c0 * c0 + c1 * c1 + c2 * c2 + ATTENTION_NORM_EPS) * inv;
          logit[j - j0] = l;
          if (l > m) m = l;
        }
        const scale = Math.exp(mx[r] - m); // 0 on the first block (mx = −∞)
        let z = sum[r] * scale;
        let u0 = acc[r * 3] * scale, u1 = acc[r * 3 + 1] * scale, u2 = acc[r * 3 + 2] * scale;
        for (let j = j0, o = base + j0 * 3; j < j1; j++, o += 3) {
          const p = Math.exp(logit[j - j0] - m);
          z += p;
          const k0 = k[o], k1 = k[o + 1], k2 = k[o + 2];
          const v0 = v[o], v1 = v[o + 1], v2 = v[o + 2];
          const c0 = q1 * k2 - q2 * k1, c1 = q2 * k0 - q0 * k2, c2 = q0 * k1 - q1 * k0;
          u0 += p * (c1 * v2 - c2 * v1);
          u1 += p * (c2 * v0 - c0 * v2);
          u2 += p * (c0 * v1 - c1 * v0);
        }
        mx[r] = m;
        sum[r] = z;
        acc[r * 3] = u0;
        acc[r * 3 + 1] = u1;
        acc[r * 3 + 2] = u2;
      }
    }
    for (let r = 0; r < rows; r++) {
      const qi = (first + r) * 3;
      const f = 1 / (sum[r] * n);
      u[qi] = acc[r * 3] * f;
      u[qi + 1] = acc[r * 3 + 1] * f;
      u[qi + 2] = acc[r * 3 + 2] * f;
      lse[first + r] = mx[r] + Math.log(sum[r]);
    }
    first += rows;
  }
}

/**
 * Vector attention gradient: `dq, dk, dv [B, N, 3]` from `du`, the inputs, the forward's `u`
 * and its saved statistics: the softmax weights `a [B, N, N]` (`flash = false`) or the row
 * log-sum-exp `[B, N]` (`flash = true`, weights recomputed).
 */
export function vectorAttentionBackward(
  du: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  u: Float32Array,
  stats: Float32Array,
  flash: boolean,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  b: number,
  n: number,
): void {
  const keys = new Float64Array(2 * b * n * 3);
  vectorBackwardRows(du, q, k, v, u, stats, flash, dq, keys, n, 0, b * n);
  splitKeySums(keys, dk, dv);
}

/** `dk`, `dv` from key-side sums `[gk (B·N·W), gv (B·N·W)]`, rounded to float32. */
export function splitKeySums(keys: Float64Array, dk: Float32Array, dv: Float32Array): void {
  const len = dk.length;
  for (let x = 0; x < len; x++) {
    dk[x] = keys[x];
    dv[x] = keys[len + x];
  }
}

/**
 * Flat query rows `[r0, r1)` of {@link vectorAttentionBackward}: writes those rows of `dq`
 * and adds their contributions to `dk`, `dv` into `keys` = `[gk, gv]` (float64, `2·B·N·3`).
 */
export function vectorBackwardRows(
  du: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  u: Float32Array,
  stats: Float32Array,
  flash: boolean,
  dq: Float32Array,
  keys: Float64Array,
  n: number,
  r0: number,
  r1: number,
): void {
  const inv = 1 / Math.sqrt(n), invN = 1 / n, gvAt = keys.length / 2;
  for (let r = r0; r < r1; r++) {
    const base = Math.floor(r / n) * n * 3, qi = r * 3;
    const q0 = q[qi], q1 = q[qi + 1], q2 = q[qi + 2];
    const d0 = du[qi], d1 = du[qi + 1], d2 = du[qi + 2];
    const di = d0 * u[qi] + d1 * u[qi + 1] + d2 * u[qi + 2];
    const ai = r * n;
    const lse = flash ? stats[r] : 0;
    let dq0 = 0, dq1 = 0, dq2 = 0;
    for (let j = 0, o = base; j < n; j++, o += 3) {
      const k0 = k[o], k1 = k[o + 1], k2 = k[o + 2];
      const v0 = v[o], v1 = v[o + 1], v2 = v[o + 2];
      const c0 = q1 * k2 - q2 * k1, c1 = q2 * k0 - q0 * k2, c2 = q0 * k1 - q1 * k0;
      const nrm = Math.sqrt(c0 * c0 + c1 * c1 + c2 * c2 + ATTENTION_NORM_EPS);
      const p = flash ? Math.exp(nrm * inv - lse) : stats[ai + j];
      const w0 = c1 * v2 - c2 * v1, w1 = c2 * v0 - c0 * v2, w2 = c0 * v1 - c1 * v0;
      const dl = p * ((d0 * w0 + d1 * w1 + d2 * w2) * invN - di);
      const f = (dl * inv) / nrm, pn = p * invN;
      const e0 = pn * d0, e1 = pn * d1, e2 = pn * d2; // dw
      const dc0 = f * c0 + v1 * e2 - v2 * e1;
      const dc1 = f * c1 + v2 * e0 - v0 * e2;
      const dc2 = f * c2 + v0 * e1 - v1 * e0;
      const g = gvAt + o;
      keys[g] += e1 * c2 - e2 * c1;
      keys[g + 1] += e2 * c0 - e0 * c2;
      keys[g + 2] += e0 * c1 - e1 * c0;
      dq0 += k1 * dc2 - k2 * dc1;
      dq1 += k2 * dc0 - k0 * dc2;
      dq2 += k0 * dc1 - k1 * dc0;
      keys[o] += dc1 * q2 - dc2 * q1;
      keys[o + 1] += dc2 * q0 - dc0 * q2;
      keys[o + 2] += dc0 * q1 - dc1 * q0;
    }
    dq[qi] = dq0;
    dq[qi + 1] = dq1;
    dq[qi + 2] = dq2;
  }
}

/** `Σ_x a[ai + x] · b[bi + x]` over `d` entries, four partial sums. */
function dotAt(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, x = 0;
  for (; x + 3 < d; x += 4) {
    s0 += a[ai + x] * b[bi + x];
    s1 += a[ai + x + 1] * b[bi + x + 1];
    s2 += a[ai + x + 2] * b[bi + x + 2];
    s3 += a[ai + x + 3] * b[bi + x + 3];
  }
  for (; x < d; x++) s0 += a[ai + x] * b[bi + x];
  return (s0 + s1) + (s2 + s3);
}

/** Scalar attention forward, materialized: `o [B, N, D]` and the softmax weights `[B, N, N]`. */
export function scalarAttentionForwardMaterialized(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  a: Float32Array,
  dims: AttentionDims,
): void {
  scalarMaterializedRows(q, k, v, out, a, dims, 0, dims.b * dims.n);
}

/** Flat query rows `[r0, r1)` of {@link scalarAttentionForwardMaterialized}. */
export function scalarMaterializedRows(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  a: Float32Array,
  { n, w: d }: AttentionDims,
  r0: number,
  r1: number,
): void {
  const alpha = 1 / Math.sqrt(d);
  const row = new Float64Array(n), acc = new Float64Array(d);
  for (let r = r0; r < r1; r++) {
    const base = Math.floor(r / n) * n * d, qi = r * d;
    let mx = -Infinity;
    for (let j = 0, o = base; j < n; j++, o += d) {
      const dot = dotAt(q, qi, k, o, d);
      const l = dot * alpha;
      row[j] = l;
      if (l > mx) mx = l;
    }
    let z = 0;
    acc.fill(0);
    const ai = r * n;
    for (let j = 0, o = base; j < n; j++, o += d) {
      const p = Math.exp(row[j] - mx);
      row[j] = p;
      z += p;
      for (let x = 0; x < d; x++) acc[x] += p * v[o + x];
    }
    const rz = 1 / z;
    for (let j = 0; j < n; j++) a[ai + j] = row[j] * rz;
    for (let x = 0; x < d; x++) acc[x] *= rz;
    for (let x = 0; x < d; x++) out[qi + x] = acc[x];
  }
}

/** Scalar attention forward, flash: `o [B, N, D]` and the row log-sum-exp `[B, N]`. */
export function scalarAttentionForwardFlash(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  lse: Float32Array,
  dims: AttentionDims,
  keyBlock = FLASH_KEY_BLOCK,
  rowBlock = FLASH_ROW_BLOCK,
): void {
  scalarFlashRows(q, k, v, out, lse, dims, 0, dims.b * dims.n, keyBlock, rowBlock);
}

/** Flat query rows `[r0, r1)` of {@link scalarAttentionForwardFlash} (as {@link vectorFlashRows}). */
export function scalarFlashRows(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  lse: Float32Array,
  { n, w: d }: AttentionDims,
  r0: number,
  r1: number,
  keyBlock = FLASH_KEY_BLOCK,
  rowBlock = FLASH_ROW_BLOCK,
): void {
  const alpha = 1 / Math.sqrt(d);
  const kb = Math.max(1, Math.min(keyBlock, n));
  const logit = new Float64Array(kb);
  const mx = new Float64Array(rowBlock), sum = new Float64Array(rowBlock);
  const acc = new Float64Array(rowBlock * d);
  for (let first = r0; first < r1;) {
    const sample = Math.floor(first / n), base = sample * n * d;
    const rows = Math.min(rowBlock, r1 - first, (sample + 1) * n - first);
    mx.fill(-Infinity);
    sum.fill(0);
    acc.fill(0);
    for (let j0 = 0; j0 < n; j0 += kb) {
      const j1 = Math.min(n, j0 + kb);
      for (let r = 0; r < rows; r++) {
        const qi = (first + r) * d, ar = r * d;
        let m = mx[r];
        for (let j = j0, o = base + j0 * d; j < j1; j++, o += d) {
          const dot = dotAt(q, qi, k, o, d);
          const l = dot * alpha;
          logit[j - j0] = l;
          if (l > m) m = l;
        }
        const scale = Math.exp(mx[r] - m);
        let z = sum[r] * scale;
        for (let x = 0; x < d; x++) acc[ar + x] *= scale;
        for (let j = j0, o = base + j0 * d; j < j1; j++, o += d) {
          const p = Math.exp(logit[j - j0] - m);
          z += p;
          for (let x = 0; x < d; x++) acc[ar + x] += p * v[o + x];
        }
        mx[r] = m;
        sum[r] = z;
      }
    }
    for (let r = 0; r < rows; r++) {
      const qi = (first + r) * d, rz = 1 / sum[r];
      for (let x = 0; x < d; x++) out[qi + x] = acc[r * d + x] * rz;
      lse[first + r] = mx[r] + Math.log(sum[r]);
    }
    first += rows;
  }
}

/**
 * Scalar attention gradient: `dq, dk, dv [B, N, D]` from `dout`, the inputs, the forward's
 * output and its saved statistics (weights `[B, N, N]`, or the row log-sum-exp when `flash`).
 */
export function scalarAttentionBackward(
  dout: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  stats: Float32Array,
  flash: boolean,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  dims: AttentionDims,
): void {
  const keys = new Float64Array(2 * dims.b * dims.n * dims.w);
  scalarBackwardRows(dout, q, k, v, out, stats, flash, dq, keys, dims, 0, dims.b * dims.n);
  splitKeySums(keys, dk, dv);
}

/** Flat query rows `[r0, r1)` of {@link scalarAttentionBackward} (as {@link vectorBackwardRows}). */
export function scalarBackwardRows(
  dout: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  stats: Float32Array,
  flash: boolean,
  dq: Float32Array,
  keys: Float64Array,
  { n, w: d }: AttentionDims,
  r0: number,
  r1: number,
): void {
  const alpha = 1 / Math.sqrt(d), gvAt = keys.length / 2;
  const gq = new Float64Array(d);
  for (let r = r0; r < r1; r++) {
    const base = Math.floor(r / n) * n * d, qi = r * d;
    let di = 0;
    for (let x = 0; x < d; x++) di += dout[qi + x] * out[qi + x];
    const ai = r * n;
    const lse = flash ? stats[r] : 0;
    gq.fill(0);
    for (let j = 0, o = base; j < n; j++, o += d) {
      let p: number;
      if (flash) {
        const dot = dotAt(q, qi, k, o, d);
        p = Math.exp(dot * alpha - lse);
      } else {
        p = stats[ai + j];
      }
      let dp = 0;
      for (let x = 0; x < d; x++) dp += dout[qi + x] * v[o + x];
      const ds = p * (dp - di) * alpha;
      for (let x = 0; x < d; x++) {
        gq[x] += ds * k[o + x];
        keys[o + x] += ds * q[qi + x];
        keys[gvAt + o + x] += p * dout[qi + x];
      }
    }
    for (let x = 0; x < d; x++) dq[qi + x] = gq[x];
  }
}
