/**
 * Test helpers for the long-convolution code: a seeded random source, the O(N²)
 * float64 reference sums the FFT paths are checked against, and a relative error.
 * Not for production use (quadratic in N).
 *
 * @module
 */
import { mulberry32 } from "../models/rotation.ts";

/** A seeded uniform random source in [−1, 1) (mulberry32), for reproducible tests. */
export function seededUniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() * 2 - 1;
}

/** `size` seeded uniform values in [−1, 1) as float32. */
export function randomArray(size: number, random: () => number): Float32Array {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = random();
  return a;
}

/**
 * Direct O(B·D·N²) float64 sum of a depthwise circular convolution of `[B, N, D]` arrays:
 * `y[b, i, d] = Σ_j x[b, j, d] · k[b, (i − j) mod N, d]`, or the correlation
 * `Σ_j x[b, j, d] · k[b, (j − i) mod N, d]` when `flip`.
 */
export function directCircularConv(
  x: ArrayLike<number>,
  k: ArrayLike<number>,
  shape: readonly [number, number, number],
  flip = false,
): Float64Array {
  const [nb, n, nd] = shape;
  const y = new Float64Array(nb * n * nd);
  for (let b = 0; b < nb; b++) {
    const base = b * n * nd;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const m = flip ? (j - i + n) % n : (i - j + n) % n;
        const xo = base + j * nd;
        const ko = base + m * nd;
        const yo = base + i * nd;
        for (let d = 0; d < nd; d++) y[yo + d] += x[xo + d] * k[ko + d];
      }
    }
  }
  return y;
}

/**
 * Direct O(B·N²) float64 cross-product convolution of `[B, N, 3]` arrays, centred:
 * `u[b, i] = (1/N) Σ_j q̄[b, j] × k̄[b, (i − j) mod N]`.
 */
export function directVectorLongConv(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  nb: number,
  n: number,
): Float64Array {
  const centred = (a: ArrayLike<number>): Float64Array => {
    const c = Float64Array.from(a);
    for (let b = 0; b < nb; b++) {
      for (let e = 0; e < 3; e++) {
        let mean = 0;
        for (let j = 0; j < n; j++) mean += c[(b * n + j) * 3 + e];
        mean /= n;
        for (let j = 0; j < n; j++) c[(b * n + j) * 3 + e] -= mean;
      }
    }
    return c;
  };
  const qc = centred(q);
  const kc = centred(k);
  const u = new Float64Array(nb * n * 3);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < n; i++) {
      const o = (b * n + i) * 3;
      for (let j = 0; j < n; j++) {
        const a = (b * n + j) * 3;
        const c = (b * n + (i - j + n) % n) * 3;
        u[o] += qc[a + 1] * kc[c + 2] - qc[a + 2] * kc[c + 1];
        u[o + 1] += qc[a + 2] * kc[c] - qc[a] * kc[c + 2];
        u[o + 2] += qc[a] * kc[c + 1] - qc[a + 1] * kc[c];
      }
      for (let e = 0; e < 3; e++) u[o + e] /= n;
    }
  }
  return u;
}

/** Relative L2 error `‖a − b‖ / ‖b‖` (absolute when `b` is zero). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`relativeError: lengths differ, got ${a.length} and ${b.length}`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}
