/**
 * The attention kernels on `cpu` and `wasm` (design/model.md §4; math in `attention_math.ts`).
 * Registered through `f32_kernel.ts` (on `wasm`: inputs read and outputs written in place).
 * The forward kernels split their query rows over the kernels' pool (`pool/rows.ts`, from
 * {@link ATTENTION_POOL_MIN_PAIRS} pairs; bitwise equal to one thread); the gradients split
 * theirs into chunks fixed by the shape, each with its own float64 partial sums of the key
 * gradients, added in chunk order (`runChunks`: bitwise equal for any thread count).
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
import type { tf } from "../backend.ts";
import { registerF32Kernel } from "./f32_kernel.ts";
import {
  type AttentionDims,
  scalarBackwardRows,
  scalarFlashRows,
  scalarMaterializedRows,
  splitKeySums,
  vectorBackwardRows,
  vectorFlashRows,
  vectorMaterializedRows,
} from "./attention_math.ts";
import { runChunks, runRows } from "./pool/rows.ts";

/** Below this many (query, key) pairs one thread computes a forward or gradient call. */
export const ATTENTION_POOL_MIN_PAIRS = 1 << 16;
/**
 * Arena copies per row of a materialized forward over its compute: N weights out against
 * N pairs' square root (or D-wide dot product), exponential and sums.
 */
const MATERIALIZED_COPY_COST = 0.05;

/**
 * Row chunks of a gradient from {@link ATTENTION_POOL_MIN_PAIRS} pairs: up to 16 (a function
 * of the shape only, never of the thread count), fewer where 16 float64 partials of the key
 * gradients (`length` each) would pass 256 MiB.
 */
function gradChunks(length: number): number {
  return Math.max(1, Math.min(16, Math.floor(2 ** 28 / (8 * length))));
}

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

/** Sizes and form of one attention kernel call. */
interface CallDims extends AttentionDims {
  flash: boolean;
}

interface Spec {
  name: string;
  inputs: readonly string[];
  /** Output shapes for the dims and form. */
  outputs(dims: CallDims): number[][];
  run(a: Record<string, Float32Array>, out: Float32Array[], dims: CallDims): void;
}

/**
 * Checks that every input is float32 `[B, N, W]` of one shape and that `stats` (if an input)
 * has the form's shape; returns dims and form.
 */
function dimsOf(
  spec: Spec,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  vector: boolean,
): CallDims {
  const q = inputs.q;
  if (!q || q.shape.length !== 3 || (vector && q.shape[2] !== 3)) {
    throw new Error(
      `${spec.name}: q must be [B, N, ${vector ? 3 : "D"}], got ${
        q ? `[${q.shape.join(",")}]` : "none"
      }`,
    );
  }
  const dims = {
    b: q.shape[0],
    n: q.shape[1],
    w: q.shape[2],
    flash: Boolean((attrs as unknown as AttentionAttrs).flash),
  };
  for (const name of spec.inputs) {
    const t = inputs[name];
    if (!t) throw new Error(`${spec.name}: missing input ${name}`);
    if (t.dtype !== "float32") {
      throw new Error(`${spec.name}: ${name} must be float32, got ${t.dtype}`);
    }
    const want = name === "stats" ? statsShape(dims) : q.shape;
    if (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
      throw new Error(
        name === "stats"
          ? `${spec.name}: stats must be [${want.join(",")}] (flash ${dims.flash}), got [${
            t.shape.join(",")
          }]`
          : `${spec.name}: ${name} must have q's shape [${want.join(",")}], got [${
            t.shape.join(",")
          }]`,
      );
    }
  }
  return dims;
}

function register(spec: Spec, vector: boolean): void {
  registerF32Kernel<CallDims>({
    ...spec,
    dims: (inputs, attrs) => dimsOf(spec, inputs, attrs, vector),
  });
}

const statsShape = ({ b, n, flash }: CallDims) => flash ? [b, n] : [b, n, n];
const FORWARD_INPUTS = ["q", "k", "v"] as const;
const GRAD_INPUTS = ["dy", "q", "k", "v", "y", "stats"] as const;
const gradOutputs = ({ b, n, w }: AttentionDims) => [[b, n, w], [b, n, w], [b, n, w]];

