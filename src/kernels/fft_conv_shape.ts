/**
 * Input checks every `FftConvSe3` kernel runs on its `{ x, k }` tensor infos.
 *
 * @module
 */
import type { tf } from "../backend.ts";
import { FFT_CONV_KERNEL } from "./fft_conv_kernel.ts";

/**
 * The `[B, N, D]` shape of a kernel call, after checking that `x` and `k` are float32,
 * rank 3 and of equal shapes.
 *
 * @throws Error naming the input and its value otherwise.
 */
export function fftConvShape(
  x: tf.TensorInfo,
  k: tf.TensorInfo,
): readonly [number, number, number] {
  for (const [name, t] of [["x", x], ["k", k]] as const) {
    if (t.shape.length !== 3) {
      throw new Error(
        `${FFT_CONV_KERNEL}: ${name} must be rank 3 [B, N, D], got shape [${t.shape.join(",")}]`,
      );
    }
    if (t.dtype !== "float32") {
      throw new Error(`${FFT_CONV_KERNEL}: ${name} must be float32, got ${t.dtype}`);
    }
  }
  if (x.shape.some((s, i) => s !== k.shape[i])) {
    throw new Error(
      `${FFT_CONV_KERNEL}: x and k must have equal shapes, got x [${x.shape.join(",")}] ` +
        `and k [${k.shape.join(",")}]`,
    );
  }
  return [x.shape[0], x.shape[1], x.shape[2]];
}
