/**
 * Small building blocks of the non-equivariant baselines and the training heads:
 * dense layers, layer norm and a seeded parameter factory. Everything is plain
 * TensorFlow.js ops, so gradients come from autodiff.
 *
 * @module
 */
import { tf } from "../backend.ts";

let storeCounter = 0;

/** Creates trainable variables reproducibly from a seed and remembers them. */
export class ParamStore {
  /** Every variable created, in creation order. */
  readonly variables: tf.Variable[] = [];
  #seed: number;
  #count = 0;
  #prefix: string;

  /**
   * @param seed base seed; each parameter gets `seed + its index`.
   * @param prefix name prefix of the variables (unique per model instance).
   */
  constructor(seed = 0, prefix = "p") {
    this.#seed = seed;
    this.#prefix = `${prefix}${storeCounter++}`;
  }

  /** A variable drawn uniformly from [−limit, limit]. */
  uniform(shape: number[], limit: number): tf.Variable {
    const init = tf.randomUniform(shape, -limit, limit, "float32", this.#seed * 7919 + this.#count);
    return this.#keep(init);
  }

  /** A variable filled with `value`. */
  constant(shape: number[], value: number): tf.Variable {
    return this.#keep(tf.fill(shape, value));
  }

  /** A variable holding `values` (e.g. a fixed schedule made trainable). */
  fromValues(shape: number[], values: Float32Array): tf.Variable {
    return this.#keep(tf.tensor(values, shape, "float32"));
  }

  #keep(init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, true, `${this.#prefix}_${this.#count++}`);
    init.dispose();
    this.variables.push(v);
    return v;
  }

  /** Number of scalar parameters. */
  count(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
    this.variables.length = 0;
  }
}

/** A dense layer `y = x W + b` over the last axis (Glorot-uniform weights, zero bias). */
export class Dense {
  readonly w: tf.Variable; // [in, out]
  readonly b: tf.Variable | null; // [out]

  /**
   * @param p where the variables live.
   * @param inDim input width; `outDim` output width.
   * @param bias whether to add a bias (default true).
   * @param gain multiplies the Glorot limit (default 1).
   */
  constructor(
    p: ParamStore,
    readonly inDim: number,
    readonly outDim: number,
    bias = true,
    gain = 1,
  ) {
    this.w = p.uniform([inDim, outDim], gain * Math.sqrt(6 / (inDim + outDim)));
    this.b = bias ? p.constant([outDim], 0) : null;
  }

  /** `[..., in] → [..., out]`. */
  apply(x: tf.Tensor): tf.Tensor {
    const shape = x.shape;
    const flat = tf.reshape(x, [-1, this.inDim]); // [M, in]
    let y = tf.matMul(flat, this.w); // [M, out]
    if (this.b) y = tf.add(y, this.b);
    return tf.reshape(y, [...shape.slice(0, -1), this.outDim]);
  }
}

/** Layer normalisation over the last axis with a learned scale and shift. */
export class LayerNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  /** @param dim normalised width; `eps` default 1e-5. */
  constructor(p: ParamStore, dim: number, readonly eps = 1e-5) {
    this.gamma = p.constant([dim], 1);
    this.beta = p.constant([dim], 0);
  }

  /** `[..., dim] → [..., dim]`. */
  apply(x: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    const norm = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(norm, this.gamma), this.beta);
  }
}

/** The GELU activation (tanh approximation). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  const inner = tf.mul(c, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** A two-layer MLP `Dense → GELU → Dense`. */
export class Mlp {
  readonly l1: Dense;
  readonly l2: Dense;

  /** `inDim → hidden → outDim`. */
  constructor(p: ParamStore, inDim: number, hidden: number, outDim: number) {
    this.l1 = new Dense(p, inDim, hidden);
    this.l2 = new Dense(p, hidden, outDim);
  }

  /** `[..., in] → [..., out]`. */
  apply(x: tf.Tensor): tf.Tensor {
    return this.l2.apply(gelu(this.l1.apply(x)));
  }
}

/**
 * The baselines' per-token input: positions, extra vectors (flattened) and scalars
 * concatenated, `[B, N, 3 + 3m + S]`.
 */
export function concatInputs(inputs: { x: tf.Tensor; f: tf.Tensor; w?: tf.Tensor }): tf.Tensor {
  const [b, n] = inputs.x.shape;
  const parts: tf.Tensor[] = [inputs.x]; // [B, N, 3]
  if (inputs.w) parts.push(tf.reshape(inputs.w, [b, n, -1])); // [B, N, 3m]
  parts.push(inputs.f); // [B, N, S]
  return tf.concat(parts, -1);
}
