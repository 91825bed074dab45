/**
 * Gradient checkpointing of a per-token sub-network: the forward pass keeps only the
 * sub-network's inputs; the backward pass recomputes its activations (optionally in token
 * chunks) and backpropagates through the recomputation.
 *
 * Without it the gradient tape holds every intermediate of every Clifford MLP
 * (`8 × [M, C]` multivectors per layer, C = 128): SE(3)-Hyena's backward pass at
 * N = 16,384 ran out of the wasm backend's 4 GiB heap. With it the tape holds the
 * sub-networks' inputs and outputs (`[M, w]`, w ≤ 3D + 3) and one chunk's recomputed
 * activations at a time.
 *
 * Mechanism: `tf.customGrad` runs its forward function with the tape off (kernel depth > 0),
 * so nothing inside is recorded; the model's variables are passed in as extra inputs so the
 * outer tape routes their gradients through the custom op. TensorFlow.js's `customGrad`
 * has a single output, so the sub-network's outputs are concatenated along axis 1 and split
 * outside. In the gradient function, each chunk is recomputed under a fresh tape
 * (`engine.gradients`) with the chunk of the upstream gradient as `dy`.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { perToken } from "./per_token.ts";

/** The engine internals used here: the nested tape must not replace the outer one. */
interface EngineInternals {
  state: { activeTape: unknown };
  gradients(
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor,
    allowNoGradients?: boolean,
  ): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

/** Packs `[M, w_i]` tensors into `[M, Σw]` (the tensor itself when there is one). */
function pack(ts: tf.Tensor2D[]): tf.Tensor2D {
  return ts.length === 1 ? ts[0] : tf.concat(ts, 1);
}

/** Splits `[M, Σw]` into `[M, w_i]` (the tensor itself when there is one width). */
function unpack(t: tf.Tensor2D, widths: number[]): tf.Tensor2D[] {
  return widths.length === 1 ? [t] : tf.split(t, widths, 1) as tf.Tensor2D[];
}

/** Row chunks `[start, size]` of M rows (one chunk when `chunk ≤ 0` or `chunk ≥ M`). */
function chunks(m: number, chunk: number): [number, number][] {
  const step = chunk > 0 ? Math.min(chunk, m) : m;
  const out: [number, number][] = [];
  for (let start = 0; start < m; start += step) out.push([start, Math.min(step, m - start)]);
  return out;
}

/**
 * Gradients of `Σ_o ⟨fn(xs)_o, dy_o⟩` with respect to `xs` and `variables`, recomputing
 * `fn` chunk by chunk. Returns the input gradients (`[M, w_i]` each) then the variables'
 * (zeros for a variable `fn` does not use).
 */
function recomputeGradients(
  fn: (inputs: tf.Tensor2D[]) => tf.Tensor2D[],
  xs: tf.Tensor2D[],
  variables: tf.Variable[],
  dy: tf.Tensor2D,
  chunk: number,
): tf.Tensor[] {
  const engine = tf.engine() as unknown as EngineInternals;
  const widths = xs.map((x) => x.shape[1]);
  const m = xs[0].shape[0];
  return tf.tidy(() => {
    const packed = pack(xs); // [M, Σw]
    const inputGrads: tf.Tensor2D[] = [];
    let varGrads: (tf.Tensor | null)[] = variables.map(() => null);
    for (const [start, size] of chunks(m, chunk)) {
      const [gIn, ...gVar] = tf.tidy(() => {
        const parts = size === m ? xs : unpack(tf.slice(packed, [start, 0], [size, -1]), widths);
        const dyRows = size === m ? dy : tf.slice(dy, [start, 0], [size, -1]);
        // `gradients` starts a fresh tape when none is recording (as in this backward pass)
        // and sets it to null when done: keep the outer pass's tape, which it still reads.
        const outer = engine.state.activeTape;
        let grads: (tf.Tensor | undefined)[];
        try {
          ({ grads } = engine.gradients(
            () => pack(fn(parts)),
            [...parts, ...variables],
            dyRows,
            true,
          ));
        } finally {
          engine.state.activeTape = outer;
        }
        const gParts = parts.map((p, i) => grads[i] ?? tf.zerosLike(p)) as tf.Tensor2D[];
        const gVars = variables.map((v, i) => {
          const g = grads[parts.length + i];
          const prev = varGrads[i];
          return prev === null ? (g ?? tf.zerosLike(v)) : g ? tf.add(prev, g) : tf.clone(prev);
        });
        return [pack(gParts), ...gVars];
      });
      tf.dispose(varGrads.filter((g): g is tf.Tensor => g !== null));
      varGrads = gVar;
      inputGrads.push(gIn as tf.Tensor2D);
    }
    const all = inputGrads.length === 1 ? inputGrads[0] : tf.concat(inputGrads, 0);
    return [...unpack(all, widths), ...(varGrads as tf.Tensor[])];
  });
}

/**
 * Runs the per-token sub-network `fn` on `inputs` (all `[M, w_i]`) in row chunks of `chunk`
 * (0 = all at once), with gradient checkpointing: under a gradient tape only `inputs` are
 * saved, and the backward pass recomputes `fn` chunk by chunk. `variables` must list every
 * trainable variable `fn` reads (their gradients flow through the recomputation; one left out
 * gets no gradient from this sub-network). Outputs equal `fn(inputs)`; gradients equal those
 * of the plain sub-network up to float32 rounding.
 *
 * @param fn maps `[m, …]` inputs to `[m, …]` outputs, row by row (no mixing of rows).
 * @param inputs `[M, w_i]` 2-D tensors.
 * @param variables the variables `fn` uses.
 * @param chunk rows per chunk in forward and backward; 0 = no chunking.
 */
export function checkpointed(
  fn: (inputs: tf.Tensor2D[]) => tf.Tensor2D[],
  inputs: tf.Tensor2D[],
  variables: tf.Variable[],
  chunk: number,
): tf.Tensor2D[] {
  const k = inputs.length;
  let widths: number[] = [];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xs = args.slice(0, k) as tf.Tensor2D[];
    save(xs);
    const outs = perToken(fn, xs, chunk); // the tape is off in here
    widths = outs.map((o) => o.shape[1]);
    return {
      value: pack(outs),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        recomputeGradients(fn, saved as tf.Tensor2D[], variables, dy as tf.Tensor2D, chunk),
    };
  });
  return tf.tidy(() => unpack(op(...inputs, ...variables) as tf.Tensor2D, widths));
}
