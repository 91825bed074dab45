/**
 * The contract of the long-convolution kernel that every backend implements.
 *
 * Kernel `FftConvSe3`, inputs `{ x, k }`, both float32 `[B, N, D]` with equal shapes,
 * attrs {@link FftConvAttrs}; output float32 `[B, N, D]`:
 *
 *   y[b, i, d] = Σ_j x[b, j, d] · k'[b, (i − j) mod N, d]
 *   k' = k                      when flip = false   (circular convolution)
 *   k'[m] = k[(−m) mod N]       when flip = true    (so y is the circular correlation
 *                                                    Σ_j x[j] · k[(j − i) mod N])
 *
 * `flip` is what the gradient needs: ∂L/∂x = fftConv(dy, k, flip), ∂L/∂k = fftConv(dy, x, flip).
 * Every implementation is O(N log N) (power-of-two FFTs: size N when N is a power of two,
 * else M ≥ 2N with the linear result folded, y[i] = lin[i] + lin[i + N]).
 *
 * @module
 */

/** Registered kernel name. */
export const FFT_CONV_KERNEL = "FftConvSe3";

/** Attributes of {@link FFT_CONV_KERNEL}. */
export interface FftConvAttrs {
  /** Circularly reverse the second input first (correlation instead of convolution). */
  flip: boolean;
  [key: string]: boolean;
}
