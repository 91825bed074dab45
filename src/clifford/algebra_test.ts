import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { mulberry32, randomRotation, relativeError } from "../models/rotation.ts";
import {
  bladeProduct,
  CAYLEY,
  embed,
  fromBlades,
  GRADES,
  outermorphism,
  readScalars,
  readVectors,
  toBlades,
} from "./algebra.ts";
import { testOnBackends } from "./testing.ts";

/** Geometric product of two coefficient arrays through the Cayley table. */
function gp(a: number[], b: number[]): number[] {
  const y = new Array(8).fill(0);
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) for (let k = 0; k < 8; k++) y[j] += a[i] * CAYLEY[i][j][k] * b[k];
  }
  return y;
}
const blade = (i: number) => Array.from({ length: 8 }, (_, n) => (n === i ? 1 : 0));

Deno.test("Cayley table: known products of Cl(3,0)", () => {
  assert.deepEqual(bladeProduct(1, 1), { j: 0, sign: 1 }); // e1 e1 = 1
  assert.deepEqual(bladeProduct(1, 2), { j: 4, sign: 1 }); // e1 e2 = e12
  assert.deepEqual(bladeProduct(2, 1), { j: 4, sign: -1 }); // e2 e1 = −e12
  assert.deepEqual(bladeProduct(4, 4), { j: 0, sign: -1 }); // e12 e12 = −1
  assert.deepEqual(bladeProduct(7, 7), { j: 0, sign: -1 }); // e123² = −1
  assert.deepEqual(bladeProduct(4, 3), { j: 7, sign: 1 }); // e12 e3 = e123
  assert.deepEqual(bladeProduct(3, 4), { j: 7, sign: 1 }); // e3 e12 = e123
  assert.deepEqual(bladeProduct(2, 5), { j: 7, sign: -1 }); // e2 e13 = −e123
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 8; k++) {
      assert.equal(CAYLEY[i].filter((row) => row[k] !== 0).length, 1, `one j for (${i},${k})`);
    }
  }
});

Deno.test("Cayley table: associative, and the outermorphism of a rotation is an automorphism", () => {
  const rnd = mulberry32(3);
  const a = Array.from({ length: 8 }, () => rnd() - 0.5);
  const b = Array.from({ length: 8 }, () => rnd() - 0.5);
  const c = Array.from({ length: 8 }, () => rnd() - 0.5);
  const l = gp(gp(a, b), c), r = gp(a, gp(b, c));
  for (let n = 0; n < 8; n++) assert.ok(Math.abs(l[n] - r[n]) < 1e-12);
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 8; k++) {
      const { j, sign } = bladeProduct(i, k);
      assert.deepEqual(gp(blade(i), blade(k)), blade(j).map((v) => v * sign + 0));
    }
  }
  const A = outermorphism(randomRotation(rnd));
  const act = (x: number[]) => A.map((row) => row.reduce((s, v, n) => s + v * x[n], 0));
  const lhs = act(gp(a, b)), rhs = gp(act(a), act(b));
  for (let n = 0; n < 8; n++) assert.ok(Math.abs(lhs[n] - rhs[n]) < 1e-12, `blade ${n}`);
  assert.deepEqual(GRADES, [0, 1, 1, 1, 2, 2, 2, 3]);
});

testOnBackends("algebra: blade layout round trip, embed and read-out", () => {
  tf.tidy(() => {
    const x = tf.randomNormal([2, 3, 5, 8], 0, 1, "float32", 1);
    const mv = fromBlades(x);
    assert.deepEqual(mv.map((t) => t.shape), new Array(8).fill([6, 5]));
    assert.ok(relativeError(toBlades(mv, [2, 3]), x) === 0);
    const vectors = tf.randomNormal([4, 2, 3], 0, 1, "float32", 2);
    const scalars = tf.randomNormal([4, 3], 0, 1, "float32", 3);
    const e = embed(vectors as tf.Tensor3D, scalars as tf.Tensor2D);
    const blades = toBlades(e, [4]).arraySync() as number[][][];
    const v = vectors.arraySync() as number[][][], s = scalars.arraySync() as number[][];
    for (let m = 0; m < 4; m++) {
      for (let c = 0; c < 5; c++) {
        const want = c < 2 ? [0, ...v[m][c], 0, 0, 0, 0] : [s[m][c - 2], 0, 0, 0, 0, 0, 0, 0];
        assert.deepEqual(blades[m][c], want);
      }
    }
    assert.ok(relativeError(readVectors(e, 0, 2), vectors) === 0);
    assert.ok(relativeError(readScalars(e, 2, 3), scalars) === 0);
  });
});
