/**
 * The equivariant transformer's global context (design/model.md §4):
 *
 * - vector self-attention (the paper's Appendix B):
 *   `C_ij = q_i × k_j`, `S_ij = softmax_j(‖C_ij‖ / √N) · C_ij`, `u[i] = (1/N) Σ_j S_ij × v_j`;
 * - scalar scaled dot-product attention `softmax(q kᵀ / √D) v`.
 *
 * Three implementations ({@link ATTENTION_MODES}) compute the same function:
 *
 * - `materialized` (the paper's memory profile, our kernels `Se3VectorAttention` /
 *   `Se3ScalarAttention` on `cpu` and `wasm`, `kernels/attention_kernels.ts`): each call
 *   holds exactly two N×N tensors, the softmax weights `A_ij = softmax_j(‖C_ij‖/√N)`
 *   `[B, N, N]` of the vector attention and `P_ij = softmax_j(q_f,i·k_f,j/√D)` `[B, N, N]` of
 *   the scalar attention; both are the kernels' second outputs and, when gradients are
 *   recorded, are what the tape keeps for the backward pass (beside q, k, v and the outputs,
 *   all O(N)). The pairwise cross products `C_ij` and `S_ij × v_j` are computed inside the
 *   kernel per pair and never held: no `[B, N, N, 3]` tensor. On backends without the
 *   kernels it runs {@link vectorAttentionOps} (the paper's TensorFlow.js formulation, which
 *   also holds `C`, `‖C‖`, `S` and `S × v` as `[B, N, N(, 3)]` tensors).
 * - `gram` (N×N scalar matrices and matmuls through `(q × k) × v = k (q·v) − q (k·v)` and
 *   `‖q × k‖² = ‖q‖²‖k‖² − (q·k)²`, clamped; optionally in row blocks, O(N·block) memory):
 *   the logits by our fused kernel `Se3GramLogits` on `cpu`/`wasm` (TensorFlow.js ops
 *   elsewhere), the softmax and the weighted sums by TensorFlow.js ops.
 * - `flash` (our kernels, `cpu` and `wasm` only): query row blocks × key blocks of
 *   {@link FLASH_KEY_BLOCK} with an online softmax; holds no N×N tensor, only the row
 *   log-sum-exp `[B, N]` of each stream (the running maximum and sum folded into one
 *   number), and the backward pass recomputes the weights from q, k and it. O(N) memory in
 *   forward and backward. On wasm the scalar stream runs XNNPACK matmuls over query row
 *   blocks of {@link SCALAR_FLASH_ROW_BLOCK} instead (`[B, block, N]` scores transient inside
 *   each block, the same `[B, N]` held).
 *
 * Norms are `sqrt(s + ε)` with {@link ATTENTION_NORM_EPS}, so gradients are finite at 0.
 * Kernel gradients are first order (the gradient kernels have no gradient themselves).
 *
 * @module
 */
import { tf } from "../backend.ts";
import {
  type AttentionAttrs,
  SCALAR_ATTENTION_GRAD_KERNEL,
  SCALAR_ATTENTION_KERNEL,
  VECTOR_ATTENTION_GRAD_KERNEL,
  VECTOR_ATTENTION_KERNEL,
} from "../kernels/attention_kernels.ts";
import { ATTENTION_NORM_EPS, FLASH_KEY_BLOCK } from "../kernels/attention_math.ts";
import { GRAM_LOGITS_GRAD_KERNEL, GRAM_LOGITS_KERNEL } from "../kernels/gram_kernels.ts";
import "../kernels/register.ts";

export { ATTENTION_NORM_EPS, FLASH_KEY_BLOCK };
/** float32 machine epsilon (2⁻²³), for the clamp floor `8·ε·‖q‖²‖k‖²`. */
const FLOAT32_EPS = 2 ** -23;

/** Attention implementations. */
export const ATTENTION_MODES = ["materialized", "gram", "flash"] as const;
/** An attention implementation. */
export type AttentionMode = (typeof ATTENTION_MODES)[number];

