/**
 * The Clifford algebra Cl(3,0): blades, grades, the Cayley table, and the internal
 * grade-split tensor layout used by the Clifford layers (design/model.md §2).
 *
 * Public layer inputs and outputs use the spec's layout `[..., C, 8]` with the blades
 * `[1, e1, e2, e3, e12, e13, e23, e123]`. Internally every layer works on a
 * {@link Multivector}: eight tensors `[M, C]`, one per blade (M flattened tokens). With it,
 * channel mixing is one plain 2-D matmul per blade, the geometric product is 64 elementwise
 * products of `[M, C]` tensors, and no layer slices or gathers a large tensor (on wasm both
 * copy the whole input, and broadcasting over inner axes is slow). Measured on wasm
 * (M = 4096, C = 128), the product took 283 ms with a `[n_g, M, C]`-per-grade layout and
 * a permutation matmul, 225 ms token-major `[M, C, 8]`; see `geometric_product.ts`.
 *
 * @module
 */
import { tf } from "../backend.ts";

export { bladeProduct, BLADES, CAYLEY, GRADE_OFFSETS, GRADE_SIZES, GRADES } from "./blades.ts";
import { GRADE_OFFSETS, GRADE_SIZES } from "./blades.ts";

/**
 * A multivector feature in the blade-split layout: 8 tensors `[M, C]`, one per blade in
 * {@link BLADES} order (M flattened tokens, C channels).
 */
export type Multivector = tf.Tensor2D[];

/** Number of channels C of a {@link Multivector}. */
export function channelsOf(mv: Multivector): number {
  return mv[0].shape[1];
}

/** The blade indices of grade `g`. */
export function bladesOfGrade(g: number): number[] {
  return Array.from({ length: GRADE_SIZES[g] }, (_, n) => GRADE_OFFSETS[g] + n);
}

/**
 * Converts `[..., C, 8]` to the blade-split layout (M = product of the leading dims).
 * Used at the public layer boundary (tests, users); the models never call it.
 */
export function fromBlades(x: tf.Tensor): Multivector {
  if (x.rank < 2 || x.shape[x.rank - 1] !== 8) {
    throw new Error(`multivector: expected shape [..., C, 8], got [${x.shape.join(",")}]`);
  }
  return tf.tidy(() => {
    const c = x.shape[x.rank - 2];
    const m = x.size / (8 * c);
    return tf.unstack(tf.reshape(x, [m, c, 8]), 2) as Multivector;
  });
}

/** Converts the blade-split layout back to `[...lead, C, 8]`. */
export function toBlades(mv: Multivector, lead: number[]): tf.Tensor {
  return tf.tidy(() => tf.reshape(tf.stack(mv, 2), [...lead, channelsOf(mv), 8]));
}

/**
 * Embeds scalars (grade 0) and vectors (grade 1) as the channels of a multivector:
 * channels `[0, V)` hold the vectors, channels `[V, V + S)` the scalars; grades 2 and 3
 * are exactly zero.
 *
 * @param vectors `[M, V, 3]` (V may be 0).
 * @param scalars `[M, S]` (S may be 0).
 */
export function embed(vectors: tf.Tensor3D, scalars: tf.Tensor2D): Multivector {
  return tf.tidy(() => {
    const [m, v] = vectors.shape;
    const s = scalars.shape[1];
    const c = v + s;
    const pad = (left: tf.Tensor2D | null, right: tf.Tensor2D | null): tf.Tensor2D => {
      const parts = [left ?? tf.zeros([m, v]), right ?? tf.zeros([m, s])].filter((t) =>
        t.shape[1] > 0
      );
      return (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor2D;
    };
    const components = v > 0 ? (tf.unstack(vectors, 2) as tf.Tensor2D[]) : [null, null, null];
    const zero = tf.zeros([m, c]) as tf.Tensor2D;
    return [
      pad(null, scalars),
      ...components.map((comp) => pad(comp, null)),
      zero,
      zero,
      zero,
      zero,
    ];
  });
}

/** Grade-0 coefficients of channels `[from, from + count)`: `[M, count]`. */
export function readScalars(mv: Multivector, from: number, count: number): tf.Tensor2D {
  return tf.slice(mv[0], [0, from], [-1, count]);
}

/** Grade-1 parts of channels `[from, from + count)`: `[M, count, 3]`. */
export function readVectors(mv: Multivector, from: number, count: number): tf.Tensor3D {
  return tf.tidy(() =>
    tf.stack([1, 2, 3].map((b) => tf.slice(mv[b], [0, from], [-1, count])), 2) as tf.Tensor3D
  );
}

/**
 * The action of an orthogonal 3×3 matrix `R` on Cl(3,0) (the outermorphism, which is the
 * Clifford group's twisted-conjugation action): grade 0 fixed, grade 1 by `R`, grade 2 by
 * the 2×2 minors of `R`, grade 3 by `det R`. Returned as an 8×8 row-major matrix `A` with
 * `y_blade = Σ_b A[blade][b] x_b`.
 */
export function outermorphism(r: readonly (readonly number[])[]): number[][] {
  const a = Array.from({ length: 8 }, () => new Array(8).fill(0));
  a[0][0] = 1;
  for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) a[1 + p][1 + q] = r[p][q];
  const pairs = [[0, 1], [0, 2], [1, 2]]; // e12, e13, e23
  for (let o = 0; o < 3; o++) {
    const [c, d] = pairs[o];
    for (let n = 0; n < 3; n++) {
      const [p, q] = pairs[n];
      a[4 + o][4 + n] = r[c][p] * r[d][q] - r[c][q] * r[d][p];
    }
  }
  a[7][7] = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) -
    r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
    r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
  return a;
}
