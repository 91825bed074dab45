/**
 * The math of the fused MVSiLU kernels (design/model.md §2) on Float32Arrays in the
 * blade-split layout (8 arrays `[M·C]`, channels contiguous), shared by `cpu` and `wasm`:
 *
 *   y_b = x_b · sigmoid(α_g · s_g + β_g),  g = grade(b),
 *   s_0 = x_0,  s_g = Σ_{b ∈ g} x_b²  (g = 1, 2, 3)
 *
 * and its gradient wrt x, α and β (α, β: 4 arrays `[C]`, one per grade). Float64
 * arithmetic, float32 storage; parameter gradients are summed over tokens in float64.
 *
 * @module
 */

type F32s = readonly Float32Array[];

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Forward: overwrites `y` (8 arrays `[M·C]`). */
export function mvSiluForwardF32(
  x: F32s,
  alpha: F32s,
  beta: F32s,
  y: F32s,
  m: number,
  c: number,
): void {
  mvSiluForwardRange(x, alpha, beta, y, c, 0, m);
}

/** Rows (tokens) `[t0, t1)` of {@link mvSiluForwardF32}: what one thread of a pool computes. */
export function mvSiluForwardRange(
  x: F32s,
  alpha: F32s,
  beta: F32s,
  y: F32s,
  c: number,
  t0: number,
  t1: number,
): void {
  const [x0, x1, x2, x3, x4, x5, x6, x7] = x;
  const [y0, y1, y2, y3, y4, y5, y6, y7] = y;
  const [a0, a1, a2, a3] = alpha, [b0, b1, b2, b3] = beta;
  for (let t = t0, i = t0 * c; t < t1; t++) {
    for (let ch = 0; ch < c; ch++, i++) {
      const v0 = x0[i], v1 = x1[i], v2 = x2[i], v3 = x3[i];
      const v4 = x4[i], v5 = x5[i], v6 = x6[i], v7 = x7[i];
      const g0 = sigmoid(a0[ch] * v0 + b0[ch]);
      const g1 = sigmoid(a1[ch] * (v1 * v1 + v2 * v2 + v3 * v3) + b1[ch]);
      const g2 = sigmoid(a2[ch] * (v4 * v4 + v5 * v5 + v6 * v6) + b2[ch]);
      const g3 = sigmoid(a3[ch] * (v7 * v7) + b3[ch]);
      y0[i] = v0 * g0;
      y1[i] = v1 * g1;
      y2[i] = v2 * g1;
      y3[i] = v3 * g1;
      y4[i] = v4 * g2;
      y5[i] = v5 * g2;
      y6[i] = v6 * g2;
      y7[i] = v7 * g3;
    }
  }
}

/** Outputs of {@link mvSiluBackwardF32}. */
export interface MVSiluGradArrays {
  /** ∂x, 8 × `[M·C]`. */
  dx: F32s;
  /** ∂α, 4 × `[C]`. */
  dalpha: F32s;
  /** ∂β, 4 × `[C]`. */
  dbeta: F32s;
}

/**
 * Backward from `dy` (8 × `[M·C]`) and the forward's inputs; overwrites every output. The α, β
 * gradients are per-channel sums over the tokens in order, in float64.
 */
export function mvSiluBackwardF32(
  dy: F32s,
  x: F32s,
  alpha: F32s,
  beta: F32s,
  out: MVSiluGradArrays,
  m: number,
  c: number,
): void {
  const da = new Float64Array(4 * c), db = new Float64Array(4 * c);
  const [x0, x1, x2, x3, x4, x5, x6, x7] = x;
  const [e0, e1, e2, e3, e4, e5, e6, e7] = dy;
  const [d0, d1, d2, d3, d4, d5, d6, d7] = out.dx;
  const [a0, a1, a2, a3] = alpha, [b0, b1, b2, b3] = beta;
  for (let t = 0; t < m; t++) {
    for (let ch = 0, i = t * c; ch < c; ch++, i++) {
      const v0 = x0[i], v1 = x1[i], v2 = x2[i], v3 = x3[i];
      const v4 = x4[i], v5 = x5[i], v6 = x6[i], v7 = x7[i];
      const u0 = e0[i], u1 = e1[i], u2 = e2[i], u3 = e3[i];
      const u4 = e4[i], u5 = e5[i], u6 = e6[i], u7 = e7[i];
      const s1 = v1 * v1 + v2 * v2 + v3 * v3, s2 = v4 * v4 + v5 * v5 + v6 * v6, s3 = v7 * v7;
      const g0 = sigmoid(a0[ch] * v0 + b0[ch]), g1 = sigmoid(a1[ch] * s1 + b1[ch]);
      const g2 = sigmoid(a2[ch] * s2 + b2[ch]), g3 = sigmoid(a3[ch] * s3 + b3[ch]);
      // ∂z_g = (Σ_{b∈g} dy_b x_b) · g (1 − g); ∂α += ∂z s, ∂β += ∂z; ∂s = ∂z α.
      const z0 = u0 * v0 * g0 * (1 - g0);
      const z1 = (u1 * v1 + u2 * v2 + u3 * v3) * g1 * (1 - g1);
      const z2 = (u4 * v4 + u5 * v5 + u6 * v6) * g2 * (1 - g2);
      const z3 = u7 * v7 * g3 * (1 - g3);
      da[ch] += z0 * v0;
      da[c + ch] += z1 * s1;
      da[2 * c + ch] += z2 * s2;
      da[3 * c + ch] += z3 * s3;
      db[ch] += z0;
      db[c + ch] += z1;
      db[2 * c + ch] += z2;
      db[3 * c + ch] += z3;
      const q1 = 2 * z1 * a1[ch], q2 = 2 * z2 * a2[ch];
      d0[i] = u0 * g0 + z0 * a0[ch];
      d1[i] = u1 * g1 + q1 * v1;
      d2[i] = u2 * g1 + q1 * v2;
      d3[i] = u3 * g1 + q1 * v3;
      d4[i] = u4 * g2 + q2 * v4;
      d5[i] = u5 * g2 + q2 * v5;
      d6[i] = u6 * g2 + q2 * v6;
      d7[i] = u7 * g3 + 2 * z3 * a3[ch] * v7;
    }
  }
  for (let g = 0; g < 4; g++) {
    out.dalpha[g].set(da.subarray(g * c, (g + 1) * c));
    out.dbeta[g].set(db.subarray(g * c, (g + 1) * c));
  }
}
