import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { LAYER_NORM_EPS, MVLayerNorm } from "./mv_layer_norm.ts";
import { ParamFactory } from "./params.ts";
import { equivarianceError, randomMultivectors, testOnBackends } from "./testing.ts";

testOnBackends("MVLayerNorm: y[c] = a[c]·x[c] / (mean ‖x‖ + ε)", () => {
  const layer = new MVLayerNorm(new ParamFactory(), 3);
  tf.tidy(() => layer.scale.assign(tf.tensor1d([1, 2, -0.5])));
  tf.tidy(() => {
    const x = randomMultivectors([2], 3, 4);
    const y = layer.apply(x).arraySync() as number[][][];
    const xs = x.arraySync() as number[][][];
    for (let m = 0; m < 2; m++) {
      const mean = xs[m].reduce((s, ch) => s + Math.hypot(...ch), 0) / 3;
      for (let c = 0; c < 3; c++) {
        for (let b = 0; b < 8; b++) {
          const want = [1, 2, -0.5][c] * xs[m][c][b] / (mean + LAYER_NORM_EPS);
          assert.ok(Math.abs(y[m][c][b] - want) < 1e-5);
        }
      }
    }
  });
  layer.variables.forEach((v) => v.dispose());
});

testOnBackends("MVLayerNorm: O(3)-equivariant; finite gradient at x = 0", () => {
  const layer = new MVLayerNorm(new ParamFactory(), 4);
  const x = randomMultivectors([3, 2], 4, 1);
  const err = equivarianceError(layer, x, 5);
  assert.ok(err < 1e-4, `relative error ${err}`);
  x.dispose();
  tf.tidy(() => {
    const g = tf.grad((z: tf.Tensor) => tf.sum(layer.apply(z)))(tf.zeros([2, 4, 8]));
    assert.ok(g.dataSync().every(Number.isFinite));
  });
  layer.variables.forEach((v) => v.dispose());
});