/** Options of the blocked attention functions. */
export interface AttentionBlockOptions {
  /** Query rows per block; 0 (default) computes all rows at once. */
  block?: number;
}

/** Cross product along the last axis (size 3), with broadcasting. */
export function cross(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [a0, a1, a2] = tf.split(a, 3, -1);
    const [b0, b1, b2] = tf.split(b, 3, -1);
    return tf.concat([
      tf.sub(tf.mul(a1, b2), tf.mul(a2, b1)),
      tf.sub(tf.mul(a2, b0), tf.mul(a0, b2)),
      tf.sub(tf.mul(a0, b1), tf.mul(a1, b0)),
    ], -1);
  });
}

/**
 * Vector attention in TensorFlow.js ops as the paper builds it: `[B, N, N, 3]` tensors.
 * The fallback of `materialized` where the backend has no kernel, and the tests' reference.
 *
 * @param q `[B, N, 3]` queries; `k`, `v` the same shape.
 * @returns `u: [B, N, 3]`.
 */
export function vectorAttentionOps(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n] = q.shape;
    const c = cross(tf.reshape(q, [b, n, 1, 3]), tf.reshape(k, [b, 1, n, 3])); // [B, N, N, 3]
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(c), -1), ATTENTION_NORM_EPS)); // [B, N, N]
    const a = tf.softmax(tf.div(norm, Math.sqrt(n))); // over j
    const s = tf.mul(tf.expandDims(a, -1), c); // [B, N, N, 3]
    const u = tf.sum(cross(s, tf.reshape(v, [b, 1, n, 3])), 2); // [B, N, 3]
    return tf.div(u, n) as tf.Tensor3D;
  });
}

/** Runs `rows(begin, size)` over query row blocks and concatenates along the token axis. */
function overRowBlocks(
  n: number,
  block: number | undefined,
  rows: (begin: number, size: number) => tf.Tensor3D,
): tf.Tensor3D {
  const size = block && block > 0 ? Math.min(block, n) : n;
  if (size >= n) return rows(0, n);
  return tf.tidy(() => {
    const parts: tf.Tensor3D[] = [];
    for (let begin = 0; begin < n; begin += size) {
      parts.push(rows(begin, Math.min(size, n - begin)));
    }
    return tf.concat(parts, 1);
  });
}

/**
 * `[B, N, w] → [B, w, N]`. The matmuls here take transposed operands explicitly:
 * tfjs-wasm 4.22 runs `matMul` with a transpose flag as a naive loop (w = 3: 61 ms against
 * 4.8 ms with the transpose; w = 16: 181 against 11 ms; N = 2048, best of 5, loadavg 5.8).
 * `kernels/wasm_matmul.ts` now routes flagged matmuls through a transpose too, but for the
 * N×N operands of the scalar backward the explicit form measured faster still (`dSᵀ q`,
 * N = 4096: 402 against 636 ms, loadavg 7.3), and it keeps the N×N matrix on the left:
 * XNNPACK packs the right operand on every call.
 */
function transposeTokens(t: tf.Tensor): tf.Tensor3D {
  return tf.transpose(t, [0, 2, 1]) as tf.Tensor3D;
}

/** Rows `[begin, begin + size)` of `[B, N, w]`. */
function takeRows(t: tf.Tensor3D, begin: number, size: number): tf.Tensor3D {
  return begin === 0 && size === t.shape[1] ? t : tf.slice(t, [0, begin, 0], [-1, size, -1]);
}

/**
 * The vector attention's logits `ℓ_ij = ‖q_i × k_j‖_ε / √N` `[B, M, N]` through Gram terms,
 * `‖q × k‖² = ‖q‖²‖k‖² − (q·k)²` clamped at `8·ε₃₂·‖q‖²‖k‖²`, in TensorFlow.js ops: the
 * reference of the `Se3GramLogits` kernel and its fallback on other backends.
 *
 * @param qb `[B, M, 3]` a block of query rows; `k` `[B, N, 3]` every key.
 */
