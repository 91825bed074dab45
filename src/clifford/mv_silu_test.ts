import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { GRADES } from "./algebra.ts";
import { MVSiLU } from "./mv_silu.ts";
import { ParamFactory } from "./params.ts";
import { equivarianceError, randomMultivectors, testOnBackends } from "./testing.ts";

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

testOnBackends("MVSiLU: gates each grade by sigmoid(α·s + β)", () => {
  const layer = new MVSiLU(new ParamFactory(), 2);
  tf.tidy(() => layer.alpha.forEach((a, g) => a.assign(tf.tensor1d([0.5 + g, -0.3 * g]))));
  tf.tidy(() => layer.beta.forEach((b, g) => b.assign(tf.tensor1d([0.1 * g, 0.2]))));
  tf.tidy(() => {
    const x = randomMultivectors([3], 2, 4);
    const y = layer.apply(x).arraySync() as number[][][];
    const xs = x.arraySync() as number[][][];
    const al = layer.alpha.map((v) => v.arraySync() as number[]);
    const be = layer.beta.map((v) => v.arraySync() as number[]);
    for (let m = 0; m < 3; m++) {
      for (let c = 0; c < 2; c++) {
        for (let b = 0; b < 8; b++) {
          const g = GRADES[b];
          const s = g === 0
            ? xs[m][c][0]
            : xs[m][c].reduce((acc, v, n) => acc + (GRADES[n] === g ? v * v : 0), 0);
          const want = xs[m][c][b] * sigmoid(al[g][c] * s + be[g][c]);
          assert.ok(Math.abs(y[m][c][b] - want) < 1e-5, `${y[m][c][b]} vs ${want}`);
        }
      }
    }
  });
  layer.variables.forEach((v) => v.dispose());
});

testOnBackends("MVSiLU: O(3)-equivariant under proper rotations", () => {
  const layer = new MVSiLU(new ParamFactory(), 4);
  tf.tidy(() => layer.alpha.forEach((a, g) => a.assign(tf.randomNormal([4], 0, 1, "float32", g))));
  tf.tidy(() =>
    layer.beta.forEach((b, g) => b.assign(tf.randomNormal([4], 0, 1, "float32", 10 + g)))
  );
  const x = randomMultivectors([5], 4, 9);
  for (const seed of [1, 2]) {
    const err = equivarianceError(layer, x, seed);
    assert.ok(err < 1e-4, `relative error ${err}`);
  }
  x.dispose();
  layer.variables.forEach((v) => v.dispose());
});
