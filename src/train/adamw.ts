/**
 * Adam with decoupled weight decay (Loshchilov & Hutter, "AdamW") and a cosine
 * learning-rate schedule. Written here rather than `tf.train.adam` because that one has
 * no decoupled weight decay and a fixed learning rate.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay λ: `p ← p − lr·λ·p` each step. Default 0. */
  weightDecay?: number;
}

/** A non-trainable variable of zeros shaped like `v` (the initial tensor is freed). */
function zeroVariable(v: tf.Variable): tf.Variable {
  const z = tf.zerosLike(v);
  const out = tf.variable(z, false);
  z.dispose();
  return out;
}

/** Adam with decoupled weight decay over a fixed list of variables. */
export class AdamW {
  readonly #vars: tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  readonly #b1: number;
  readonly #b2: number;
  readonly #eps: number;
  readonly #wd: number;
  #t = 0;

  /** @param variables the parameters to update (order fixed). */
  constructor(variables: tf.Variable[], opts: AdamWOptions = {}) {
    this.#vars = variables;
    this.#m = variables.map(zeroVariable);
    this.#v = variables.map(zeroVariable);
    this.#b1 = opts.beta1 ?? 0.9;
    this.#b2 = opts.beta2 ?? 0.999;
    this.#eps = opts.epsilon ?? 1e-8;
    this.#wd = opts.weightDecay ?? 0;
  }

  /** Steps taken so far. */
  get step(): number {
    return this.#t;
  }

  /**
   * One update with learning rate `lr`; `grads[i]` is the gradient of variable i
   * (null: no gradient, the variable is left alone). Does not dispose `grads`.
   */
  apply(grads: (tf.Tensor | null)[], lr: number): void {
    this.#t++;
    const c1 = 1 - Math.pow(this.#b1, this.#t);
    const c2 = 1 - Math.pow(this.#b2, this.#t);
    tf.tidy(() => {
      for (let i = 0; i < this.#vars.length; i++) {
        const g = grads[i];
        if (!g) continue;
        const m = tf.add(tf.mul(this.#b1, this.#m[i]), tf.mul(1 - this.#b1, g));
        const v = tf.add(tf.mul(this.#b2, this.#v[i]), tf.mul(1 - this.#b2, tf.square(g)));
        this.#m[i].assign(m);
        this.#v[i].assign(v);
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.#eps));
        const p = this.#vars[i];
        const decayed = this.#wd > 0 ? tf.mul(p, 1 - lr * this.#wd) : p;
        p.assign(tf.sub(decayed, tf.mul(lr, update)));
      }
    });
  }

  /** Frees the moment estimates. */
  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
  }
}

/**
 * Cosine learning-rate schedule: linear warm-up over `warmup` steps, then
 * `lr · (minFactor + (1 − minFactor)·½(1 + cos(π·progress)))` down to `lr·minFactor` at `total`.
 */
export function cosineLr(
  step: number,
  total: number,
  lr: number,
  warmup = 0,
  minFactor = 0,
): number {
  if (warmup > 0 && step < warmup) return (lr * (step + 1)) / warmup;
  const span = Math.max(1, total - warmup);
  const progress = Math.min(1, Math.max(0, (step - warmup) / span));
  return lr * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
