/**
 * The fused geometric-product kernels on the `cpu` backend: read the inputs' float32 arrays
 * and run the shared math of `clifford/geometric_product_math.ts`.
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

/** The cpu backend's slice these kernels use. */
interface CpuBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Kernel config of {@link GEOMETRIC_PRODUCT_KERNEL} for the `cpu` backend. */
export const geometricProductCpuConfig: tf.KernelConfig = {
  kernelName: GEOMETRIC_PRODUCT_KERNEL,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend }) => {
    const [m, c] = productShape(GEOMETRIC_PRODUCT_KERNEL, inputs, PRODUCT_INPUT_NAMES);
    const cpu = backend as unknown as CpuBackend;
    const read = (name: string) => cpu.readSync(inputs[name]!.dataId) as Float32Array;
    const blades = (p: string) => range(8).map((b) => read(`${p}${b}`));
    const y = range(8).map(() => new Float32Array(m * c));
    geometricProductForwardF32(
      {
        x: blades("x"),
        l: blades("l"),
        r: blades("r"),
        w: read("w"),
        sigma: range(4).map((g) => read(`s${g}`)),
      },
      y,
      m,
      c,
    );
    return y.map((v) => cpu.makeTensorInfo([m, c], "float32", v));
  },
};

/** Kernel config of {@link GEOMETRIC_PRODUCT_GRAD_KERNEL} for the `cpu` backend. */
export const geometricProductGradCpuConfig: tf.KernelConfig = {
  kernelName: GEOMETRIC_PRODUCT_GRAD_KERNEL,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend }) => {
    const [m, c] = productShape(GEOMETRIC_PRODUCT_GRAD_KERNEL, inputs, PRODUCT_GRAD_INPUT_NAMES);
    const cpu = backend as unknown as CpuBackend;
    const read = (name: string) => cpu.readSync(inputs[name]!.dataId) as Float32Array;
    const blades = (p: string) => range(8).map((b) => read(`${p}${b}`));
    const mv = () => range(8).map(() => new Float32Array(m * c));
    const out = {
      dx: mv(),
      dl: mv(),
      dr: mv(),
      dw: new Float32Array(c * 20),
      dsigma: range(4).map(() => new Float32Array(c)),
    };
    geometricProductBackwardF32(
      blades("dy"),
      { x: blades("x"), r: blades("r"), w: read("w"), sigma: range(4).map((g) => read(`s${g}`)) },
      out,
      m,
      c,
    );
    return [
      ...[...out.dx, ...out.dl, ...out.dr].map((v) => cpu.makeTensorInfo([m, c], "float32", v)),
      cpu.makeTensorInfo([c, 20], "float32", out.dw),
      ...out.dsigma.map((v) => cpu.makeTensorInfo([c], "float32", v)),
    ];
  },
};

tf.registerKernel(geometricProductCpuConfig);
tf.registerKernel(geometricProductGradCpuConfig);
