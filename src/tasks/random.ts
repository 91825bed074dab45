/**
 * A small seeded random number generator for the training tasks, so every data set is
 * reproducible from its seed on every machine (no `Math.random`).
 *
 * @module
 */

/**
 * The project's one seeded PRNG: Mulberry32, floats in [0, 1). {@link Rng} draws from it
 * after mixing its seed; tests and models use it directly (re-exported by
 * src/models/rotation.ts).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded source of random numbers ({@link mulberry32} of the mixed seed; Box–Muller normals). */
export class Rng {
  #next: () => number;
  #spare: number | null = null;

  /**
   * @param seed any integer; equal seeds give equal streams.
   * @throws Error naming the value when `seed` is not a finite number.
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed: expected a finite number, got ${seed}`);
    // Mix the seed so that nearby seeds give unrelated streams.
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    this.#next = mulberry32((s ^ (s >>> 16)) >>> 0);
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** A uniform number in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal number. */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An isotropic random unit vector in R^3. */
  unitVector(): [number, number, number] {
    for (;;) {
      const a = this.normal(), b = this.normal(), c = this.normal();
      const n = Math.hypot(a, b, c);
      if (n > 1e-12) return [a / n, b / n, c / n];
    }
  }

  /**
   * A uniformly random proper rotation (Haar measure on SO(3)), row-major 3×3,
   * from a random unit quaternion.
   */
  rotation(): number[] {
    let w = 0, x = 0, y = 0, z = 0, n = 0;
    while (n < 1e-12) {
      w = this.normal(), x = this.normal(), y = this.normal(), z = this.normal();
      n = Math.hypot(w, x, y, z);
    }
    w /= n, x /= n, y /= n, z /= n;
    return [
      1 - 2 * (y * y + z * z),
      2 * (x * y - z * w),
      2 * (x * z + y * w),
      2 * (x * y + z * w),
      1 - 2 * (x * x + z * z),
      2 * (y * z - x * w),
      2 * (x * z - y * w),
      2 * (y * z + x * w),
      1 - 2 * (x * x + y * y),
    ];
  }
}

/**
 * Rotates packed 3-vectors in place: `v ← R v` for every consecutive triple of `data`
 * starting at `offset` (`count` vectors).
 */
export function rotateInPlace(
  data: Float32Array | Float64Array,
  r: ArrayLike<number>,
  offset = 0,
  count = (data.length - offset) / 3,
): void {
  for (let i = 0; i < count; i++) {
    const o = offset + 3 * i;
    const a = data[o], b = data[o + 1], c = data[o + 2];
    data[o] = r[0] * a + r[1] * b + r[2] * c;
    data[o + 1] = r[3] * a + r[4] * b + r[5] * c;
    data[o + 2] = r[6] * a + r[7] * b + r[8] * c;
  }
}
