/**
 * Sinusoidal positional encoding (Vaswani et al. 2017): the invariant per-token input of
 * the associative-recall task, and the time embedding of the Hyena baseline's implicit filter.
 *
 * @module
 */

/** Options of {@link sinusoidalEncoding}. */
export interface SinusoidalOptions {
  /** Base of the geometric frequency ladder. Default 10000. */
  base?: number;
}

/**
 * The sinusoidal encoding of positions `0..n−1` in `dim` channels:
 * `pe[t, 2i] = sin(t / base^(2i/dim))`, `pe[t, 2i+1] = cos(t / base^(2i/dim))`.
 *
 * @returns row-major `[n, dim]`.
 * @throws Error naming the value when `n` or `dim` is not a positive integer.
 */
export function sinusoidalEncoding(
  n: number,
  dim: number,
  opts: SinusoidalOptions = {},
): Float32Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: expected a positive integer, got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) {
    throw new Error(`dim: expected a positive integer, got ${dim}`);
  }
  const base = opts.base ?? 10000;
  const out = new Float32Array(n * dim);
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < dim; c++) {
      const i = Math.floor(c / 2);
      const angle = t / Math.pow(base, (2 * i) / dim);
      out[t * dim + c] = c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}
