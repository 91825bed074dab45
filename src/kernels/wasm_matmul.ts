/**
 * `BatchMatMul` with `transposeA` / `transposeB` on the `wasm` backend as an explicit
 * `Transpose` followed by the plain (untransposed) matmul.
 *
 * Why: tfjs-backend-wasm 4.22 sends only untransposed products to XNNPACK; a transposed one
 * runs a naive loop. Every dense layer's gradient is transposed (`dA = dY·Bᵀ`,
 * `dB = Aᵀ·dY`), so in an SE(3)-Hyena backward pass (paper-runtime, N = 1024, wasm) the
 * transposed matmuls took 1,894 of 2,241 ms (`bench/profile_model.ts`), 22× the forward's
 * matmuls with the same FLOPs. Transposing an operand first costs one copy of it (freed at
 * once) and lets the product take the XNNPACK path. Results are the same products, summed in
 * another order (float32 rounding).
 *
 * Registered on import (from src/kernels/register.ts) for the wasm backend only.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** The wasm backend's slice this kernel uses. */
interface WasmBackend {
  disposeData(dataId: unknown): void;
}

/** Attributes of BatchMatMul. */
interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const original = tf.getKernel("BatchMatMul", "wasm");
if (!original) throw new Error("wasm_matmul: the wasm backend has no BatchMatMul kernel");
const originalFunc = original.kernelFunc;

/** Swaps the last two axes of `x` with the backend's Transpose kernel. */
function transposeLast2(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!transpose) throw new Error("wasm_matmul: the wasm backend has no Transpose kernel");
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose.kernelFunc({
    inputs: { x },
    backend: backend as tf.KernelBackend,
    attrs: { perm } as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/** The replacement kernel function. */
const kernelFunc: tf.KernelFunc = (args) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
  if (!transposeA && !transposeB) return originalFunc(args);
  const backend = args.backend as unknown as WasmBackend;
  const temps: tf.TensorInfo[] = [];
  const plain = (x: tf.TensorInfo, t: boolean) => {
    if (!t) return x;
    const y = transposeLast2(x, backend);
    temps.push(y);
    return y;
  };
  try {
    return originalFunc({
      ...args,
      inputs: { a: plain(a, transposeA), b: plain(b, transposeB) },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
};

tf.unregisterKernel("BatchMatMul", "wasm");
tf.registerKernel({ ...original, kernelFunc });
