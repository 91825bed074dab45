import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { relativeError } from "../models/rotation.ts";
import type { Multivector } from "./algebra.ts";
import { setFusedKernels } from "./fused_kernels.ts";
import { fusedMVSiLU, mvSilu, usesFusedMVSiLU } from "./mv_silu_op.ts";
import { mvSiluReference } from "./mv_silu_reference.ts";
import { assertThrowsWith, testOnBackends } from "./testing.ts";

const GRADE = [0, 1, 1, 1, 2, 2, 2, 3];

/** x with every grade populated except `zeroGrades`; α, β random per grade. */
function randomInputs(m: number, c: number, seed: number, zeroGrades: number[] = []) {
  const x = Array.from(
    { length: 8 },
    (_, b) =>
      zeroGrades.includes(GRADE[b])
        ? tf.zeros([m, c]) as tf.Tensor2D
        : tf.randomNormal([m, c], 0, 1, "float32", seed + b) as tf.Tensor2D,
  );
  const param = (s: number) =>
    [0, 1, 2, 3].map((g) => tf.randomNormal([c], 0, 1, "float32", s + g) as tf.Tensor1D);
  return { x, alpha: param(seed + 10), beta: param(seed + 20) };
}

type Op = (x: Multivector, a: tf.Tensor[], b: tf.Tensor[]) => Multivector;

/** Gradients of Σ_b Σ u_b ⊙ y_b wrt x (8), α (4), β (4). */
function gradsOf(op: Op, i: ReturnType<typeof randomInputs>, u: tf.Tensor[]): tf.Tensor[] {
  return tf.grads((...t: tf.Tensor[]) => {
    const y = op(t.slice(0, 8) as Multivector, t.slice(8, 12), t.slice(12, 16));
    return tf.addN(y.map((yb, b) => tf.sum(tf.mul(yb, u[b])))) as tf.Scalar;
  })([...i.x, ...i.alpha, ...i.beta]);
}

testOnBackends("fusedMVSiLU: kernel is registered and used", () => {
  assert.ok(usesFusedMVSiLU());
  const previous = setFusedKernels(false);
  assert.equal(usesFusedMVSiLU(), false);
  setFusedKernels(previous);
});

for (const [m, c] of [[1, 1], [37, 5], [64, 16]]) {
  testOnBackends(`fusedMVSiLU: output and gradients equal the reference (M ${m}, C ${c})`, () => {
    tf.tidy(() => {
      const inputs = randomInputs(m, c, 7 * m + c);
      const fused = fusedMVSiLU(inputs.x, inputs.alpha, inputs.beta);
      const ref = mvSiluReference(inputs.x, inputs.alpha, inputs.beta);
      fused.forEach((t, b) => {
        const err = relativeError(t, ref[b]);
        assert.ok(err < 1e-5, `blade ${b}: relative error ${err}`);
      });
      const u = Array.from(
        { length: 8 },
        (_, b) => tf.randomNormal([m, c], 0, 1, "float32", 60 + b),
      );
      const gf = gradsOf(fusedMVSiLU, inputs, u), gr = gradsOf(mvSiluReference, inputs, u);
      const names = [
        ...[0, 1, 2, 3, 4, 5, 6, 7].map((b) => `x${b}`),
        "a0",
        "a1",
        "a2",
        "a3",
        "b0",
        "b1",
        "b2",
        "b3",
      ];
      gf.forEach((g, n) => {
        assert.deepEqual(g.shape, gr[n].shape, names[n]);
        const err = relativeError(g, gr[n]);
        assert.ok(err < 1e-5, `∂${names[n]}: relative error ${err}`);
      });
    });
  });
}

testOnBackends("fusedMVSiLU: grades 2, 3 at zero give exactly zero ∂α, ∂β there", () => {
  tf.tidy(() => {
    const inputs = randomInputs(9, 4, 3, [2, 3]);
    const u = Array.from({ length: 8 }, (_, b) => tf.randomNormal([9, 4], 0, 1, "float32", 70 + b));
    const g = gradsOf(fusedMVSiLU, inputs, u);
    for (const n of [10, 11, 14, 15]) assert.deepEqual(Array.from(g[n].dataSync()), [0, 0, 0, 0]);
    for (const n of [8, 9, 12, 13]) assert.ok(tf.max(tf.abs(g[n])).dataSync()[0] > 0, `grad ${n}`);
  });
});

testOnBackends("fusedMVSiLU: no tensors leak; mvSilu falls back to the reference", () => {
  const inputs = randomInputs(6, 3, 11);
  const all = [...inputs.x, ...inputs.alpha, ...inputs.beta];
  const before = tf.memory().numTensors;
  tf.dispose(fusedMVSiLU(inputs.x, inputs.alpha, inputs.beta));
  const u = Array.from({ length: 8 }, () => tf.ones([6, 3]));
  tf.dispose([...gradsOf(fusedMVSiLU, inputs, u), ...u]);
  assert.equal(tf.memory().numTensors, before, "leaked");
  tf.tidy(() => {
    const fused = mvSilu(inputs.x, inputs.alpha, inputs.beta);
    const previous = setFusedKernels(false);
    try {
      const ref = mvSilu(inputs.x, inputs.alpha, inputs.beta);
      fused.forEach((t, b) => assert.ok(relativeError(t, ref[b]) < 1e-5));
    } finally {
      setFusedKernels(previous);
    }
  });
  tf.dispose(all);
});

testOnBackends("fusedMVSiLU: bad inputs are named with their value", () => {
  tf.tidy(() => {
    const { x, alpha, beta } = randomInputs(4, 3, 17);
    assertThrowsWith(
      () => fusedMVSiLU(x.slice(0, 6), alpha, beta),
      "fusedMVSiLU",
      "x must be an array of 8",
      "length 6",
    );
    const bad = [...x];
    bad[2] = tf.zeros([4, 5]) as tf.Tensor2D;
    assertThrowsWith(() => mvSilu(bad, alpha, beta), "mvSilu", "x[2]", "[4,3]", "shape [4,5]");
    assertThrowsWith(
      () => mvSilu(x, alpha, [...beta.slice(0, 3), tf.zeros([2])]),
      "beta[3]",
      "[3]",
      "shape [2]",
    );
    assertThrowsWith(
      () => mvSilu(x, alpha.slice(1), beta),
      "alpha must be an array of 4",
      "length 3",
    );
  });
});