export function gramLogitsOps(qb: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n] = k.shape;
    const kk = tf.reshape(tf.sum(tf.square(k), -1), [b, 1, n]); // ‖k_j‖²
    const qk = tf.matMul(qb, transposeTokens(k)); // [B, M, N]
    const qq = tf.sum(tf.square(qb), -1, true); // [B, M, 1]
    const prod = tf.mul(qq, kk); // ‖q_i‖²‖k_j‖²
    const sq = tf.maximum(tf.sub(prod, tf.square(qk)), tf.mul(prod, 8 * FLOAT32_EPS));
    return tf.div(tf.sqrt(tf.add(sq, ATTENTION_NORM_EPS)), Math.sqrt(n)) as tf.Tensor3D;
  });
}

/** The `Se3GramLogits` kernel with its gradient kernel; the tape keeps `q` and `k` only. */
const gramLogitsKernelOp = tf.customGrad((q, k, save) => {
  (save as (tensors: tf.Tensor[]) => void)([q as tf.Tensor, k as tf.Tensor]);
  return {
    // Our kernels return an array of outputs, so runKernel does too.
    value:
      (tf.engine().runKernel(GRAM_LOGITS_KERNEL, { q, k } as tf.NamedTensorMap) as tf.Tensor[])[0],
    gradFunc: (dl, [sq, sk]) =>
      tf.engine().runKernel(GRAM_LOGITS_GRAD_KERNEL, {
        dl: dl as tf.Tensor,
        q: sq,
        k: sk,
      }) as tf.Tensor[],
  };
}) as unknown as (q: tf.Tensor3D, k: tf.Tensor3D) => tf.Tensor3D;

/**
 * {@link gramLogitsOps}'s function, by the fused `Se3GramLogits` kernel where the backend has
 * it (`cpu`, `wasm`: one pass over the pairs, on the kernels' thread pool).
 */
export function gramLogits(qb: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  return tf.getKernel(GRAM_LOGITS_KERNEL, tf.getBackend()) !== undefined
    ? gramLogitsKernelOp(qb, k)
    : gramLogitsOps(qb, k);
}

/**
 * Vector attention through Gram matrices (same function as
 * {@link vectorAttentionOps}, no `[B, N, N, 3]` tensor), optionally in row blocks: the
 * logits by {@link gramLogits}, then both sums of
 * `u_i = (1/N) [Σ_j a_ij (q_i·v_j) k_j − q_i Σ_j a_ij (k_j·v_j)]` by one matmul: with
 * `W_j = [k_j v_jᵀ (3×3, row-major), k_j·v_j]` `[B, N, 10]`, `(a W)_i` holds
 * `M_i = Σ_j a_ij k_j v_jᵀ` and `Σ_j a_ij (k_j·v_j)`, and `Σ_j a_ij (q_i·v_j) k_j = M_i q_i`.
 * (One `[N, N] × [N, 10]` product instead of `q vᵀ`, `a ∘ (q vᵀ)` and two products: on wasm
 * at N = 8,580 about 45 against 135 ms.)
 *
 * @param q `[B, N, 3]` queries; `k`, `v` the same shape.
 * @returns `u: [B, N, 3]`.
 */
export function vectorAttentionGram(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  opts: AttentionBlockOptions = {},
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n] = q.shape;
    const kvOuter = tf.reshape(tf.mul(tf.expandDims(k, 3), tf.expandDims(v, 2)), [b, n, 9]);
    const w = tf.concat([kvOuter, tf.sum(tf.mul(k, v), -1, true)], -1); // [B, N, 10]
    return overRowBlocks(n, opts.block, (begin, size) =>
      tf.tidy(() => {
        const qb = takeRows(q, begin, size); // [B, nb, 3]
        const a = tf.softmax(gramLogits(qb, k)); // [B, nb, N]
        const aw = tf.matMul(a, w); // [B, nb, 10]
        const [m, akv] = tf.split(aw, [9, 1], -1);
        const t1 = tf.sum(tf.mul(tf.reshape(m, [b, size, 3, 3]), tf.expandDims(qb, 2)), -1); // M_i q_i
        const t2 = tf.mul(qb, akv); // q_i Σ_j a_ij (k_j·v_j)
        return tf.div(tf.sub(t1, t2), n) as tf.Tensor3D;
      }));
  });
}

