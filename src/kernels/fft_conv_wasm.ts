/**
 * `FftConvSe3` on the `wasm` backend: runs {@link circularConvThreaded} on views of the
 * wasm heap (JavaScript FFTs; the inputs are read and the output written in place).
 *
 * @module
 */
import { tf } from "../backend.ts";
import { circularConvThreaded } from "./fft_conv_threads.ts";
import { FFT_CONV_KERNEL, type FftConvAttrs } from "./fft_conv_kernel.ts";
import { fftConvShape } from "./fft_conv_shape.ts";

/** The wasm backend's slice this kernel uses. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** Kernel config of {@link FFT_CONV_KERNEL} for the `wasm` backend. */
export const fftConvWasmConfig: tf.KernelConfig = {
  kernelName: FFT_CONV_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, k } = inputs as { x: tf.TensorInfo; k: tf.TensorInfo };
    const { flip } = attrs as unknown as FftConvAttrs;
    const shape = fftConvShape(x, k);
    const wasm = backend as unknown as WasmBackend;
    const outInfo = wasm.makeOutput([...shape], "float32");
    // Views are taken after makeOutput: allocating may grow (and detach) the heap.
    circularConvThreaded(
      wasm.typedArrayFromHeap(x) as Float32Array,
      wasm.typedArrayFromHeap(k) as Float32Array,
      wasm.typedArrayFromHeap(outInfo) as Float32Array,
      shape,
      Boolean(flip),
    );
    return outInfo;
  },
};

tf.registerKernel(fftConvWasmConfig);
