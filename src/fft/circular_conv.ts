/**
 * The long convolution's math on plain arrays, shared by the `cpu` and `wasm` kernels:
 * depthwise, batched, circular convolution of float32 `[B, N, D]` signals with
 * power-of-two complex FFTs (fft.js, radix-4) in float64 scratch.
 *
 * Two tricks halve the work of a naive per-channel real FFT:
 * - forward: one complex FFT of `z = x + i·k` gives both spectra, by conjugate symmetry
 *   `X[m] = (Z[m] + conj Z[−m]) / 2`, `K[m] = (Z[m] − conj Z[−m]) / 2i`, so the product
 *   is `X·K = (Z[m]² − (conj Z[−m])²) / 4i`;
 * - inverse: two channels' (Hermitian) products `Y_a + i·Y_b` go through one inverse
 *   complex FFT whose real and imaginary parts are the two real outputs.
 * Three complex FFTs of size M per pair of channels; scratch buffers and twiddles are
 * cached per FFT size.
 *
 * @module
 */
import FFT from "fft.js";
import { convPlanSize } from "./conv_size.ts";

/** The slice of fft.js this module uses (interleaved complex arrays of length 2M). */
interface ComplexFft {
  transform(out: Float64Array, data: Float64Array): void;
}

/** An FFT size's transform and scratch (interleaved complex, length 2M each). */
interface Plan {
  m: number;
  fft: ComplexFft;
  srcA: Float64Array;
  srcB: Float64Array;
  zA: Float64Array;
  zB: Float64Array;
}

/** How many FFT sizes keep their scratch alive (forward and backward share one). */
const PLAN_CACHE_SIZE = 2;
const plans: Plan[] = [];

/** The cached plan for FFT size `m` (most recently used first), built on first use. */
function planFor(m: number): Plan {
  const at = plans.findIndex((p) => p.m === m);
  if (at >= 0) {
    const [p] = plans.splice(at, 1);
    plans.unshift(p);
    return p;
  }
  const p: Plan = {
    m,
    fft: new FFT(m) as ComplexFft,
    srcA: new Float64Array(2 * m),
    srcB: new Float64Array(2 * m),
    zA: new Float64Array(2 * m),
    zB: new Float64Array(2 * m),
  };
  plans.unshift(p);
  if (plans.length > PLAN_CACHE_SIZE) plans.pop();
  return p;
}

/** Frees every cached FFT plan and scratch buffer (they are rebuilt on the next call). */
export function clearConvPlanCache(): void {
  plans.length = 0;
}

/** Shape `[B, N, D]` of the signals given to {@link circularConvF32}. */
export type ConvShape = readonly [b: number, n: number, d: number];

/**
 * Depthwise circular convolution (or correlation) of float32 `[B, N, D]` arrays:
 *
 *   out[b, i, d] = Σ_j x[b, j, d] · k'[b, (i − j) mod N, d],
 *   k' = k (flip = false), k'[m] = k[(−m) mod N] (flip = true).
 *
 * O(B·D·M log M) with M the power-of-two FFT size of {@link convPlanSize}; float64 scratch.
 *
 * @param x `[B, N, D]` row-major.
 * @param k `[B, N, D]` row-major.
 * @param out `[B, N, D]` row-major, overwritten (must not alias x or k).
 * @param shape `[B, N, D]`.
 * @param flip correlate instead of convolve (what the gradients need).
 * @throws RangeError naming the value when the shape or an array length is wrong.
 */
export function circularConvF32(
  x: Float32Array,
  k: Float32Array,
  out: Float32Array,
  shape: ConvShape,
  flip: boolean,
): void {
  const [nb, n, nd] = shape;
  for (const [name, v] of [["B", nb], ["N", n], ["D", nd]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`shape: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  const size = nb * n * nd;
  for (const [name, a] of [["x", x], ["k", k], ["out", out]] as const) {
    if (a.length !== size) {
      throw new RangeError(
        `${name}: expected length ${size} for shape [${shape.join(",")}], got ${a.length}`,
      );
    }
  }
  if (size === 0) return;
  const { m, fold } = convPlanSize(n);
  if (m === 1) {
    // N = 1: the convolution is a product.
    for (let t = 0; t < size; t++) out[t] = x[t] * k[t];
    return;
  }
  const plan = planFor(m);
  for (let b = 0; b < nb; b++) {
    const base = b * n * nd;
    for (let d = 0; d < nd; d += 2) {
      convolvePair(plan, x, k, out, base, n, nd, d, d + 1 < nd, flip, fold);
    }
  }
}

/**
 * Channels `d` and (when `two`) `d + 1` of batch row `base`: gather, two forward FFTs,
 * spectral products packed into one inverse FFT, fold and scatter.
 */
function convolvePair(
  plan: Plan,
  x: Float32Array,
  k: Float32Array,
  out: Float32Array,
  base: number,
  n: number,
  nd: number,
  d: number,
  two: boolean,
  flip: boolean,
  fold: boolean,
): void {
  const { m, fft, srcA, srcB, zA, zB } = plan;
  // Gather z = x + i·k' for both channels in one pass over the interleaved [N, D] rows.
  for (let j = 0, p = base + d; j < n; j++, p += nd) {
    const q = flip ? base + ((j === 0 ? 0 : n - j) * nd) + d : p;
    srcA[2 * j] = x[p];
    srcA[2 * j + 1] = k[q];
    if (two) {
      srcB[2 * j] = x[p + 1];
      srcB[2 * j + 1] = k[q + 1];
    }
  }
  srcA.fill(0, 2 * n);
  fft.transform(zA, srcA);
  if (two) {
    srcB.fill(0, 2 * n);
    fft.transform(zB, srcB);
  }
  // W = Y_a + i·Y_b with Y = X·K = (Z[t]² − (conj Z[−t])²) / 4i. The inverse FFT is
  // taken as conj(FFT(conj W)) / M, so srcA receives conj(W) / M.
  const mask = m - 1;
  const s2 = 0.5 / m;
  const s4 = 0.25 / m;
  for (let t = 0; t < m; t++) {
    const u = (m - t) & mask;
    const ar = zA[2 * t], ai = zA[2 * t + 1];
    const br = zA[2 * u], bi = zA[2 * u + 1];
    let wr = (ar * ai + br * bi) * s2; // Re Y_a
    let wi = (ar * ar - ai * ai - br * br + bi * bi) * s4; // −Im Y_a
    if (two) {
      const cr = zB[2 * t], ci = zB[2 * t + 1];
      const er = zB[2 * u], ei = zB[2 * u + 1];
      wr += (cr * cr - ci * ci - er * er + ei * ei) * s4; // −Im Y_b
      wi -= (cr * ci + er * ei) * s2; // −Re Y_b
    }
    srcA[2 * t] = wr;
    srcA[2 * t + 1] = wi;
  }
  fft.transform(zA, srcA);
  // y_a = Re, y_b = −Im; fold the linear result when padded.
  for (let i = 0, p = base + d; i < n; i++, p += nd) {
    let ya = zA[2 * i];
    let yb = zA[2 * i + 1];
    if (fold) {
      ya += zA[2 * (i + n)];
      yb += zA[2 * (i + n) + 1];
    }
    out[p] = ya;
    if (two) out[p + 1] = -yb;
  }
}