/**
 * Scaled dot-product attention `softmax(q kᵀ / √D) v` over the token axis in TensorFlow.js
 * ops (`gram`'s scalar stream, the fallback of `materialized` without kernels), optionally
 * in query row blocks.
 *
 * @param q `[B, N, D]`; `k`, `v` the same shape.
 * @returns `[B, N, D]`.
 */
export function scalarAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  opts: AttentionBlockOptions = {},
): tf.Tensor3D {
  return tf.tidy(() => {
    const [, n, d] = q.shape;
    const kScaledT = transposeTokens(tf.div(k, Math.sqrt(d))); // [B, D, N]
    return overRowBlocks(n, opts.block, (begin, size) =>
      tf.tidy(() => {
        const scores = tf.matMul(takeRows(q, begin, size), kScaledT); // [B, nb, N]
        return tf.matMul(tf.softmax(scores), v) as tf.Tensor3D;
      }));
  });
}

/** A kernel-backed attention op `(q, k, v) → y` with its gradient kernel. */
type KernelOp = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;

/** `[y, stats]` of a forward pass. */
type Forward = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor[];
/** `[dq, dk, dv]` from `dy` and the saved `[q, k, v, y, stats]`. */
type Backward = (dy: tf.Tensor3D, saved: tf.Tensor3D[]) => tf.Tensor[];

/** The forward and backward used instead of the kernels on the wasm backend. */
interface OnWasm {
  forward: Forward;
  backward: Backward;
}

/**
 * The op of forward kernel `forward` (outputs `y` and `stats`) with gradient kernel `grad`:
 * the tape keeps `q, k, v, y, stats` (stats: `[B, N, N]` weights, or `[B, N]` log-sum-exp).
 * `onWasm`, when given, computes the same on the wasm backend instead.
 */
function kernelOp(forward: string, grad: string, flash: boolean, onWasm?: OnWasm): KernelOp {
  const attrs = { flash } as AttentionAttrs as unknown as tf.NamedAttrMap;
  return tf.customGrad((q, k, v, save) => {
    const [y, stats] = onWasm && tf.getBackend() === "wasm"
      ? onWasm.forward(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D)
      : tf.engine().runKernel(forward, { q, k, v } as tf.NamedTensorMap, attrs) as tf.Tensor[];
    (save as (tensors: tf.Tensor[]) => void)([
      q as tf.Tensor,
      k as tf.Tensor,
      v as tf.Tensor,
      y,
      stats,
    ]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        if (onWasm && tf.getBackend() === "wasm") {
          return onWasm.backward(dy as tf.Tensor3D, saved as tf.Tensor3D[]);
        }
        const [sq, sk, sv, sy, ss] = saved;
        const inputs = { dy: dy as tf.Tensor, q: sq, k: sk, v: sv, y: sy, stats: ss };
        return tf.engine().runKernel(grad, inputs, attrs) as tf.Tensor[];
      },
    };
  }) as unknown as KernelOp;
}

/**
 * Scalar attention on wasm by XNNPACK matmuls (no transpose flags, see
 * {@link transposeTokens}) and tfjs's softmax: forward `[o, P]`, P the weights `[B, N, N]`
 * (the logits are freed before the op returns, so it holds the same N×N tensor as the
 * kernel); backward from P: `dS = P ∘ (do·vᵀ − rowsum(do ∘ o))`, `dq = dS k/√D`,
 * `dk = dSᵀ q/√D`, `dv = Pᵀ do`. On wasm this is faster than a JavaScript loop over D. The
 * N×N matrix is always the left operand: XNNPACK packs the right one on every call (a fresh
 * N×N right operand made `dk` 3× slower, measured).
 */
