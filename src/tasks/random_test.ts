import assert from "node:assert/strict";
import { Rng, rotateInPlace } from "./random.ts";

Deno.test("Rng: equal seeds give equal streams, different seeds differ", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 20 }, () => a.next());
  const sb = Array.from({ length: 20 }, () => b.next());
  const sc = Array.from({ length: 20 }, () => c.next());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  for (const v of sa) assert.ok(v >= 0 && v < 1);
});

Deno.test("Rng: normals have mean ≈ 0 and variance ≈ 1", () => {
  const r = new Rng(1);
  const xs = Array.from({ length: 20000 }, () => r.normal());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
});

Deno.test("Rng.rotation: orthogonal with determinant +1; rotateInPlace applies it", () => {
  const r = new Rng(7);
  for (let t = 0; t < 10; t++) {
    const m = r.rotation();
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const dot = m[i] * m[j] + m[3 + i] * m[3 + j] + m[6 + i] * m[6 + j];
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12);
      }
    }
    const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
      m[2] * (m[3] * m[7] - m[4] * m[6]);
    assert.ok(Math.abs(det - 1) < 1e-12, `det ${det}`);
    const v = new Float64Array([1, 0, 0, 0, 1, 0]);
    rotateInPlace(v, m);
    assert.deepEqual(Array.from(v), [m[0], m[3], m[6], m[1], m[4], m[7]]);
  }
});

Deno.test("Rng: a non-finite seed is rejected with its value", () => {
  assert.throws(() => new Rng(NaN), /seed: expected a finite number, got NaN/);
});
