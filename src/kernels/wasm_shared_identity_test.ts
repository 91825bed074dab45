import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import "./register.ts";

/** Bytes of the wasm heap in use is not observable; buffer sharing is (via the dataId). */
Deno.test("wasm Identity/Cast share the input's buffer; values and disposal stay right", async () => {
  await useBackend("wasm");
  const before = tf.memory().numTensors;
  const a = tf.tensor1d([1.5, -2, 3]);
  const b = tf.clone(a);
  const c = tf.cast(a, "float32");
  assert.equal(b.dataId, a.dataId, "clone copied");
  assert.equal(c.dataId, a.dataId, "same-dtype cast copied");
  const i = tf.cast(a, "int32");
  assert.notEqual(i.dataId, a.dataId);
  assert.deepEqual(Array.from(i.dataSync()), [1, -2, 3]);
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1.5, -2, 3], "clone lost its data with a");
  b.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [1.5, -2, 3]);
  tf.dispose([c, i]);
  assert.equal(tf.memory().numTensors, before);
  // Gradients through clone (saved tensors are clones) are unchanged.
  const x = tf.tensor1d([0.5, 2]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.clone(v), v)))(x);
  assert.deepEqual(Array.from(g.dataSync()), [1, 4]);
  tf.dispose([x, g]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("wasm: a clone outlives the tidy that disposed its source, through heap reuse", async () => {
  await useBackend("wasm");
  const before = tf.memory().numTensors;
  const backend = tf.backend() as unknown as { refCount(dataId: unknown): number };
  const a = tf.tensor1d([1, 2, 3, 4]);
  // The tidy disposes the `add` result; the returned clone shares its buffer.
  const b = tf.tidy(() => tf.clone(tf.add(a, 1)));
  assert.equal(backend.refCount(b.dataId), 1, "the disposed source still holds a reference");
  // Fresh allocations of the same size would land in a freed buffer.
  const others = Array.from({ length: 8 }, (_, i) => tf.fill([4], -100 - i));
  assert.deepEqual(Array.from(b.dataSync()), [2, 3, 4, 5]);
  // A variable made from a clone, and the clone disposed: the variable keeps the values.
  const c = tf.clone(b);
  const v = tf.variable(c);
  tf.dispose([b, c]);
  tf.dispose(tf.fill([4], 7));
  assert.deepEqual(Array.from(v.dataSync()), [2, 3, 4, 5]);
  assert.equal(backend.refCount(v.dataId), 1);
  tf.dispose([a, v, ...others]);
  assert.equal(tf.memory().numTensors, before);
});
