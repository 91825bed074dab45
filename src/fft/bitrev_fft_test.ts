import assert from "node:assert/strict";
import { bitReverse, BitReversedFft, bitReversedPartner, LEAF } from "./bitrev_fft.ts";
import { seededUniform } from "./testing.ts";

/** Direct DFT of interleaved complex data at frequency f, in float64. */
function dftAt(x: Float64Array, f: number): [number, number] {
  const m = x.length / 2;
  let sr = 0, si = 0;
  for (let t = 0; t < m; t++) {
    const a = (-2 * Math.PI * ((f * t) % m)) / m;
    const c = Math.cos(a), s = Math.sin(a);
    sr += x[2 * t] * c - x[2 * t + 1] * s;
    si += x[2 * t] * s + x[2 * t + 1] * c;
  }
  return [sr, si];
}

Deno.test("BitReversedFft: forward is the DFT in bit-reversed order, inverse undoes it (×M)", () => {
  const random = seededUniform(1);
  // Sizes cover even and odd log2, and blocks above LEAF (depth-first recursion).
  for (const lg of [0, 1, 2, 3, 4, 5, 9, 12, 13, 14, 15]) {
    const m = 1 << lg;
    const fft = new BitReversedFft(m);
    const x = Float64Array.from({ length: 2 * m }, random);
    const d = x.slice();
    fft.forward(d);
    let err = 0, norm = 0;
    const step = Math.max(1, m >> 7);
    for (let p = 0; p < m; p += step) {
      const [er, ei] = dftAt(x, bitReverse(p, lg));
      err += (er - d[2 * p]) ** 2 + (ei - d[2 * p + 1]) ** 2;
      norm += er * er + ei * ei;
    }
    assert.ok(Math.sqrt(err / norm) < 1e-12, `M=2^${lg}: forward error ${Math.sqrt(err / norm)}`);
    fft.inverse(d);
    let worst = 0;
    for (let i = 0; i < 2 * m; i++) worst = Math.max(worst, Math.abs(d[i] / m - x[i]));
    assert.ok(worst < 1e-12, `M=2^${lg}: round trip error ${worst}`);
  }
  assert.ok((1 << 15) > LEAF, "the test must reach the recursive path");
});

Deno.test("bitReversedPartner: holds the conjugate frequency", () => {
  for (const lg of [1, 2, 3, 6, 11]) {
    const m = 1 << lg;
    for (let p = 0; p < m; p++) {
      const f = bitReverse(p, lg);
      assert.equal(bitReverse(bitReversedPartner(p), lg), (m - f) % m, `M=${m} p=${p}`);
    }
  }
});

Deno.test("BitReversedFft: rejects sizes that are not powers of two, and wrong lengths", () => {
  assert.throws(
    () => new BitReversedFft(12),
    /size: expected a power of two in \[1, 2\^28\], got 12/,
  );
  assert.throws(() => new BitReversedFft(0), /got 0/);
  assert.throws(
    () => new BitReversedFft(8).forward(new Float64Array(8)),
    /data: expected 16 float64 values \(M = 8 complex\), got 8/,
  );
});