const scalarOnWasm: OnWasm = {
  forward: (q, k, v) => {
    const p = tf.softmax(tf.matMul(q, transposeTokens(tf.div(k, Math.sqrt(q.shape[2])))));
    return [tf.matMul(p, v), p];
  },
  backward: (dy, [q, k, v, y, p]) =>
    tf.tidy(() => { // frees dp, ds (N×N) at once, not at the end of the backward pass
      const alpha = 1 / Math.sqrt(q.shape[2]);
      const dp = tf.matMul(dy, transposeTokens(v)); // [B, N, N]
      const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dy, y), -1, true)));
      return [
        tf.mul(tf.matMul(ds, k), alpha),
        tf.mul(tf.matMul(transposeTokens(ds), q), alpha),
        tf.matMul(transposeTokens(p), dy),
      ];
    }),
};

/** Query rows per block of the scalar flash attention on wasm. */
export const SCALAR_FLASH_ROW_BLOCK = 256;

/**
 * Scalar flash attention on wasm by XNNPACK matmuls over query row blocks of
 * {@link SCALAR_FLASH_ROW_BLOCK}: each block's `[B, block, N]` scores live only inside the
 * block; the op keeps the row log-sum-exp `L [B, N]` (as the kernel does) and the backward
 * pass recomputes each block's weights `exp(q kᵀ/√D − L)`. Memory O(N·block) transient,
 * O(N) held.
 */
const scalarFlashOnWasm: OnWasm = {
  forward: (q, k, v) =>
    tf.tidy(() => {
      const [b, n, d] = q.shape;
      const kt = transposeTokens(tf.div(k, Math.sqrt(d)));
      const outs: tf.Tensor[] = [], lses: tf.Tensor[] = [];
      for (let r0 = 0; r0 < n; r0 += SCALAR_FLASH_ROW_BLOCK) {
        const [o, l] = tf.tidy(() => {
          const s = tf.matMul(takeRows(q, r0, Math.min(SCALAR_FLASH_ROW_BLOCK, n - r0)), kt);
          return [tf.matMul(tf.softmax(s), v), tf.logSumExp(s, -1)];
        });
        outs.push(o);
        lses.push(l);
      }
      return [tf.concat(outs, 1), tf.reshape(tf.concat(lses, 1), [b, n])];
    }),
  backward: (dy, [q, k, v, y, lse]) =>
    tf.tidy(() => {
      const [b, n, d] = q.shape;
      const alpha = 1 / Math.sqrt(d);
      const kt = transposeTokens(tf.mul(k, alpha)), vt = transposeTokens(v);
      const rowD = tf.sum(tf.mul(dy, y), -1, true); // [B, N, 1]
      const lse3 = tf.reshape(lse, [b, n, 1]);
      const dqs: tf.Tensor[] = [];
      let dk: tf.Tensor = tf.zeros(k.shape), dv: tf.Tensor = tf.zeros(v.shape);
      for (let r0 = 0; r0 < n; r0 += SCALAR_FLASH_ROW_BLOCK) {
        const size = Math.min(SCALAR_FLASH_ROW_BLOCK, n - r0);
        const rows = (t: tf.Tensor3D) => takeRows(t, r0, size);
        const [dq, dkNext, dvNext] = tf.tidy(() => {
          const qb = rows(q), dyb = rows(dy);
          const p = tf.exp(tf.sub(tf.matMul(qb, kt), rows(lse3 as tf.Tensor3D))); // [B, nb, N]
          const ds = tf.mul(p, tf.sub(tf.matMul(dyb, vt), rows(rowD as tf.Tensor3D)));
          return [
            tf.mul(tf.matMul(ds, k), alpha),
            tf.add(dk, tf.mul(tf.matMul(transposeTokens(ds), qb), alpha)),
            tf.add(dv, tf.matMul(transposeTokens(p), dyb)),
          ];
        });
        tf.dispose([dk, dv]);
        [dk, dv] = [dkNext, dvNext];
        dqs.push(dq);
      }
      return [tf.concat(dqs, 1), dk, dv];
    }),
};

