/**
 * The long-convolution op of SE(3)-Hyena (model.md §5): depthwise, batched, circular
 * convolution along the token axis, O(N log N) forward and backward on every backend.
 *
 *   fftConv(x, k)[b, i, d] = Σ_j x[b, j, d] · k[b, (i − j) mod N, d]
 *
 * It runs the `FftConvSe3` kernel of the active backend (registered by
 * `kernels/register.ts`); there is no fallback to TensorFlow.js's O(N²) DFT.
 *
 * @module
 */
import { BACKENDS, tf } from "./backend.ts";
import { FFT_CONV_KERNEL, type FftConvAttrs } from "./kernels/fft_conv_kernel.ts";
import "./kernels/register.ts";

/**
 * Checks that `t` is a float32 tensor of shape `[B, N, D]` with N ≥ 1.
 *
 * @param op the op's name, quoted in errors.
 * @param name the argument's name, quoted in errors.
 * @throws Error naming the op, the argument and the offending value.
 */
export function assertSequenceTensor(
  op: string,
  name: string,
  t: unknown,
): asserts t is tf.Tensor3D {
  if (!(t instanceof tf.Tensor)) {
    throw new Error(`${op}: ${name} must be a tf.Tensor [B, N, D], got ${describe(t)}`);
  }
  if (t.rank !== 3) {
    throw new Error(`${op}: ${name} must be rank 3 [B, N, D], got shape [${t.shape.join(",")}]`);
  }
  if (t.shape[1] < 1) {
    throw new Error(`${op}: ${name} must have N ≥ 1 tokens, got shape [${t.shape.join(",")}]`);
  }
  if (t.dtype !== "float32") {
    throw new Error(`${op}: ${name} must be float32, got dtype ${t.dtype}`);
  }
}

/** A short description of a non-tensor value for error messages. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v === "object" ? (v.constructor?.name ?? "an object") : `${typeof v} ${String(v)}`;
}

/**
 * Checks that the active backend has an `FftConvSe3` kernel.
 *
 * @throws Error naming the backend and the backends that have one.
 */
function assertKernelRegistered(op: string): void {
  const backend = tf.getBackend();
  if (tf.getKernel(FFT_CONV_KERNEL, backend) !== undefined) return;
  const have = BACKENDS.filter((b) => tf.getKernel(FFT_CONV_KERNEL, b) !== undefined);
  throw new Error(
    `${op}: backend "${backend}" has no ${FFT_CONV_KERNEL} kernel registered ` +
      `(registered for: ${have.join(", ") || "none"}); import its kernel module ` +
      `(src/kernels/register.ts) or switch backend. There is no O(N²) fallback.`,
  );
}

/** One kernel call: convolution (`flip = false`) or correlation (`flip = true`). */
function runKernel(x: tf.Tensor3D, k: tf.Tensor3D, flip: boolean): tf.Tensor3D {
  const attrs: FftConvAttrs = { flip };
  return tf.engine().runKernel(
    FFT_CONV_KERNEL,
    { x, k },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor3D;
}

/**
 * Circular convolution (`flip = false`) or correlation
 * (`flip = true`: `y[i] = Σ_j x[j] · k[(j − i) mod N]`) with gradients of any order:
 * - convolution: `∂x = corr(dy, k)`, `∂k = corr(dy, x)`;
 * - correlation: `∂x = conv(dy, k)`, `∂k = corr(x, dy)`.
 */
function convOp(flip: boolean): (x: tf.Tensor3D, k: tf.Tensor3D) => tf.Tensor3D {
  return tf.customGrad((x, k, save) => {
    const xs = x as tf.Tensor3D;
    const ks = k as tf.Tensor3D;
    (save as (tensors: tf.Tensor[]) => void)([xs, ks]);
    return {
      value: runKernel(xs, ks, flip),
      gradFunc: (dy, saved) => {
        const [sx, sk] = saved as tf.Tensor3D[];
        const g = dy as tf.Tensor3D;
        return flip ? [conv(g, sk), corr(sx, g)] : [corr(g, sk), corr(g, sx)];
      },
    };
  }) as (x: tf.Tensor3D, k: tf.Tensor3D) => tf.Tensor3D;
}

const conv = convOp(false);
const corr = convOp(true);

/**
 * Depthwise, batched, circular convolution along the token axis:
 * `y[b, i, d] = Σ_j x[b, j, d] · k[b, (i − j) mod N, d]`, for any N ≥ 1.
 *
 * O(B·D·N log N) forward and backward (gradients are correlations, again by FFT).
 *
 * @param x `[B, N, D]` float32 signal.
 * @param k `[B, N, D]` float32 filter, same shape as `x`.
 * @returns `[B, N, D]` float32.
 * @throws Error naming the argument and value for a wrong rank, dtype, N = 0 or
 *   mismatched shapes, and naming the backend when it has no `FftConvSe3` kernel.
 */
export function fftConv(x: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  assertSequenceTensor("fftConv", "x", x);
  assertSequenceTensor("fftConv", "k", k);
  if (x.shape.some((s, i) => s !== k.shape[i])) {
    throw new Error(
      `fftConv: x and k must have equal shapes, got x [${x.shape.join(",")}] and ` +
        `k [${k.shape.join(",")}]`,
    );
  }
  assertKernelRegistered("fftConv");
  return conv(x, k);
}
