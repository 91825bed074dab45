import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { relativeError } from "../models/rotation.ts";
import type { Multivector } from "./algebra.ts";
import { GRADE_PATHS } from "./geometric_product_math.ts";
import {
  fusedGeometricProduct,
  geometricProductCore,
  setFusedKernels,
  usesFusedProduct,
} from "./geometric_product_op.ts";
import {
  type GeometricProductInputs,
  geometricProductReference,
} from "./geometric_product_reference.ts";
import { assertThrowsWith, testOnBackends } from "./testing.ts";

/** Random inputs with every grade populated; `zeroGrades` zeroes those grades of r. */
function randomInputs(m: number, c: number, seed: number, zeroGrades: number[] = []) {
  const mv = (s: number, zero: (b: number) => boolean): Multivector =>
    Array.from(
      { length: 8 },
      (_, b) =>
        zero(b)
          ? tf.zeros([m, c]) as tf.Tensor2D
          : tf.randomNormal([m, c], 0, 1, "float32", s + b) as tf.Tensor2D,
    );
  const grade = [0, 1, 1, 1, 2, 2, 2, 3];
  return {
    x: mv(seed, () => false),
    l: mv(seed + 10, () => false),
    r: mv(seed + 20, (b) => zeroGrades.includes(grade[b])),
    pathWeights: tf.randomNormal(
      [c, GRADE_PATHS.length],
      0,
      0.5,
      "float32",
      seed + 30,
    ) as tf.Tensor2D,
    sigma: [0, 1, 2, 3].map((g) =>
      tf.randomNormal([c], 0, 1, "float32", seed + 40 + g) as tf.Tensor1D
    ),
  } satisfies GeometricProductInputs;
}

const flatten = (i: GeometricProductInputs): tf.Tensor[] => [
  ...i.x,
  ...i.l,
  ...i.r,
  i.pathWeights,
  ...i.sigma,
];
const unflatten = (t: tf.Tensor[]): GeometricProductInputs => ({
  x: t.slice(0, 8) as Multivector,
  l: t.slice(8, 16) as Multivector,
  r: t.slice(16, 24) as Multivector,
  pathWeights: t[24] as tf.Tensor2D,
  sigma: t.slice(25, 29) as tf.Tensor1D[],
});

/** Gradients of Σ_b Σ u_b ⊙ y_b wrt all 29 inputs, for the op `f`. */
function gradsOf(
  f: (i: GeometricProductInputs) => Multivector,
  inputs: GeometricProductInputs,
  u: tf.Tensor[],
): tf.Tensor[] {
  return tf.grads((...t: tf.Tensor[]) => {
    const y = f(unflatten(t));
    return tf.addN(y.map((yb, b) => tf.sum(tf.mul(yb, u[b])))) as tf.Scalar;
  })(flatten(inputs));
}

testOnBackends("fusedGeometricProduct: kernel is registered and used", () => {
  assert.ok(usesFusedProduct());
  const previous = setFusedKernels(false);
  assert.equal(usesFusedProduct(), false);
  setFusedKernels(previous);
});

for (const [m, c] of [[1, 1], [37, 5], [64, 16]]) {
  testOnBackends(`fusedGeometricProduct: output equals the reference (M ${m}, C ${c})`, () => {
    tf.tidy(() => {
      const inputs = randomInputs(m, c, 3 * m + c);
      const fused = fusedGeometricProduct(inputs);
      const ref = geometricProductReference(inputs);
      for (let b = 0; b < 8; b++) {
        assert.deepEqual(fused[b].shape, [m, c]);
        const err = relativeError(fused[b], ref[b]);
        assert.ok(err < 1e-5, `blade ${b}: relative error ${err}`);
      }
    });
  });

  testOnBackends(`fusedGeometricProduct: gradients equal the reference (M ${m}, C ${c})`, () => {
    tf.tidy(() => {
      const inputs = randomInputs(m, c, 5 * m + c);
      const u = Array.from(
        { length: 8 },
        (_, b) => tf.randomNormal([m, c], 0, 1, "float32", 90 + b),
      );
      const fused = gradsOf(fusedGeometricProduct, inputs, u);
      const ref = gradsOf(geometricProductReference, inputs, u);
      const names = ["x", "l", "r"].flatMap((n) => [0, 1, 2, 3, 4, 5, 6, 7].map((b) => `${n}${b}`))
        .concat(["w", "s0", "s1", "s2", "s3"]);
      fused.forEach((g, n) => {
        assert.deepEqual(g.shape, ref[n].shape, names[n]);
        const err = relativeError(g, ref[n]);
        assert.ok(err < 1e-5, `∂${names[n]}: relative error ${err}`);
      });
    });
  });
}

