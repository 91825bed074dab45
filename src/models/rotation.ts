/**
 * Rotations and comparison helpers for equivariance tests and checks.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** A 3×3 matrix, row-major. */
export type Matrix3 = [
  [number, number, number],
  [number, number, number],
  [number, number, number],
];

/** The project's one seeded PRNG (src/tasks/random.ts), here for the models' tests. */
export { mulberry32 } from "../tasks/random.ts";

/** A uniformly random proper rotation (det = +1) from a random unit quaternion. */
export function randomRotation(random: () => number): Matrix3 {
  const g = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let [w, x, y, z] = [g(), g(), g(), g()];
  const n = Math.hypot(w, x, y, z);
  [w, x, y, z] = [w / n, x / n, y / n, z / n];
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/** Applies `R` to the last axis (size 3) of `v`: `v Rᵀ` (each vector becomes `R v`). */
export function rotateVectors<T extends tf.Tensor>(v: T, r: Matrix3): T {
  return tf.tidy(() => {
    const shape = v.shape;
    const flat = tf.reshape(v, [-1, 3]);
    return tf.reshape(tf.matMul(flat, tf.tensor2d(r), false, true), shape) as T;
  });
}

/** Applies a linear map `A` (`k × k`, row-major) to the last axis: each row `x` becomes `A x`. */
export function applyToLastAxis<T extends tf.Tensor>(v: T, a: number[][]): T {
  return tf.tidy(() => {
    const k = a.length;
    return tf.reshape(tf.matMul(tf.reshape(v, [-1, k]), tf.tensor2d(a), false, true), v.shape) as T;
  });
}

/** `‖a − b‖ / ‖b‖` (Frobenius norms), as a number. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const diff = tf.norm(tf.sub(a, b)).dataSync()[0];
    const ref = tf.norm(b).dataSync()[0];
    return diff / Math.max(ref, 1e-30);
  });
}
