/**
 * Shared test helpers for the Clifford layers: the equivariance check of a layer under a
 * random proper rotation acting on `[..., C, 8]` by the outermorphism.
 *
 * @module
 */
import { tf, useBackend } from "../backend.ts";
import { applyToLastAxis, mulberry32, randomRotation, relativeError } from "../models/rotation.ts";
import { outermorphism } from "./algebra.ts";
import type { CliffordLayer } from "./layer.ts";

/** A random multivector input `[...lead, C, 8]` with every grade populated. */
export function randomMultivectors(lead: number[], channels: number, seed: number): tf.Tensor {
  return tf.randomNormal([...lead, channels, 8], 0, 1, "float32", seed);
}

/**
 * `‖layer(ρ(R)x) − ρ(R)layer(x)‖ / ‖ρ(R)layer(x)‖` for a random proper rotation R.
 */
export function equivarianceError(layer: CliffordLayer, x: tf.Tensor, seed: number): number {
  const action = outermorphism(randomRotation(mulberry32(seed)));
  return tf.tidy(() => {
    const yRotated = layer.apply(applyToLastAxis(x, action));
    const rotatedY = applyToLastAxis(layer.apply(x), action);
    return relativeError(yRotated, rotatedY);
  });
}

/** The backends the unit tests run on. */
export const TEST_BACKENDS = ["cpu", "wasm"] as const;

/** Registers one Deno test per backend in {@link TEST_BACKENDS}, checking for tensor leaks. */
export function testOnBackends(name: string, fn: () => void | Promise<void>): void {
  for (const backend of TEST_BACKENDS) {
    Deno.test(`${name} [${backend}]`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      await fn();
      const after = tf.memory().numTensors;
      if (after !== before) throw new Error(`${name}: leaked ${after - before} tensors`);
    });
  }
}

/** Asserts that `fn` throws an Error whose message contains every string of `texts`. */
export function assertThrowsWith(fn: () => unknown, ...texts: string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof Error)) throw new Error(`expected an Error, got ${String(error)}`);
  for (const t of texts) {
    if (!error.message.includes(t)) {
      throw new Error(`expected a message containing "${t}", got "${error.message}"`);
    }
  }
}
