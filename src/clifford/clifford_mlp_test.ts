import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { CliffordMLP } from "./clifford_mlp.ts";
import { ParamFactory } from "./params.ts";
import {
  assertThrowsWith,
  equivarianceError,
  randomMultivectors,
  testOnBackends,
} from "./testing.ts";

testOnBackends(
  "CliffordMLP: O(3)-equivariant (depth 1 and 2), output shape and nonlinearity",
  () => {
    for (const depth of [1, 2]) {
      const mlp = new CliffordMLP(new ParamFactory(depth), 3, 6, 2, { depth });
      assert.equal(mlp.layers.length, 4 * depth + 1);
      const x = randomMultivectors([4, 2], 3, 5);
      const err = equivarianceError(mlp, x, 7);
      assert.ok(err < 1e-4, `depth ${depth}: relative error ${err}`);
      tf.tidy(() => {
        const y = mlp.apply(x);
        assert.deepEqual(y.shape, [4, 2, 2, 8]);
        // Not linear: f(2x) ≠ 2 f(x) − f(0).
        const lin = tf.sub(tf.mul(mlp.apply(x), 2), mlp.apply(tf.zerosLike(x)));
        assert.ok(tf.max(tf.abs(tf.sub(mlp.apply(tf.mul(x, 2)), lin))).dataSync()[0] > 1e-3);
      });
      x.dispose();
      mlp.variables.forEach((v) => v.dispose());
    }
  },
);

testOnBackends("CliffordMLP: gradients reach every variable; errors name the argument", () => {
  const mlp = new CliffordMLP(new ParamFactory(3), 2, 4, 3);
  tf.tidy(() => {
    const x = randomMultivectors([5], 2, 1);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(mlp.apply(x))) as tf.Scalar,
      mlp.variables,
    );
    assert.equal(Object.keys(grads).length, mlp.variables.length);
    const nonzero = Object.values(grads).filter((g) => tf.max(tf.abs(g)).dataSync()[0] > 0).length;
    assert.equal(nonzero, mlp.variables.length);
  });
  assertThrowsWith(
    () => new CliffordMLP(new ParamFactory(), 2, 4, 3, { depth: 0 }),
    "depth",
    "got 0",
  );
  assertThrowsWith(() => new CliffordMLP(new ParamFactory(), 2, 1.5, 3), "hidden", "1.5");
  mlp.variables.forEach((v) => v.dispose());
});
