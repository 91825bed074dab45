/**
 * The fused geometric-product kernels on the `wasm` backend: run the shared math of
 * `clifford/geometric_product_math.ts` on views of the wasm heap (inputs read and outputs
 * written in place, no copies).
 *
 * @module
 */
import { tf } from "../backend.ts";
import {
  geometricProductBackwardF32,
  geometricProductForwardF32,
} from "../clifford/geometric_product_math.ts";
import {
  GEOMETRIC_PRODUCT_GRAD_KERNEL,
  GEOMETRIC_PRODUCT_KERNEL,
  PRODUCT_GRAD_INPUT_NAMES,
  PRODUCT_INPUT_NAMES,
  productShape,
} from "./geometric_product_kernel.ts";

/** The wasm backend's slice these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Kernel config of {@link GEOMETRIC_PRODUCT_KERNEL} for the `wasm` backend. */
export const geometricProductWasmConfig: tf.KernelConfig = {
  kernelName: GEOMETRIC_PRODUCT_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const [m, c] = productShape(GEOMETRIC_PRODUCT_KERNEL, inputs, PRODUCT_INPUT_NAMES);
    const wasm = backend as unknown as WasmBackend;
    const outInfos = range(8).map(() => wasm.makeOutput([m, c], "float32"));
    // Views are taken after every makeOutput: allocating may grow (and detach) the heap.
    const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info) as Float32Array;
    const blades = (p: string) => range(8).map((b) => view(inputs[`${p}${b}`]!));
    geometricProductForwardF32(
      {
        x: blades("x"),
        l: blades("l"),
        r: blades("r"),
        w: view(inputs.w!),
        sigma: range(4).map((g) => view(inputs[`s${g}`]!)),
      },
      outInfos.map(view),
      m,
      c,
    );
    return outInfos;
  },
};

/** Kernel config of {@link GEOMETRIC_PRODUCT_GRAD_KERNEL} for the `wasm` backend. */
export const geometricProductGradWasmConfig: tf.KernelConfig = {
  kernelName: GEOMETRIC_PRODUCT_GRAD_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const [m, c] = productShape(GEOMETRIC_PRODUCT_GRAD_KERNEL, inputs, PRODUCT_GRAD_INPUT_NAMES);
    const wasm = backend as unknown as WasmBackend;
    const outInfos = [
      ...range(24).map(() => wasm.makeOutput([m, c], "float32")),
      wasm.makeOutput([c, 20], "float32"),
      ...range(4).map(() => wasm.makeOutput([c], "float32")),
    ];
    const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info) as Float32Array;
    const blades = (p: string) => range(8).map((b) => view(inputs[`${p}${b}`]!));
    const outs = outInfos.map(view);
    geometricProductBackwardF32(
      blades("dy"),
      {
        x: blades("x"),
        r: blades("r"),
        w: view(inputs.w!),
        sigma: range(4).map((g) => view(inputs[`s${g}`]!)),
      },
      {
        dx: outs.slice(0, 8),
        dl: outs.slice(8, 16),
        dr: outs.slice(16, 24),
        dw: outs[24],
        dsigma: outs.slice(25, 29),
      },
      m,
      c,
    );
    return outInfos;
  },
};

tf.registerKernel(geometricProductWasmConfig);
tf.registerKernel(geometricProductGradWasmConfig);
