import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { GRADES } from "./algebra.ts";
import { MVLinear } from "./mv_linear.ts";
import { ParamFactory } from "./params.ts";
import {
  assertThrowsWith,
  equivarianceError,
  randomMultivectors,
  testOnBackends,
} from "./testing.ts";

testOnBackends("MVLinear: matches y[o,b] = Σ_i W[o,i,grade(b)] x[i,b] + bias on grade 0", () => {
  const layer = new MVLinear(new ParamFactory(1), 3, 2);
  tf.tidy(() => layer.bias!.assign(tf.tensor1d([0.5, -0.25])));
  tf.tidy(() => {
    const x = randomMultivectors([4], 3, 7);
    const y = layer.apply(x).arraySync() as number[][][];
    const xs = x.arraySync() as number[][][];
    const w = layer.weights.map((v) => v.arraySync() as number[][]); // [g][i][o]
    for (let m = 0; m < 4; m++) {
      for (let o = 0; o < 2; o++) {
        for (let b = 0; b < 8; b++) {
          let want = b === 0 ? [0.5, -0.25][o] : 0;
          for (let i = 0; i < 3; i++) want += w[GRADES[b]][i][o] * xs[m][i][b];
          assert.ok(
            Math.abs(y[m][o][b] - want) < 1e-5,
            `m${m} o${o} b${b}: ${y[m][o][b]} vs ${want}`,
          );
        }
      }
    }
  });
  layer.variables.forEach((v) => v.dispose());
});

testOnBackends("MVLinear: O(3)-equivariant under proper rotations", () => {
  const layer = new MVLinear(new ParamFactory(2), 5, 6);
  tf.tidy(() => layer.bias!.assign(tf.randomNormal([6], 0, 1, "float32", 3)));
  const x = randomMultivectors([2, 3], 5, 11);
  for (const seed of [1, 2, 3]) {
    const err = equivarianceError(layer, x, seed);
    assert.ok(err < 1e-4, `relative error ${err}`);
  }
  x.dispose();
  layer.variables.forEach((v) => v.dispose());
});

testOnBackends("MVLinear: deterministic init, no bias when asked, errors name the argument", () => {
  const a = new MVLinear(new ParamFactory(5), 4, 3, { bias: false });
  const b = new MVLinear(new ParamFactory(5), 4, 3, { bias: false });
  assert.equal(a.bias, undefined);
  assert.equal(a.variables.length, 4);
  assert.deepEqual(a.weights[2].arraySync(), b.weights[2].arraySync());
  assertThrowsWith(() => new MVLinear(new ParamFactory(), 0, 3), "inChannels", "got 0");
  tf.tidy(() => {
    assertThrowsWith(() => a.apply(tf.zeros([2, 5, 8])), "MVLinear", "5 channels", "expected 4");
    assertThrowsWith(() => a.apply(tf.zeros([2, 4, 7])), "MVLinear", "[2,4,7]");
  });
  [...a.variables, ...b.variables].forEach((v) => v.dispose());
});
