/**
 * A power-of-two complex FFT for convolutions: the forward transform leaves the spectrum
 * in bit-reversed order and the inverse takes it back from there, so no bit-reversal
 * permutation is ever done (pointwise products do not care about order).
 *
 * - radix-2² decimation in frequency (forward) and its exact transpose, decimation in
 *   time (inverse): radix-4 arithmetic with radix-2 output order; one radix-2 stage
 *   when log2 M is odd;
 * - depth-first: a block larger than {@link LEAF} does one stage and recurses into its
 *   four quarters, so only the top stages stream through memory and the rest run in
 *   cache (fft.js, breadth-first, slows down ~2.5× per element at 2^20 from cache misses);
 * - per-stage contiguous twiddle tables, computed once per size with Math.cos/sin.
 *
 * Data are interleaved complex float64 arrays `[re0, im0, re1, im1, …]` of length 2M,
 * transformed in place.
 *
 * @module
 */

/** Blocks of at most this many complex points run their stages breadth-first (64 KiB). */
export const LEAF = 4096;

/** The bit reversal of `p` over `bits` bits. */
export function bitReverse(p: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) {
    r = (r << 1) | (p & 1);
    p >>>= 1;
  }
  return r;
}

/**
 * Where the conjugate partner of a bit-reversed position lies: position p holds
 * frequency f = bitReverse(p), and frequency (−f) mod M is at `bitReversedPartner(p)`.
 * Positions 0 and 1 pair with themselves; for p in [2^j, 2^(j+1)), j ≥ 1, the partner is
 * 3·2^j − 1 − p (the block mirrored), so a pass over conjugate pairs is sequential.
 */
export function bitReversedPartner(p: number): number {
  if (p < 2) return p;
  const top = 1 << (31 - Math.clz32(p));
  return 3 * top - 1 - p;
}

/** An in-place complex FFT of one power-of-two size M ≥ 1, in bit-reversed order. */
export class BitReversedFft {
  /** The size M (complex points). */
  readonly size: number;
  /** Twiddles per stage length L ≥ 4: `[w1r, w1i, w2r, w2i, w3r, w3i]` per j < L/4, w = e^(−2πi·j/L). */
  readonly #twiddles = new Map<number, Float64Array>();

  /**
   * @param size a power of two ≥ 1.
   * @throws RangeError naming the value otherwise.
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0 || size > 2 ** 28) {
      throw new RangeError(`size: expected a power of two in [1, 2^28], got ${size}`);
    }
    this.size = size;
    for (let len = size; len >= 4; len >>= 2) {
      const q = len >> 2;
      const t = new Float64Array(6 * q);
      for (let j = 0; j < q; j++) {
        for (let e = 1; e <= 3; e++) {
          const a = (-2 * Math.PI * e * j) / len;
          t[6 * j + 2 * e - 2] = Math.cos(a);
          t[6 * j + 2 * e - 1] = Math.sin(a);
        }
      }
      this.#twiddles.set(len, t);
    }
  }

  /**
   * Forward DFT in place: natural order in, `X[bitReverse(p)]` at position p out
   * (`X[f] = Σ_t x[t]·e^(−2πi·f·t/M)`).
   */
  forward(data: Float64Array): void {
    this.#check(data);
    this.#forwardBlock(data, 0, this.size);
  }

  /**
   * Unnormalised inverse DFT in place: bit-reversed order in, natural order out,
   * `M · x[t] = Σ_f X[f]·e^(+2πi·f·t/M)` (divide by M yourself). Exact inverse of
   * {@link forward} up to the factor M.
   */
  inverse(data: Float64Array): void {
    this.#check(data);
    this.#inverseBlock(data, 0, this.size);
  }

