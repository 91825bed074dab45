/**
 * The Gram-logits kernels on `cpu` and `wasm` (math in `gram_math.ts`): the element-wise
 * chain of the `gram` vector attention in one pass, instead of ten TensorFlow.js ops over
 * `[B, M, N]` (on wasm at N = 8,580 those took ~700 ms of a 2.2 s forward pass; `Maximum`
 * alone 280 ms).
 *
 * Kernel `Se3GramLogits`: inputs `q` (float32 `[B, M, 3]`, a block of query rows) and `k`
 * (`[B, N, 3]`); output `ℓ [B, M, N]`, `ℓ_ij = ‖q_i × k_j‖_ε / √N` by Gram terms, clamped.
 * With more than one thread and at least {@link GRAM_POOL_MIN_PAIRS} pairs, rows are split
 * over the kernels' pool (`pool/rows.ts`; bitwise equal to one thread).
 *
 * Kernel `Se3GramLogitsGrad`: inputs `dl` (`[B, M, N]`), `q`, `k`; outputs `dq`, `dk`.
 *
 * @module
 */
import type { tf } from "../backend.ts";
import { checkF32Input, registerF32Kernel } from "./f32_kernel.ts";
import { gramLogitsBackward, gramLogitsRange } from "./gram_math.ts";
import { runRows } from "./pool/rows.ts";

/** Registered name of the logits kernel. */
export const GRAM_LOGITS_KERNEL = "Se3GramLogits";
/** Registered name of its gradient kernel. */
export const GRAM_LOGITS_GRAD_KERNEL = "Se3GramLogitsGrad";
/** Below this many (query, key) pairs one thread computes the logits. */
export const GRAM_POOL_MIN_PAIRS = 1 << 16;
/**
 * Arena copies per row over the row's compute: one float out per pair against ~3 ns of
 * arithmetic and a square root.
 */
const LOGITS_COPY_COST = 0.15;

interface GramDims {
  b: number;
  m: number;
  n: number;
}

/** Checks q `[B, M, 3]`, k `[B, N, 3]` (and dl `[B, M, N]`); returns the sizes. */
function gramDims(kernel: string, inputs: tf.NamedTensorInfoMap, withGrad: boolean): GramDims {
  const q = inputs.q, k = inputs.k;
  if (!q || q.shape.length !== 3 || q.shape[2] !== 3) {
    throw new Error(`${kernel}: q must be [B, M, 3], got ${q ? `[${q.shape.join(",")}]` : "none"}`);
  }
  if (!k || k.shape.length !== 3) {
    throw new Error(`${kernel}: k must be [B, N, 3], got ${k ? `[${k.shape.join(",")}]` : "none"}`);
  }
  const [b, m] = q.shape, n = k.shape[1];
  checkF32Input(kernel, inputs, "q", [b, m, 3]);
  checkF32Input(kernel, inputs, "k", [b, n, 3]);
  if (withGrad) checkF32Input(kernel, inputs, "dl", [b, m, n]);
  return { b, m, n };
}

registerF32Kernel<GramDims>({
  name: GRAM_LOGITS_KERNEL,
  inputs: ["q", "k"],
  dims: (inputs) => gramDims(GRAM_LOGITS_KERNEL, inputs, false),
  outputs: ({ b, m, n }) => [[b, m, n]],
  run: ({ q, k }, [out], { b, m, n }) => {
    const range = (r0: number, r1: number) => gramLogitsRange(q, k, out, m, n, r0, r1);
    if (b * m * n < GRAM_POOL_MIN_PAIRS) return range(0, b * m);
    runRows({
      kind: "gramLogits",
      inputs: [q, k],
      outputs: [{ array: out, width: n }],
      rows: b * m,
      params: [m, n],
      copyCost: LOGITS_COPY_COST,
      range,
    });
  },
});

registerF32Kernel<GramDims>({
  name: GRAM_LOGITS_GRAD_KERNEL,
  inputs: ["dl", "q", "k"],
  dims: (inputs) => gramDims(GRAM_LOGITS_GRAD_KERNEL, inputs, true),
  outputs: ({ b, m, n }) => [[b, m, 3], [b, n, 3]],
  run: ({ dl, q, k }, [dq, dk], { b, m, n }) => gramLogitsBackward(dl, q, k, dq, dk, b, m, n),
});
