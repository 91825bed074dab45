/**
 * Index math shared by every long-convolution kernel: which power-of-two FFT size a
 * circular convolution of length N uses, how its linear result folds back to length N,
 * and the circular flip that turns a convolution into a correlation.
 *
 * - N a power of two: an FFT of size N is already circular (M = N, no fold).
 * - Otherwise: pad to M = nextPowerOfTwo(2N) ≥ 2N − 1, convolve linearly, fold
 *   `y[i] = lin[i] + lin[i + N]` (`lin[2N − 1]` is zero).
 *
 * @module
 */

/** Whether `n` is a positive integer power of two (1, 2, 4, …). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/**
 * The smallest power of two ≥ `n`.
 *
 * @throws RangeError naming the value when `n` is not a positive integer ≤ 2^30.
 */
export function nextPowerOfTwo(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 30) {
    throw new RangeError(`n: expected a positive integer ≤ 2^30, got ${n}`);
  }
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/** How a circular convolution of length `n` is computed with power-of-two FFTs. */
export interface ConvPlanSize {
  /** The sequence length N. */
  n: number;
  /** The FFT size M: N when N is a power of two, else nextPowerOfTwo(2N). */
  m: number;
  /** Whether the linear result must be folded (`y[i] = lin[i] + lin[i + N]`), i.e. M ≠ N. */
  fold: boolean;
}

/**
 * The FFT size and fold for a circular convolution of length `n`.
 *
 * @throws RangeError naming the value when `n` is not a positive integer.
 */
export function convPlanSize(n: number): ConvPlanSize {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`n: expected a positive integer, got ${n}`);
  }
  if (isPowerOfTwo(n)) return { n, m: n, fold: false };
  return { n, m: nextPowerOfTwo(2 * n), fold: true };
}

/**
 * The circular flip as a gather index: `k'[j] = k[flipIndex(j, n)] = k[(−j) mod n]`.
 * Convolving with k' is correlating with k: `Σ_j x[j] k'[(i − j) mod n] = Σ_j x[j] k[(j − i) mod n]`.
 */
export function flipIndex(j: number, n: number): number {
  return j === 0 ? 0 : n - j;
}

/** All of {@link flipIndex} for `j = 0 … n − 1` (`[0, n−1, n−2, …, 1]`), as a gather index. */
export function flipIndices(n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let j = 0; j < n; j++) idx[j] = flipIndex(j, n);
  return idx;
}
