/**
 * `FftConvSe3` on the `tensorflow` backend (tfjs-node / tfjs-node-gpu), where
 * `tf.spectral.rfft/irfft` run TensorFlow's real FFT (cuFFT on GPU), O(N log N).
 *
 * The same padding, fold and flip as every other kernel ({@link convPlanSize},
 * {@link flipIndices}), written as tf ops in {@link spectralCircularConv}. tfjs-node cannot
 * be installed in CI, so the tests run this op (and {@link fftConvSpectralKernelFunc},
 * registered under a test name) on the `cpu` backend at small sizes.
 * Never use it on `cpu`, `wasm` or `webgpu` outside tests: there TensorFlow.js's FFT
 * is slow or an O(N²) DFT.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { convPlanSize, flipIndices } from "../fft/conv_size.ts";
import { FFT_CONV_KERNEL, type FftConvAttrs } from "./fft_conv_kernel.ts";
import { fftConvShape } from "./fft_conv_shape.ts";

/**
 * Depthwise circular convolution (`flip = false`) or correlation (`flip = true`) of
 * `[B, N, D]` tensors along N, via `tf.spectral.rfft/irfft` of size M
 * ({@link convPlanSize}: N for a power of two, else nextPowerOfTwo(2N) and a fold).
 */
export function spectralCircularConv(x: tf.Tensor3D, k: tf.Tensor3D, flip: boolean): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n, d] = x.shape;
    const { m, fold } = convPlanSize(n);
    // k'[j] = k[(−j) mod N]
    const kk = flip ? tf.gather(k, tf.tensor1d(flipIndices(n), "int32"), 1) : k;
    if (n === 1) return tf.mul(x, kk) as tf.Tensor3D;
    const toSpectrum = (t: tf.Tensor3D): tf.Tensor => {
      const rows = tf.transpose(t, [0, 2, 1]); // [B, D, N]
      const padded = m === n ? rows : tf.pad(rows, [[0, 0], [0, 0], [0, m - n]]); // [B, D, M]
      return tf.spectral.rfft(padded); // [B, D, M/2 + 1] complex64
    };
    const lin = tf.spectral.irfft(tf.mul(toSpectrum(x), toSpectrum(kk))) as tf.Tensor3D; // [B, D, M]
    const y = fold // y[i] = lin[i] + lin[i + N]
      ? tf.add(tf.slice(lin, [0, 0, 0], [b, d, n]), tf.slice(lin, [0, 0, n], [b, d, n]))
      : lin;
    return tf.transpose(y, [0, 2, 1]) as tf.Tensor3D; // [B, N, D]
  });
}

/**
 * The kernel function: wraps the input infos as tensors (through `Identity`, which keeps
 * the backend's reference counts balanced when the wrappers are disposed), runs
 * {@link spectralCircularConv} and returns its output tensor (the engine accepts a tensor
 * from a kernel as it is).
 */
export const fftConvSpectralKernelFunc: tf.KernelFunc = ({ inputs, attrs }) => {
  const { x, k } = inputs as { x: tf.TensorInfo; k: tf.TensorInfo };
  const { flip } = attrs as unknown as FftConvAttrs;
  fftConvShape(x, k);
  return tf.tidy(() => {
    const engine = tf.engine();
    const wrap = (info: tf.TensorInfo) =>
      engine.runKernel(tf.Identity, { x: info } as unknown as tf.NamedTensorMap) as tf.Tensor3D;
    const xt = wrap(x);
    const kt = wrap(k);
    return spectralCircularConv(xt, kt, Boolean(flip));
  });
};

/** Kernel config of {@link FFT_CONV_KERNEL} for the `tensorflow` backend. */
export const fftConvTensorflowConfig: tf.KernelConfig = {
  kernelName: FFT_CONV_KERNEL,
  backendName: "tensorflow",
  kernelFunc: fftConvSpectralKernelFunc,
};

tf.registerKernel(fftConvTensorflowConfig);
