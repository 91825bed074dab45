import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { testOnBackends } from "../clifford/testing.ts";
import {
  cross,
  scalarAttention,
  vectorAttentionGram,
  vectorAttentionMaterialized,
} from "./attention.ts";
import { relativeError } from "./rotation.ts";

const rand = (shape: number[], seed: number) =>
  tf.randomNormal(shape as [number, number, number], 0, 1, "float32", seed) as tf.Tensor3D;

/** The paper's formula with float64 JS loops, for one sample `[N][3]`. */
function referenceVectorAttention(q: number[][], k: number[][], v: number[][]): number[][] {
  const n = q.length;
  const cr = (
    a: number[],
    b: number[],
  ) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  return q.map((qi) => {
    const cs = k.map((kj) => cr(qi, kj));
    const logits = cs.map((c) => Math.hypot(...c) / Math.sqrt(n));
    const mx = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - mx));
    const z = e.reduce((s, x) => s + x, 0);
    const u = [0, 0, 0];
    cs.forEach((c, j) => {
      const s = c.map((x) => (x * e[j]) / z);
      cr(s, v[j]).forEach((x, d) => (u[d] += x / n));
    });
    return u;
  });
}

testOnBackends("attention: materialized matches the paper's formula (float64 reference)", () => {
  tf.tidy(() => {
    const q = rand([1, 9, 3], 1), k = rand([1, 9, 3], 2), v = rand([1, 9, 3], 3);
    const want = referenceVectorAttention(
      (q.arraySync() as number[][][])[0],
      (k.arraySync() as number[][][])[0],
      (v.arraySync() as number[][][])[0],
    );
    const err = relativeError(vectorAttentionMaterialized(q, k, v), tf.tensor3d([want]));
    assert.ok(err < 1e-5, `relative error ${err}`);
  });
});

testOnBackends("attention: gram equals materialized, unblocked and in row blocks", () => {
  tf.tidy(() => {
    for (const [b, n] of [[1, 37], [2, 10]]) {
      const q = rand([b, n, 3], 4), k = rand([b, n, 3], 5), v = rand([b, n, 3], 6);
      const want = vectorAttentionMaterialized(q, k, v);
      for (const block of [0, 1, 8, 37, 100]) {
        const err = relativeError(vectorAttentionGram(q, k, v, { block }), want);
        assert.ok(err < 1e-5, `B ${b} N ${n} block ${block}: relative error ${err}`);
      }
    }
  });
});

testOnBackends("attention: gram clamps nearly parallel q, k (finite values and gradients)", () => {
  tf.tidy(() => {
    const k = rand([1, 6, 3], 7), v = rand([1, 6, 3], 8);
    const q = tf.add(tf.mul(k, 1.5), tf.mul(rand([1, 6, 3], 9), 1e-7)) as tf.Tensor3D;
    const err = relativeError(vectorAttentionGram(q, k, v), vectorAttentionMaterialized(q, k, v));
    assert.ok(err < 1e-3, `relative error ${err}`);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(vectorAttentionGram(a as tf.Tensor3D, b as tf.Tensor3D, v, { block: 4 }))
    )([q, k]);
    for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite));
    const zero = tf.zeros([1, 6, 3]) as tf.Tensor3D;
    const gz = tf.grad((a: tf.Tensor) =>
      tf.sum(vectorAttentionMaterialized(a as tf.Tensor3D, zero, v))
    )(zero);
    assert.ok(gz.dataSync().every(Number.isFinite));
  });
});

testOnBackends("attention: scalar SDPA matches softmax(q kᵀ/√D) v, blocked and not", () => {
  tf.tidy(() => {
    const q = rand([2, 11, 4], 1), k = rand([2, 11, 4], 2), v = rand([2, 11, 4], 3);
    const want = tf.matMul(tf.softmax(tf.div(tf.matMul(q, k, false, true), 2)), v);
    for (const block of [0, 3, 11]) {
      const err = relativeError(scalarAttention(q, k, v, { block }), want);
      assert.ok(err < 1e-5, `block ${block}: relative error ${err}`);
    }
  });
});

testOnBackends("attention: cross product broadcasts", () => {
  tf.tidy(() => {
    const c = cross(tf.tensor([[1, 0, 0]]), tf.tensor([[[0, 1, 0]], [[0, 0, 1]]]));
    assert.deepEqual(c.arraySync(), [[[0, 0, 1]], [[0, -1, 0]]]);
  });
});