/**
 * A forward call: rows `[r0, r1)` by `range`; from {@link ATTENTION_POOL_MIN_PAIRS} pairs on the
 * kernels' pool (job `kind`, params `[…kernel's, flash]`), below on this thread.
 */
function forwardRows(
  kind: string,
  inputs: Float32Array[],
  [y, stats]: Float32Array[],
  { b, n, w, flash }: CallDims,
  params: number[],
  range: (r0: number, r1: number) => void,
): void {
  if (b * n * n < ATTENTION_POOL_MIN_PAIRS) return range(0, b * n);
  runRows({
    kind,
    inputs,
    outputs: [{ array: y, width: w }, { array: stats, width: flash ? 1 : n }],
    rows: b * n,
    params: [...params, flash ? 1 : 0],
    copyCost: flash ? 0 : MATERIALIZED_COPY_COST,
    range,
  });
}

/**
 * A gradient call: `dq` rows and key sums by `chunk`, in {@link gradChunks} chunks on the
 * kernels' pool (job `kind`, params `[…kernel's, flash]`) from {@link ATTENTION_POOL_MIN_PAIRS}
 * pairs, in one chunk on this thread below; then `dk`, `dv` from the sums.
 */
function gradientChunks(
  kind: string,
  inputs: Float32Array[],
  [dq, dk, dv]: Float32Array[],
  { b, n, w, flash }: CallDims,
  params: number[],
  chunk: (r0: number, r1: number, part: Float64Array) => void,
): void {
  const length = 2 * b * n * w;
  const small = b * n * n < ATTENTION_POOL_MIN_PAIRS;
  const keys = small ? new Float64Array(length) : runChunks({
    kind,
    inputs,
    rowOutputs: [dq],
    rows: b * n,
    chunks: gradChunks(length),
    partialLength: length,
    params: [...params, flash ? 1 : 0],
    chunk,
  });
  if (small) chunk(0, b * n, keys);
  splitKeySums(keys, dk, dv);
}

register({
  name: VECTOR_ATTENTION_KERNEL,
  inputs: FORWARD_INPUTS,
  outputs: (dims) => [[dims.b, dims.n, 3], statsShape(dims)],
  run: ({ q, k, v }, [u, stats], dims) => {
    const rows = dims.flash ? vectorFlashRows : vectorMaterializedRows;
    forwardRows(
      "vectorAttention",
      [q, k, v],
      [u, stats],
      dims,
      [dims.n],
      (r0, r1) => rows(q, k, v, u, stats, dims.n, r0, r1),
    );
  },
}, true);

register({
  name: VECTOR_ATTENTION_GRAD_KERNEL,
  inputs: GRAD_INPUTS,
  outputs: gradOutputs,
  run: ({ dy, q, k, v, y, stats }, grads, dims) =>
    gradientChunks(
      "vectorAttentionGrad",
      [dy, q, k, v, y, stats],
      grads,
      dims,
      [dims.n],
      (r0, r1, part) =>
        vectorBackwardRows(dy, q, k, v, y, stats, dims.flash, grads[0], part, dims.n, r0, r1),
    ),
}, true);

register({
  name: SCALAR_ATTENTION_KERNEL,
  inputs: FORWARD_INPUTS,
  outputs: (dims) => [[dims.b, dims.n, dims.w], statsShape(dims)],
  run: ({ q, k, v }, [o, stats], dims) => {
    const rows = dims.flash ? scalarFlashRows : scalarMaterializedRows;
    forwardRows(
      "scalarAttention",
      [q, k, v],
      [o, stats],
      dims,
      [dims.b, dims.n, dims.w],
      (r0, r1) => rows(q, k, v, o, stats, dims, r0, r1),
    );
  },
}, false);

register({
  name: SCALAR_ATTENTION_GRAD_KERNEL,
  inputs: GRAD_INPUTS,
  outputs: gradOutputs,
  run: ({ dy, q, k, v, y, stats }, grads, dims) =>
    gradientChunks(
      "scalarAttentionGrad",
      [dy, q, k, v, y, stats],
      grads,
      dims,
      [dims.b, dims.n, dims.w],
      (r0, r1, part) =>
        scalarBackwardRows(dy, q, k, v, y, stats, dims.flash, grads[0], part, dims, r0, r1),
    ),
}, false);
