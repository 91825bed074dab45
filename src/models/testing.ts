/**
 * Test helpers for the models: seeded random inputs and the SE(3) equivariance error of a
 * whole model.
 *
 * @module
 */
import { tf } from "../backend.ts";
import type { ApplyOptions, EquivariantModel, ModelInputs } from "./equivariant_model.ts";
import { mulberry32, randomRotation, relativeError, rotateVectors } from "./rotation.ts";

/** Seeded random inputs for `model` with B samples of N tokens. */
export function randomInputs(
  model: EquivariantModel,
  b: number,
  n: number,
  seed: number,
): ModelInputs {
  const { S, m } = model.config;
  return tf.tidy(() => ({
    x: tf.randomNormal([b, n, 3], 0, 1, "float32", seed) as tf.Tensor3D,
    f: tf.randomNormal([b, n, S], 0, 1, "float32", seed + 1) as tf.Tensor3D,
    w: m > 0 ? tf.randomNormal([b, n, m, 3], 0, 1, "float32", seed + 2) as tf.Tensor4D : undefined,
  }));
}

/** Disposes every tensor of `inputs`. */
export function disposeInputs(inputs: ModelInputs): void {
  tf.dispose([inputs.x, inputs.f, ...(inputs.w ? [inputs.w] : [])]);
}

/**
 * SE(3) equivariance errors of `model` on `inputs` under a random proper rotation and
 * translation: relative errors of the positions (`x̂ Rᵀ + t`) and of the invariant features.
 */
export function se3EquivarianceError(
  model: EquivariantModel,
  inputs: ModelInputs,
  seed: number,
  options: ApplyOptions = {},
): { x: number; f: number } {
  const random = mulberry32(seed);
  const r = randomRotation(random);
  const t = [0, 0, 0].map(() => 4 * (random() - 0.5));
  return tf.tidy(() => {
    const moved: ModelInputs = {
      x: tf.add(rotateVectors(inputs.x, r), tf.tensor1d(t)) as tf.Tensor3D,
      f: inputs.f,
      w: inputs.w ? rotateVectors(inputs.w, r) : undefined,
    };
    const out = model.apply(inputs, options);
    const outMoved = model.apply(moved, options);
    const want = tf.add(rotateVectors(out.x, r), tf.tensor1d(t));
    return { x: relativeError(outMoved.x, want), f: relativeError(outMoved.f, out.f) };
  });
}
