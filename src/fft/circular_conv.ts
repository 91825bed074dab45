/**
 * The long convolution's math on plain arrays, shared by the `cpu` and `wasm` kernels:
 * depthwise, batched, circular convolution of float32 `[B, N, D]` signals with
 * power-of-two complex FFTs ({@link BitReversedFft}: depth-first radix-2², spectra left in
 * bit-reversed order) in float64 scratch.
 *
 * Two tricks halve the work of a naive per-channel real FFT:
 * - forward: one complex FFT of `z = x + i·k` gives both spectra, by conjugate symmetry
 *   `X[m] = (Z[m] + conj Z[−m]) / 2`, `K[m] = (Z[m] − conj Z[−m]) / 2i`, so the product
 *   is `X·K = (Z[m]² − (conj Z[−m])²) / 4i`;
 * - inverse: two channels' (Hermitian) products `Y_a + i·Y_b` go through one inverse
 *   complex FFT whose real and imaginary parts are the two real outputs.
 * Three complex FFTs of size M per pair of channels; the spectra stay in bit-reversed
 * order (conjugate pairs are found with {@link bitReversedPartner}); scratch buffers and
 * twiddles are cached per FFT size.
 *
 * @module
 */
import { BitReversedFft } from "./bitrev_fft.ts";
import { convPlanSize } from "./conv_size.ts";

/** An FFT size's transform and scratch (interleaved complex, length 2M each). */
interface Plan {
  m: number;
  fft: BitReversedFft;
  bufA: Float64Array;
  bufB: Float64Array;
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
    fft: new BitReversedFft(m),
    bufA: new Float64Array(2 * m),
    bufB: new Float64Array(2 * m),
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
  circularConvUnits(x, k, out, shape, flip, 0, convUnitCount(shape));
}

/**
 * Units of {@link circularConvUnits} for `shape`: one per batch row and pair of channels
 * (`B · ⌈D / 2⌉`). Each output element belongs to exactly one unit.
 */
export function convUnitCount(shape: ConvShape): number {
  return shape[0] * Math.ceil(shape[2] / 2);
}

/**
 * Units `[from, to)` of {@link circularConvF32} (unchecked arguments): unit
 * `u = b · ⌈D / 2⌉ + d / 2` convolves channels `d` and `d + 1` of batch row `b`. A unit's
 * result does not depend on which other units run, or where, so threads may split them.
 */
export function circularConvUnits(
  x: Float32Array,
  k: Float32Array,
  out: Float32Array,
  shape: ConvShape,
  flip: boolean,
  from: number,
  to: number,
): void {
  const [, n, nd] = shape;
  const pairs = Math.ceil(nd / 2);
  const { m, fold } = convPlanSize(n);
  const plan = m === 1 ? undefined : planFor(m);
  for (let u = from; u < to; u++) {
    const base = Math.floor(u / pairs) * n * nd;
    const d = 2 * (u % pairs);
    if (!plan) {
      // N = 1: the convolution is a product.
      out[base + d] = x[base + d] * k[base + d];
      if (d + 1 < nd) out[base + d + 1] = x[base + d + 1] * k[base + d + 1];
      continue;
    }
    convolvePair(plan, x, k, out, base, n, nd, d, d + 1 < nd, flip, fold);
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
  const { m, fft, bufA, bufB } = plan;
  // Gather z = x + i·k' for both channels in one pass over the interleaved [N, D] rows.
  for (let j = 0, p = base + d; j < n; j++, p += nd) {
    const q = flip ? base + (j === 0 ? 0 : n - j) * nd + d : p;
    bufA[2 * j] = x[p];
    bufA[2 * j + 1] = k[q];
    if (two) {
      bufB[2 * j] = x[p + 1];
      bufB[2 * j + 1] = k[q + 1];
    }
  }
  bufA.fill(0, 2 * n);
  fft.forward(bufA);
  if (two) {
    bufB.fill(0, 2 * n);
    fft.forward(bufB);
  }
  // Spectral products, in bit-reversed order, over conjugate pairs (p, p').
  spectralProducts(bufA, two ? bufB : undefined, m);
  fft.inverse(bufA);
  // y_a = Re, y_b = Im; fold the linear result when padded.
  for (let i = 0, p = base + d; i < n; i++, p += nd) {
    let ya = bufA[2 * i];
    let yb = bufA[2 * i + 1];
    if (fold) {
      ya += bufA[2 * (i + n)];
      yb += bufA[2 * (i + n) + 1];
    }
    out[p] = ya;
    if (two) out[p + 1] = yb;
  }
}

/**
 * Replaces the packed spectra `Z_a` (in `za`) and `Z_b` (in `zb`, if any) by
 * `W = (Y_a + i·Y_b) / M`, with `Y = X·K = (Z[f]² − (conj Z[−f])²) / 4i` the spectrum of
 * the channel's convolution; all in bit-reversed order, where the conjugate partner of
 * position p is {@link bitReversedPartner}(p). Since Y is Hermitian, `Y[−f] = conj Y[f]`.
 */
function spectralProducts(za: Float64Array, zb: Float64Array | undefined, m: number): void {
  const s2 = 0.5 / m;
  const s4 = 0.25 / m;
  // Positions 0 and 1 (frequencies 0 and M/2) are their own partners; then the blocks
  // [2^j, 2^(j+1)) pair mirrored: p ↔ 3·2^j − 1 − p.
  const pair = (p: number, u: number): void => {
    const ar = za[2 * p], ai = za[2 * p + 1], br = za[2 * u], bi = za[2 * u + 1];
    const yar = (ar * ai + br * bi) * s2;
    const yai = -(ar * ar - ai * ai - br * br + bi * bi) * s4;
    let ybr = 0, ybi = 0;
    if (zb) {
      const cr = zb[2 * p], ci = zb[2 * p + 1], er = zb[2 * u], ei = zb[2 * u + 1];
      ybr = (cr * ci + er * ei) * s2;
      ybi = -(cr * cr - ci * ci - er * er + ei * ei) * s4;
    }
    // W[f] = Y_a + i·Y_b; W[−f] = conj(Y_a) + i·conj(Y_b).
    za[2 * p] = yar - ybi;
    za[2 * p + 1] = yai + ybr;
    za[2 * u] = yar + ybi;
    za[2 * u + 1] = ybr - yai;
  };
  pair(0, 0);
  if (m === 1) return;
  pair(1, 1);
  for (let top = 2; top < m; top *= 2) {
    const end = top + top / 2;
    for (let p = top, u = 2 * top - 1; p < end; p++, u--) pair(p, u);
  }
}
