import assert from "node:assert/strict";
import { tf, useBackend } from "./backend.ts";
import { directVectorLongConv, randomArray, relativeError, seededUniform } from "./fft/testing.ts";
import { vectorLongConv } from "./vector_long_conv.ts";

const TOL = 1e-5;

function assertThrowsWith(fn: () => unknown, text: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, `expected an Error, got ${e}`);
    assert.ok(
      e.message.includes(text),
      `expected a message containing\n  ${text}\ngot\n  ${e.message}`,
    );
    return true;
  });
}

/** Rotation about a unit axis by angle θ (Rodrigues), row-major 3×3. */
function rotation(axis: [number, number, number], theta: number): number[] {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((a) => a / n);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const t = 1 - c;
  return [
    t * x * x + c,
    t * x * y - s * z,
    t * x * z + s * y,
    t * x * y + s * z,
    t * y * y + c,
    t * y * z - s * x,
    t * x * z - s * y,
    t * y * z + s * x,
    t * z * z + c,
  ];
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`vectorLongConv (${backend}): matches the direct centred cross-product sum`, async () => {
    await useBackend(backend);
    const random = seededUniform(42);
    for (const [b, n] of [[1, 1], [2, 2], [3, 7], [2, 10], [1, 64], [2, 97]]) {
      const q = randomArray(b * n * 3, random);
      const k = randomArray(b * n * 3, random);
      // Offsets make the centring matter.
      for (let i = 0; i < q.length; i++) q[i] += 3 * (i % 3) - 2;
      const got = tf.tidy(() =>
        vectorLongConv(tf.tensor3d(q, [b, n, 3]), tf.tensor3d(k, [b, n, 3])).dataSync()
      );
      const expected = directVectorLongConv(q, k, b, n);
      if (n === 1) {
        // One token: centred vectors are zero.
        assert.ok(got.every((v) => Math.abs(v) < 1e-6));
        continue;
      }
      const err = relativeError(got, expected);
      assert.ok(err < TOL, `B=${b} N=${n}: relative error ${err}`);
    }
  });

  Deno.test(`vectorLongConv (${backend}): rotation-equivariant and translation-invariant`, async () => {
    await useBackend(backend);
    const random = seededUniform(7);
    const [b, n] = [2, 13];
    const q = randomArray(b * n * 3, random);
    const k = randomArray(b * n * 3, random);
    const r = rotation([1, 2, -0.5], 0.7);
    const [lhs, rhs] = tf.tidy(() => {
      const rt = tf.transpose(tf.tensor2d(r, [3, 3])); // x Rᵀ
      const rot = (a: Float32Array) =>
        tf.reshape(tf.matMul(tf.tensor2d(a, [b * n, 3]), rt), [b, n, 3]);
      const shift = tf.tensor1d([5, -3, 2]);
      const u = vectorLongConv(tf.tensor3d(q, [b, n, 3]), tf.tensor3d(k, [b, n, 3]));
      const uRot = vectorLongConv(
        tf.add(rot(q), shift) as tf.Tensor3D,
        tf.sub(rot(k), shift) as tf.Tensor3D,
      );
      return [
        tf.reshape(tf.matMul(tf.reshape(u, [b * n, 3]), rt), [b, n, 3]).dataSync(),
        uRot.dataSync(),
      ];
    });
    assert.ok(relativeError(rhs, lhs) < 1e-5);
  });

  Deno.test(`vectorLongConv (${backend}): gradient flows and leaks no tensors`, async () => {
    await useBackend(backend);
    const random = seededUniform(11);
    const [b, n] = [1, 9];
    const q = tf.tensor3d(randomArray(b * n * 3, random), [b, n, 3]);
    const k = tf.tensor3d(randomArray(b * n * 3, random), [b, n, 3]);
    const w = randomArray(b * n * 3, random);
    const before = tf.memory().numTensors;
    const [gq, gk] = tf.grads((a: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(vectorLongConv(a as tf.Tensor3D, c as tf.Tensor3D), tf.tensor3d(w, [b, n, 3])))
    )([q, k]);
    gk.dispose();
    // Central finite difference in float64 of the direct sum, on one coordinate.
    const qa = Float64Array.from(q.dataSync());
    const ka = k.dataSync();
    const loss = (qq: ArrayLike<number>) =>
      directVectorLongConv(qq, ka, b, n).reduce((s, v, i) => s + v * w[i], 0);
    const h = 1e-6;
    for (const idx of [0, 4, 14, 26]) {
      const plus = qa.slice();
      const minus = qa.slice();
      plus[idx] += h;
      minus[idx] -= h;
      const fd = (loss(plus) - loss(minus)) / (2 * h);
      const got = gq.dataSync()[idx];
      assert.ok(Math.abs(got - fd) < 1e-4 * (1 + Math.abs(fd)), `dq[${idx}]: ${got} vs ${fd}`);
    }
    gq.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([q, k]);
  });

  Deno.test(`vectorLongConv (${backend}): rejects bad inputs naming the argument and value`, async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const ok = tf.zeros([2, 4, 3]) as tf.Tensor3D;
      assertThrowsWith(
        () => vectorLongConv(tf.zeros([4, 3]) as unknown as tf.Tensor3D, ok),
        "vectorLongConv: q must be rank 3 [B, N, D], got shape [4,3]",
      );
      assertThrowsWith(
        () => vectorLongConv(ok, tf.zeros([2, 4, 2]) as tf.Tensor3D),
        "vectorLongConv: k must be [B, N, 3] vectors, got shape [2,4,2]",
      );
      assertThrowsWith(
        () => vectorLongConv(ok, tf.zeros([2, 5, 3]) as tf.Tensor3D),
        "vectorLongConv: q and k must have equal shapes, got q [2,4,3] and k [2,5,3]",
      );
      const empty = tf.zeros([1, 0, 3]) as tf.Tensor3D;
      assertThrowsWith(
        () => vectorLongConv(empty, empty),
        "vectorLongConv: q must have N ≥ 1 tokens, got shape [1,0,3]",
      );
    });
  });
}