const KERNEL_OPS = {
  vector: {
    materialized: kernelOp(VECTOR_ATTENTION_KERNEL, VECTOR_ATTENTION_GRAD_KERNEL, false),
    flash: kernelOp(VECTOR_ATTENTION_KERNEL, VECTOR_ATTENTION_GRAD_KERNEL, true),
  },
  scalar: {
    materialized: kernelOp(
      SCALAR_ATTENTION_KERNEL,
      SCALAR_ATTENTION_GRAD_KERNEL,
      false,
      scalarOnWasm,
    ),
    flash: kernelOp(SCALAR_ATTENTION_KERNEL, SCALAR_ATTENTION_GRAD_KERNEL, true, scalarFlashOnWasm),
  },
};

/** Whether the active backend has the attention kernels (`cpu`, `wasm`). */
export function hasAttentionKernels(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(VECTOR_ATTENTION_KERNEL, backend) !== undefined &&
    tf.getKernel(SCALAR_ATTENTION_KERNEL, backend) !== undefined;
}

/** @throws Error naming the backend when it has no attention kernels. */
function assertKernels(op: string): void {
  if (!hasAttentionKernels()) {
    throw new Error(
      `${op}: backend "${tf.getBackend()}" has no ${VECTOR_ATTENTION_KERNEL} kernel ` +
        `(cpu and wasm have one)`,
    );
  }
}

/**
 * Vector attention, materialized (the paper's memory profile): one `Se3VectorAttention`
 * kernel call that holds the softmax weights `A [B, N, N]` and no `[B, N, N, 3]` tensor;
 * {@link vectorAttentionOps} on backends without the kernel.
 *
 * @param q `[B, N, 3]` queries; `k`, `v` the same shape.
 * @returns `u: [B, N, 3]`.
 */
export function vectorAttentionMaterialized(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
): tf.Tensor3D {
  return hasAttentionKernels()
    ? KERNEL_OPS.vector.materialized(q, k, v)
    : vectorAttentionOps(q, k, v);
}

/**
 * Vector attention, flash: online softmax over key blocks, O(N) memory in forward and
 * backward (holds the row log-sum-exp `[B, N]` only). `cpu` and `wasm`.
 *
 * @param q `[B, N, 3]` queries; `k`, `v` the same shape.
 * @returns `u: [B, N, 3]`.
 * @throws Error naming the backend when it has no attention kernel.
 */
export function vectorAttentionFlash(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  assertKernels("vectorAttentionFlash");
  return KERNEL_OPS.vector.flash(q, k, v);
}

/**
 * Scalar attention `softmax(q kᵀ / √D) v` by our kernel: materialized (holds the weights
 * `P [B, N, N]`; {@link scalarAttention} on backends without the kernel) or flash (holds the
 * row log-sum-exp `[B, N]`; throws on backends without the kernel).
 *
 * @param q `[B, N, D]`; `k`, `v` the same shape.
 * @returns `[B, N, D]`.
 */
export function scalarAttentionKernel(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mode: "materialized" | "flash",
): tf.Tensor3D {
  if (mode === "flash") assertKernels("scalarAttentionKernel");
  else if (!hasAttentionKernels()) return scalarAttention(q, k, v);
  return KERNEL_OPS.scalar[mode](q, k, v);
}

/** Vector attention by `mode` (`block` applies to `gram` only). */
export function vectorAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mode: AttentionMode,
  opts: AttentionBlockOptions = {},
): tf.Tensor3D {
  return mode === "gram"
    ? vectorAttentionGram(q, k, v, opts)
    : mode === "flash"
    ? vectorAttentionFlash(q, k, v)
    : vectorAttentionMaterialized(q, k, v);
}

/** Scalar attention by `mode` (`block` applies to `gram` only). */
export function scalarAttentionByMode(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mode: AttentionMode,
  opts: AttentionBlockOptions = {},
): tf.Tensor3D {
  return mode === "gram" ? scalarAttention(q, k, v, opts) : scalarAttentionKernel(q, k, v, mode);
}
