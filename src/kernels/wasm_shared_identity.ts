/**
 * `Identity` and same-dtype `Cast` on the `wasm` backend without a copy: the output shares
 * the input's buffer (reference-counted, exactly as the `cpu` backend does for both and as
 * the wasm backend itself does for `Reshape`). TensorFlow.js tensors are immutable, and no
 * kernel writes into its inputs, so sharing is safe.
 *
 * Why: every tensor the gradient tape saves is `clone`d (an `Identity` kernel call), and
 * gradients of `clone` are `Cast`s; tfjs-backend-wasm 4.22 copies in both, so a tensor
 * saved by several ops (a layer input feeds 16 matmuls of a geometric product) is held once
 * per op. Measured (SE(3)-Hyena, nbody preset, N = 4096, one backward pass on wasm, fused
 * Clifford kernels): wasm heap 429 → 298 MiB. `tf.memory()` / `tf.profile` count bytes per
 * tensor, not per buffer, so they do not show this saving; the wasm heap does.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** The wasm backend's slice these kernels use. */
interface WasmBackend {
  incRef(dataId: unknown): void;
}

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Replaces the wasm backend's `kernelName` kernel (keeping `fallback` for other cases). */
function replace(kernelName: string, kernelFunc: (original: tf.KernelFunc) => tf.KernelFunc) {
  const original = tf.getKernel(kernelName, "wasm");
  if (!original) {
    throw new Error(`wasm_shared_identity: the wasm backend has no ${kernelName} kernel`);
  }
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...original, kernelFunc: kernelFunc(original.kernelFunc) });
}

replace("Identity", (original) => (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  return x.dtype === "string" ? original(args) : share(x, args.backend);
});
replace("Cast", (original) => (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
  return dtype === x.dtype && dtype !== "string" ? share(x, args.backend) : original(args);
});
