/**
 * Runs a per-token sub-network over token chunks, bounding the memory of its
 * intermediates (the Clifford MLPs' `[·, chunk, C]` multivectors) to one chunk at a time.
 *
 * @module
 */
import { tf } from "../backend.ts";

/**
 * Applies `fn` to row chunks of `inputs` (all `[M, …]` with the same M) and concatenates
 * the outputs along axis 0. With `chunk ≤ 0` or `chunk ≥ M`, `fn` runs once on everything.
 * Each chunk runs inside `tf.tidy`, so only its outputs survive it. Gradients flow through
 * (slices and concatenation are ordinary ops); chunking then saves no memory because the
 * tape keeps every chunk's intermediates — for that, see `checkpointed` in checkpoint.ts,
 * which runs this without a tape and recomputes chunk by chunk in the backward pass.
 *
 * On wasm a slice copies its whole input first, so the inputs are packed into one tensor
 * and sliced once per chunk.
 *
 * @param fn maps `[m, …]` inputs to `[m, …]` outputs (m = the chunk's rows).
 * @param inputs `[M, w_i]` 2-D tensors.
 * @param chunk rows per chunk; 0 = no chunking.
 */
export function perToken(
  fn: (inputs: tf.Tensor2D[]) => tf.Tensor2D[],
  inputs: tf.Tensor2D[],
  chunk: number,
): tf.Tensor2D[] {
  const m = inputs[0].shape[0];
  if (!(chunk > 0) || chunk >= m) return tf.tidy(() => fn(inputs));
  return tf.tidy(() => {
    const widths = inputs.map((t) => t.shape[1]);
    const packed = inputs.length === 1 ? inputs[0] : tf.concat(inputs, 1); // [M, Σw]
    const pieces: tf.Tensor2D[][] = [];
    for (let start = 0; start < m; start += chunk) {
      const size = Math.min(chunk, m - start);
      pieces.push(tf.tidy(() => {
        const rows = tf.slice(packed, [start, 0], [size, -1]);
        const parts = widths.length === 1 ? [rows] : tf.split(rows, widths, 1);
        return fn(parts as tf.Tensor2D[]);
      }));
    }
    return pieces[0].map((_, o) => tf.concat(pieces.map((p) => p[o]), 0));
  });
}
