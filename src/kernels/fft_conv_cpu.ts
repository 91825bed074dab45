/**
 * `FftConvSe3` on the `cpu` backend: reads the inputs' float32 arrays and runs
 * {@link circularConvThreaded} (power-of-two complex FFTs, O(N log N), on every thread of
 * the kernels' pool).
 *
 * @module
 */
import { tf } from "../backend.ts";
import { circularConvThreaded } from "./fft_conv_threads.ts";
import { FFT_CONV_KERNEL, type FftConvAttrs } from "./fft_conv_kernel.ts";
import { fftConvShape } from "./fft_conv_shape.ts";

/** The cpu backend's slice this kernel uses. */
interface CpuBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** Kernel config of {@link FFT_CONV_KERNEL} for the `cpu` backend. */
export const fftConvCpuConfig: tf.KernelConfig = {
  kernelName: FFT_CONV_KERNEL,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, k } = inputs as { x: tf.TensorInfo; k: tf.TensorInfo };
    const { flip } = attrs as unknown as FftConvAttrs;
    const shape = fftConvShape(x, k);
    const cpu = backend as unknown as CpuBackend;
    const out = new Float32Array(shape[0] * shape[1] * shape[2]);
    circularConvThreaded(
      cpu.readSync(x.dataId) as Float32Array,
      cpu.readSync(k.dataId) as Float32Array,
      out,
      shape,
      Boolean(flip),
    );
    return cpu.makeTensorInfo([...shape], "float32", out);
  },
};

tf.registerKernel(fftConvCpuConfig);
