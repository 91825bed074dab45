/**
 * {@link circularConvF32} on every thread of the kernels' pool (src/kernels/pool): the
 * `(batch row, channel pair)` units are split over the threads; each is computed exactly
 * as single-threaded, so results are bitwise equal for any thread count.
 *
 * @module
 */
import { circularConvF32, type ConvShape, convUnitCount } from "../fft/circular_conv.ts";
import { kernelPool } from "./pool/threads.ts";

/** Below this many elements (B·N·D) one thread does the whole convolution. */
export const FFT_CONV_POOL_MIN_ELEMENTS = 1 << 14;

/**
 * {@link circularConvF32} (same contract), on the kernels' pool when there is one (more
 * than one thread), the signal is at least {@link FFT_CONV_POOL_MIN_ELEMENTS}, there are
 * two units or more and the arrays fit in the pool's arena.
 */
export function circularConvThreaded(
  x: Float32Array,
  k: Float32Array,
  out: Float32Array,
  shape: ConvShape,
  flip: boolean,
): void {
  const pool = kernelPool();
  const units = convUnitCount(shape);
  const size = shape[0] * shape[1] * shape[2];
  const job = {
    kind: "fftConv",
    inputs: [x, k],
    outputs: [out],
    params: [shape[0], shape[1], shape[2], flip ? 1 : 0],
    units,
  };
  if (
    !pool || units < 2 || size < FFT_CONV_POOL_MIN_ELEMENTS || x.length !== size ||
    k.length !== size || out.length !== size || !pool.fits(job)
  ) {
    circularConvF32(x, k, out, shape, flip);
    return;
  }
  pool.run(job);
}