testOnBackends("fusedGeometricProduct: r = 0 in grades 2, 3 gives exactly zero ∂σ there", () => {
  tf.tidy(() => {
    const inputs = randomInputs(9, 4, 7, [2, 3]);
    const u = Array.from({ length: 8 }, (_, b) => tf.randomNormal([9, 4], 0, 1, "float32", 50 + b));
    const g = gradsOf(fusedGeometricProduct, inputs, u);
    assert.ok(g.every((t) => t.dataSync().every(Number.isFinite)), "non-finite gradient");
    assert.deepEqual(Array.from(g[27].dataSync()), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(g[28].dataSync()), [0, 0, 0, 0]);
    assert.ok(tf.max(tf.abs(g[26])).dataSync()[0] > 0, "∂σ_1 is zero");
  });
});

testOnBackends("fusedGeometricProduct: no tensors leak from forward or backward", () => {
  const inputs = randomInputs(6, 3, 11);
  const before = tf.memory().numTensors;
  tf.dispose(fusedGeometricProduct(inputs));
  assert.equal(tf.memory().numTensors, before, "forward leaked");
  const u = Array.from({ length: 8 }, () => tf.ones([6, 3]));
  const g = gradsOf(fusedGeometricProduct, inputs, u);
  tf.dispose([...g, ...u]);
  assert.equal(tf.memory().numTensors, before, "backward leaked");
  tf.dispose(flatten(inputs));
});

testOnBackends("geometricProductCore: reference path when fused kernels are disabled", () => {
  tf.tidy(() => {
    const inputs = randomInputs(5, 2, 13);
    const fused = geometricProductCore(inputs);
    const previous = setFusedKernels(false);
    try {
      const ref = geometricProductCore(inputs);
      fused.forEach((t, b) => assert.ok(relativeError(t, ref[b]) < 1e-5));
    } finally {
      setFusedKernels(previous);
    }
  });
});

testOnBackends("fusedGeometricProduct: bad inputs are named with their value", () => {
  tf.tidy(() => {
    const ok = randomInputs(4, 3, 17);
    assertThrowsWith(
      () => fusedGeometricProduct({ ...ok, r: ok.r.slice(0, 7) }),
      "fusedGeometricProduct",
      "r must be an array of 8 tensors",
      "length 7",
    );
    const r = [...ok.r];
    r[5] = tf.zeros([4, 2]) as tf.Tensor2D;
    assertThrowsWith(() => fusedGeometricProduct({ ...ok, r }), "r[5]", "[4,3]", "shape [4,2]");
    assertThrowsWith(
      () => fusedGeometricProduct({ ...ok, pathWeights: tf.zeros([3, 19]) as tf.Tensor2D }),
      "pathWeights",
      "[3,20]",
      "shape [3,19]",
    );
    const x = [...ok.x];
    x[1] = tf.zeros([4, 3], "int32") as tf.Tensor2D;
    assertThrowsWith(() => fusedGeometricProduct({ ...ok, x }), "x[1]", "int32");
    assertThrowsWith(
      () => geometricProductCore({ ...ok, sigma: ok.sigma.slice(0, 3) }),
      "geometricProductCore",
      "sigma must be an array of 4 tensors",
      "length 3",
    );
  });
});
