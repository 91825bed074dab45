import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { CAYLEY, fromBlades, GRADES, type Multivector, toBlades } from "./algebra.ts";
import { GeometricProduct, GRADE_PATHS, weightedProduct } from "./geometric_product.ts";
import { ParamFactory } from "./params.ts";
import { equivarianceError, randomMultivectors, testOnBackends } from "./testing.ts";

Deno.test("GeometricProduct: 20 grade paths of Cl(3,0)", () => {
  assert.equal(GRADE_PATHS.length, 20);
});

testOnBackends("GeometricProduct: sparse product equals the dense Cayley-table formula", () => {
  tf.tidy(() => {
    const c = 3;
    const a = randomMultivectors([4], c, 1), b = randomMultivectors([4], c, 2);
    const w = tf.randomNormal([c, GRADE_PATHS.length], 0, 1, "float32", 3) as tf.Tensor2D;
    const y = toBlades(weightedProduct(fromBlades(a), fromBlades(b), w), [4])
      .arraySync() as number[][][];
    const as = a.arraySync() as number[][][], bs = b.arraySync() as number[][][];
    const ws = w.arraySync();
    const path = (i: number, j: number, k: number) =>
      GRADE_PATHS.findIndex((p) => p[0] === GRADES[i] && p[1] === GRADES[j] && p[2] === GRADES[k]);
    for (let m = 0; m < 4; m++) {
      for (let ch = 0; ch < c; ch++) {
        for (let j = 0; j < 8; j++) {
          let want = 0;
          for (let i = 0; i < 8; i++) {
            for (let k = 0; k < 8; k++) {
              if (CAYLEY[i][j][k] === 0) continue;
              want += as[m][ch][i] * ws[ch][path(i, j, k)] * CAYLEY[i][j][k] * bs[m][ch][k];
            }
          }
          assert.ok(
            Math.abs(y[m][ch][j] - want) < 1e-4 * (1 + Math.abs(want)),
            `${y[m][ch][j]} vs ${want}`,
          );
        }
      }
    }
  });
});

testOnBackends("GeometricProduct: O(3)-equivariant; finite gradients at x = 0", () => {
  const layer = new GeometricProduct(new ParamFactory(4), 5);
  tf.tidy(() =>
    layer.sigma.forEach((s, g) => s.assign(tf.randomNormal([5], 0, 1, "float32", 20 + g)))
  );
  tf.tidy(() => layer.left.bias!.assign(tf.randomNormal([5], 0, 1, "float32", 30)));
  const x = randomMultivectors([2, 3], 5, 8);
  for (const seed of [1, 2, 3]) {
    const err = equivarianceError(layer, x, seed);
    assert.ok(err < 1e-4, `relative error ${err}`);
  }
  x.dispose();
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() =>
      tf.sum(tf.square(layer.apply(tf.zeros([3, 5, 8])))) as tf.Scalar
    );
    assert.ok(Number.isFinite(value.dataSync()[0]));
    for (const g of Object.values(grads)) assert.ok(g.dataSync().every(Number.isFinite));
    const gx = tf.grad((z: tf.Tensor) => tf.sum(layer.apply(z)))(tf.zeros([3, 5, 8]));
    assert.ok(gx.dataSync().every(Number.isFinite));
  });
  layer.variables.forEach((v) => v.dispose());
});

testOnBackends(
  "GeometricProduct: product of grade-1 inputs creates grade 2 (not trivially linear)",
  () => {
    tf.tidy(() => {
      const e1 = tf.tensor([[[0, 1, 0, 0, 0, 0, 0, 0]]]); // [1, 1, 8]
      const e2 = tf.tensor([[[0, 0, 1, 0, 0, 0, 0, 0]]]);
      const w = tf.ones([1, GRADE_PATHS.length]) as tf.Tensor2D;
      const y = toBlades(weightedProduct(fromBlades(e1) as Multivector, fromBlades(e2), w), [1]);
      assert.deepEqual(Array.from(y.dataSync()), [0, 0, 0, 0, 1, 0, 0, 0]); // e1 e2 = e12
    });
  },
);
