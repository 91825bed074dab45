/**
 * The attention kernels on `cpu` and `wasm` (design/model.md §4; math in `attention_math.ts`).
 * On `cpu` they read the inputs' arrays and wrap fresh outputs; on `wasm` they run on views of
 * the wasm heap (inputs read and outputs written in place).
 *
 * Kernel `Se3VectorAttention`: inputs `q, k, v` (float32 `[B, N, 3]`), attrs
 * {@link AttentionAttrs}; outputs `u [B, N, 3]` and `stats`: the softmax weights
 * `a_ij = softmax_j(‖q_i × k_j‖/√N)` `[B, N, N]` (materialized) or the row log-sum-exp
 * `[B, N]` (flash).
 *
 * Kernel `Se3VectorAttentionGrad`: inputs `du, q, k, v, u, stats`, attrs as the forward;
 * outputs `dq, dk, dv`.
 *
 * Kernels `Se3ScalarAttention` / `Se3ScalarAttentionGrad`: the same for
 * `o = softmax(q kᵀ/√D) v` on `[B, N, D]` (stats: `p [B, N, N]` or the log-sum-exp `[B, N]`).
 *
 * @module
 */
import { tf } from "../backend.ts";
import {
  type AttentionDims,
  scalarAttentionBackward,
  scalarAttentionForwardFlash,
  scalarAttentionForwardMaterialized,
  vectorAttentionBackward,
  vectorAttentionForwardFlash,
  vectorAttentionForwardMaterialized,
} from "./attention_math.ts";

/** Registered name of the vector attention forward kernel. */
export const VECTOR_ATTENTION_KERNEL = "Se3VectorAttention";
/** Registered name of the vector attention gradient kernel. */
export const VECTOR_ATTENTION_GRAD_KERNEL = "Se3VectorAttentionGrad";
/** Registered name of the scalar attention forward kernel. */
export const SCALAR_ATTENTION_KERNEL = "Se3ScalarAttention";
/** Registered name of the scalar attention gradient kernel. */
export const SCALAR_ATTENTION_GRAD_KERNEL = "Se3ScalarAttentionGrad";

/** Attributes of the attention kernels. */
export interface AttentionAttrs {
  /** Flash form (online softmax, stats = row log-sum-exp) instead of materialized. */
  flash: boolean;
  [key: string]: boolean;
}

/** The cpu backend's slice these kernels use. */
interface CpuBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** The wasm backend's slice these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

interface Spec {
  name: string;
  inputs: readonly string[];
  /** Output shapes for the dims and attrs. */
  outputs(dims: AttentionDims, flash: boolean): number[][];
  run(
    a: Record<string, Float32Array>,
    out: Float32Array[],
    dims: AttentionDims,
    flash: boolean,
  ): void;
}

/** Checks that every input is float32 `[B, N, W]` of one shape (stats apart); returns dims. */
function dimsOf(spec: Spec, inputs: tf.NamedTensorInfoMap, vector: boolean): AttentionDims {
  const q = inputs.q;
  if (!q || q.shape.length !== 3 || (vector && q.shape[2] !== 3)) {
    throw new Error(
      `${spec.name}: q must be [B, N, ${vector ? 3 : "D"}], got ${
        q ? `[${q.shape.join(",")}]` : "none"
      }`,
    );
  }
  for (const name of spec.inputs) {
    const t = inputs[name];
    if (!t) throw new Error(`${spec.name}: missing input ${name}`);
    if (t.dtype !== "float32") {
      throw new Error(`${spec.name}: ${name} must be float32, got ${t.dtype}`);
    }
    if (name !== "stats" && t.shape.some((s, i) => s !== q.shape[i])) {
      throw new Error(
        `${spec.name}: ${name} must have q's shape [${q.shape.join(",")}], got [${
          t.shape.join(",")
        }]`,
      );
    }
  }
  return { b: q.shape[0], n: q.shape[1], w: q.shape[2] };
}

function register(spec: Spec, vector: boolean): void {
  for (const backendName of ["cpu", "wasm"] as const) {
    tf.registerKernel({
      kernelName: spec.name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const dims = dimsOf(spec, inputs, vector);
        const flash = Boolean((attrs as unknown as AttentionAttrs).flash);
        const stats = inputs.stats, want = statsShape(dims, flash);
        if (
          stats && (stats.shape.length !== want.length || stats.shape.some((s, i) => s !== want[i]))
        ) {
          throw new Error(
            `${spec.name}: stats must be [${want.join(",")}] (flash ${flash}), got [${
              stats.shape.join(",")
            }]`,
          );
        }
        const shapes = spec.outputs(dims, flash);
        const arrays: Record<string, Float32Array> = {};
        if (backendName === "cpu") {
          const cpu = backend as unknown as CpuBackend;
          for (const name of spec.inputs) {
            arrays[name] = cpu.readSync(inputs[name]!.dataId) as Float32Array;
          }
          const outs = shapes.map((s) => new Float32Array(s.reduce((x, y) => x * y, 1)));
          spec.run(arrays, outs, dims, flash);
          return outs.map((o, i) => cpu.makeTensorInfo(shapes[i], "float32", o));
        }
        const wasm = backend as unknown as WasmBackend;
        const infos = shapes.map((s) => wasm.makeOutput(s, "float32"));
        // Views are taken after every makeOutput: allocating may grow (and detach) the heap.
        const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info) as Float32Array;
        for (const name of spec.inputs) arrays[name] = view(inputs[name]!);
        spec.run(arrays, infos.map(view), dims, flash);
        return infos;
      },
    });
  }
}

const statsShape = ({ b, n }: AttentionDims, flash: boolean) => flash ? [b, n] : [b, n, n];
const FORWARD_INPUTS = ["q", "k", "v"] as const;
const GRAD_INPUTS = ["dy", "q", "k", "v", "y", "stats"] as const;
const gradOutputs = ({ b, n, w }: AttentionDims) => [[b, n, w], [b, n, w], [b, n, w]];

register({
  name: VECTOR_ATTENTION_KERNEL,
  inputs: FORWARD_INPUTS,
  outputs: (dims, flash) => [[dims.b, dims.n, 3], statsShape(dims, flash)],
  run: ({ q, k, v }, [u, stats], { b, n }, flash) =>
    flash
      ? vectorAttentionForwardFlash(q, k, v, u, stats, b, n)
      : vectorAttentionForwardMaterialized(q, k, v, u, stats, b, n),
}, true);

register({
  name: VECTOR_ATTENTION_GRAD_KERNEL,
  inputs: GRAD_INPUTS,
  outputs: gradOutputs,
  run: ({ dy, q, k, v, y, stats }, [dq, dk, dv], { b, n }, flash) =>
    vectorAttentionBackward(dy, q, k, v, y, stats, flash, dq, dk, dv, b, n),
}, true);

register({
  name: SCALAR_ATTENTION_KERNEL,
  inputs: FORWARD_INPUTS,
  outputs: (dims, flash) => [[dims.b, dims.n, dims.w], statsShape(dims, flash)],
  run: ({ q, k, v }, [o, stats], dims, flash) =>
    flash
      ? scalarAttentionForwardFlash(q, k, v, o, stats, dims)
      : scalarAttentionForwardMaterialized(q, k, v, o, stats, dims),
}, false);

register({
  name: SCALAR_ATTENTION_GRAD_KERNEL,
  inputs: GRAD_INPUTS,
  outputs: gradOutputs,
  run: ({ dy, q, k, v, y, stats }, [dq, dk, dv], dims, flash) =>
    scalarAttentionBackward(dy, q, k, v, y, stats, flash, dq, dk, dv, dims),
}, false);
