/**
 * The blades, grades and Cayley table of Cl(3,0) as plain data (no TensorFlow.js), so that
 * pool workers (src/kernels/pool) can load the kernel math without loading tfjs.
 * `algebra.ts` re-exports everything here.
 *
 * @module
 */

/** Blade names in coefficient order. */
export const BLADES = ["1", "e1", "e2", "e3", "e12", "e13", "e23", "e123"] as const;
/** Grade of each blade, in {@link BLADES} order. */
export const GRADES: readonly number[] = [0, 1, 1, 1, 2, 2, 2, 3];
/** Number of blades per grade: `[1, 3, 3, 1]`. */
export const GRADE_SIZES: readonly number[] = [1, 3, 3, 1];
/** First blade index of each grade: `[0, 1, 4, 7]`. */
export const GRADE_OFFSETS: readonly number[] = [0, 1, 4, 7];
/** Bitmask of each blade (bit 0 = e1, bit 1 = e2, bit 2 = e3), in {@link BLADES} order. */
const MASKS = [0, 1, 2, 4, 3, 5, 6, 7];
const INDEX_OF_MASK = MASKS.reduce<number[]>((acc, m, i) => {
  acc[m] = i;
  return acc;
}, []);

/** Sign from reordering the basis vectors of `a·b` into canonical order (Euclidean metric). */
function reorderSign(a: number, b: number): number {
  let swaps = 0;
  for (let s = a >> 1; s !== 0; s >>= 1) {
    let v = s & b;
    while (v) {
      swaps += v & 1;
      v >>= 1;
    }
  }
  return swaps % 2 === 0 ? 1 : -1;
}

/**
 * The product of two basis blades: `e_i e_k = sign · e_j`.
 *
 * @param i left blade index (0–7, {@link BLADES} order).
 * @param k right blade index.
 * @returns the blade index `j` and the sign (±1).
 */
export function bladeProduct(i: number, k: number): { j: number; sign: number } {
  const a = MASKS[i], b = MASKS[k];
  return { j: INDEX_OF_MASK[a ^ b], sign: reorderSign(a, b) };
}

/**
 * The Cayley table `T[i][j][k]` of Cl(3,0): `e_i e_k = Σ_j T[i][j][k] e_j`, entries 0 or ±1.
 * Exactly one `j` is non-zero for each `(i, k)`.
 */
export const CAYLEY: readonly (readonly (readonly number[])[])[] = (() => {
  const t = Array.from({ length: 8 }, () => Array.from({ length: 8 }, () => new Array(8).fill(0)));
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 8; k++) {
      const { j, sign } = bladeProduct(i, k);
      t[i][j][k] = sign;
    }
  }
  return t;
})();