  #check(data: Float64Array): void {
    if (data.length !== 2 * this.size) {
      throw new RangeError(
        `data: expected ${
          2 * this.size
        } float64 values (M = ${this.size} complex), got ${data.length}`,
      );
    }
  }

  #forwardBlock(data: Float64Array, off: number, len: number): void {
    if (len <= LEAF) {
      let l = len;
      for (; l >= 4; l >>= 2) {
        for (let b = off; b < off + len; b += l) this.#forwardStage(data, b, l);
      }
      if (l === 2) radix2(data, off, len);
      return;
    }
    this.#forwardStage(data, off, len);
    const q = len >> 2;
    for (let s = 0; s < 4; s++) this.#forwardBlock(data, off + s * q, q);
  }

  #inverseBlock(data: Float64Array, off: number, len: number): void {
    if (len <= LEAF) {
      let l = 31 - Math.clz32(len); // log2
      if (l & 1) radix2(data, off, len);
      for (l = l & 1 ? 8 : 4; l <= len; l <<= 2) {
        for (let b = off; b < off + len; b += l) this.#inverseStage(data, b, l);
      }
      return;
    }
    const q = len >> 2;
    for (let s = 0; s < 4; s++) this.#inverseBlock(data, off + s * q, q);
    this.#inverseStage(data, off, len);
  }

  /** One radix-2² DIF stage on the block [off, off + len): outputs in radix-2 order. */
  #forwardStage(d: Float64Array, off: number, len: number): void {
    const q = len >> 2;
    const tw = this.#twiddles.get(len)!;
    for (let j = 0; j < q; j++) {
      const p0 = 2 * (off + j), p1 = p0 + 2 * q, p2 = p1 + 2 * q, p3 = p2 + 2 * q;
      const a0r = d[p0], a0i = d[p0 + 1], a1r = d[p1], a1i = d[p1 + 1];
      const a2r = d[p2], a2i = d[p2 + 1], a3r = d[p3], a3i = d[p3 + 1];
      const s0r = a0r + a2r, s0i = a0i + a2i, d0r = a0r - a2r, d0i = a0i - a2i;
      const s1r = a1r + a3r, s1i = a1i + a3i;
      // d1 = (a1 − a3)·(−i)
      const d1r = a1i - a3i, d1i = a3r - a1r;
      const t = 6 * j;
      const w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3];
      const w3r = tw[t + 4], w3i = tw[t + 5];
      d[p0] = s0r + s1r;
      d[p0 + 1] = s0i + s1i;
      const er = s0r - s1r, ei = s0i - s1i;
      d[p1] = er * w2r - ei * w2i;
      d[p1 + 1] = er * w2i + ei * w2r;
      const fr = d0r + d1r, fi = d0i + d1i;
      d[p2] = fr * w1r - fi * w1i;
      d[p2 + 1] = fr * w1i + fi * w1r;
      const gr = d0r - d1r, gi = d0i - d1i;
      d[p3] = gr * w3r - gi * w3i;
      d[p3 + 1] = gr * w3i + gi * w3r;
    }
  }

  /** The transpose of {@link #forwardStage} with conjugate twiddles (×4, unnormalised). */
  #inverseStage(d: Float64Array, off: number, len: number): void {
    const q = len >> 2;
    const tw = this.#twiddles.get(len)!;
    for (let j = 0; j < q; j++) {
      const p0 = 2 * (off + j), p1 = p0 + 2 * q, p2 = p1 + 2 * q, p3 = p2 + 2 * q;
      const t = 6 * j;
      const w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3];
      const w3r = tw[t + 4], w3i = tw[t + 5];
      const o0r = d[p0], o0i = d[p0 + 1];
      const o1r = d[p1], o1i = d[p1 + 1], o2r = d[p2], o2i = d[p2 + 1];
      const o3r = d[p3], o3i = d[p3 + 1];
      // b = o · conj(w)
      const b1r = o1r * w2r + o1i * w2i, b1i = o1i * w2r - o1r * w2i;
      const b2r = o2r * w1r + o2i * w1i, b2i = o2i * w1r - o2r * w1i;
      const b3r = o3r * w3r + o3i * w3i, b3i = o3i * w3r - o3r * w3i;
      const s0r = o0r + b1r, s0i = o0i + b1i, s1r = o0r - b1r, s1i = o0i - b1i;
      const d0r = b2r + b3r, d0i = b2i + b3i;
      // i·(b2 − b3)
      const er = b3i - b2i, ei = b2r - b3r;
      d[p0] = s0r + d0r;
      d[p0 + 1] = s0i + d0i;
      d[p2] = s0r - d0r;
      d[p2 + 1] = s0i - d0i;
      d[p1] = s1r + er;
      d[p1 + 1] = s1i + ei;
      d[p3] = s1r - er;
      d[p3 + 1] = s1i - ei;
    }
  }
}

/** Radix-2 butterflies on adjacent pairs of [off, off + len) (the last/first stage, w = 1). */
function radix2(d: Float64Array, off: number, len: number): void {
  for (let p = 2 * off, end = 2 * (off + len); p < end; p += 4) {
    const ar = d[p], ai = d[p + 1], br = d[p + 2], bi = d[p + 3];
    d[p] = ar + br;
    d[p + 1] = ai + bi;
    d[p + 2] = ar - br;
    d[p + 3] = ai - bi;
  }
}
