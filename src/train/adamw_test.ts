import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import { AdamW, cosineLr } from "./adamw.ts";

await useBackend("cpu");

Deno.test("cosineLr: peak at the start, half-way at the middle, zero at the end; linear warm-up", () => {
  assert.equal(cosineLr(0, 100, 1e-3), 1e-3);
  assert.ok(Math.abs(cosineLr(50, 100, 1e-3) - 5e-4) < 1e-12);
  assert.ok(Math.abs(cosineLr(100, 100, 1e-3)) < 1e-12);
  assert.ok(Math.abs(cosineLr(0, 100, 1e-3, 10) - 1e-4) < 1e-12);
  assert.ok(Math.abs(cosineLr(9, 100, 1e-3, 10) - 1e-3) < 1e-12);
  assert.ok(Math.abs(cosineLr(100, 100, 1e-3, 0, 0.1) - 1e-4) < 1e-12);
});

Deno.test("AdamW: minimises a quadratic; first step moves each coordinate by ≈ lr", () => {
  const p = tf.variable(tf.tensor1d([3, -2, 0.5]));
  const opt = new AdamW([p]);
  const target = tf.tensor1d([1, 1, 1]);
  const loss = () => tf.sum(tf.square(tf.sub(p, target))) as tf.Scalar;
  const first = tf.variableGrads(loss, [p]);
  opt.apply([first.grads[p.name]], 0.1);
  const after1 = p.dataSync();
  assert.ok(Math.abs(after1[0] - 2.9) < 1e-4 && Math.abs(after1[1] - -1.9) < 1e-4, `${after1}`);
  tf.dispose([first.value, ...Object.values(first.grads)]);
  for (let i = 0; i < 300; i++) {
    const { value, grads } = tf.variableGrads(loss, [p]);
    opt.apply([grads[p.name]], 0.05);
    tf.dispose([value, ...Object.values(grads)]);
  }
  for (const v of p.dataSync()) assert.ok(Math.abs(v - 1) < 0.05, `${p.dataSync()}`);
  opt.dispose();
  tf.dispose([p, target]);
});

Deno.test("AdamW: weight decay is decoupled (p ← p·(1 − lr·λ) with a zero gradient)", () => {
  const p = tf.variable(tf.tensor1d([2, -4]));
  const opt = new AdamW([p], { weightDecay: 0.5 });
  const before = tf.memory().numTensors;
  const g = tf.zeros([2]);
  opt.apply([g], 0.1);
  const v = p.dataSync();
  assert.ok(Math.abs(v[0] - 1.9) < 1e-6 && Math.abs(v[1] - -3.8) < 1e-6, `${v}`);
  g.dispose();
  assert.equal(tf.memory().numTensors, before);
  opt.dispose();
  p.dispose();
});
