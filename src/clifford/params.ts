/**
 * Deterministic parameter creation: every variable of a model is drawn from a seed that
 * is the model's seed plus a running counter, so equal seeds give equal weights.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** Creates seeded trainable variables and remembers them (for `trainableVariables`). */
export class ParamFactory {
  #next: number;
  /** Every variable created so far, in creation order. */
  readonly variables: tf.Variable[] = [];

  /** @param seed base seed (integer); default 0. */
  constructor(seed = 0) {
    if (!Number.isInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
    this.#next = seed * 7919 + 1;
  }

  /** A variable drawn from `N(0, std²)`. */
  normal(shape: number[], std: number): tf.Variable {
    const seed = this.#next++;
    return this.#keep(tf.tidy(() => tf.randomNormal(shape, 0, std, "float32", seed)));
  }

  /** A variable filled with `value`. */
  constant(shape: number[], value: number): tf.Variable {
    this.#next++;
    return this.#keep(tf.fill(shape, value));
  }

  #keep(init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, true);
    init.dispose();
    this.variables.push(v);
    return v;
  }
}
