import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import { FFT_CONV_KERNEL } from "../kernels/fft_conv_kernel.ts";
import { createHyena, decayWindow } from "./hyena.ts";
import { createTransformer } from "./transformer.ts";
import { baselinePredictor } from "../train/heads.ts";
import { Rng } from "../tasks/random.ts";
import type { TokenEncoder } from "./encoder.ts";

await useBackend("cpu");

const B = 2, N = 12, S = 5;
function inputs(seed: number, m = 1) {
  return {
    x: tf.randomNormal([B, N, 3], 0, 1, "float32", seed),
    f: tf.randomNormal([B, N, S], 0, 1, "float32", seed + 1),
    w: tf.randomNormal([B, N, m, 3], 0, 1, "float32", seed + 2),
  };
}
const makers: Array<[string, () => TokenEncoder]> = [
  ["hyena", () => createHyena({ scalarInputs: S, vectorInputs: 1, width: 16, layers: 2, seed: 1 })],
  [
    "transformer",
    () => createTransformer({ scalarInputs: S, vectorInputs: 1, width: 16, layers: 2, seed: 1 }),
  ],
];

Deno.test("baselines: output [B, N, W], deterministic for a seed, no leaked tensors", () => {
  for (const [name, make] of makers) {
    const inp = inputs(3);
    const before = tf.memory().numTensors;
    const a = make(), b = make();
    const ya = a.apply(inp), yb = b.apply(inp);
    assert.deepEqual(ya.shape, [B, N, 16], name);
    assert.deepEqual(ya.dataSync(), yb.dataSync(), name);
    assert.ok(a.parameterCount() > 0);
    ya.dispose(), yb.dispose(), a.dispose(), b.dispose();
    assert.equal(tf.memory().numTensors, before, `${name}: leaked tensors`);
    tf.dispose(Object.values(inp));
  }
});

Deno.test("hyena: the long convolution runs the FftConvSe3 kernel, forward and backward", async () => {
  const enc = makers[0][1]();
  const inp = inputs(4);
  const fwd = await tf.profile(() => enc.apply(inp));
  assert.ok(fwd.kernelNames.includes(FFT_CONV_KERNEL), `kernels: ${fwd.kernelNames.join(",")}`);
  const bwd = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(enc.apply(inp)) as tf.Scalar,
      enc.trainableVariables,
    );
    value.dispose();
    tf.dispose(Object.values(grads));
  });
  const count = bwd.kernels.filter((k) => k.name === FFT_CONV_KERNEL).length;
  // one forward + two gradient convolutions per layer (2 layers)
  assert.ok(count >= 6, `FftConvSe3 ran ${count} times in forward+backward`);
  const tr = await tf.profile(() => makers[1][1]().apply(inp));
  assert.ok(!tr.kernelNames.includes(FFT_CONV_KERNEL));
  enc.dispose();
  tf.dispose(Object.values(inp));
});

Deno.test("hyena: the long convolution is causal (token t does not see tokens after t)", () => {
  const enc = makers[0][1]();
  const inp = inputs(5);
  const changed = {
    ...inp,
    f: tf.tidy(() =>
      tf.concat([
        tf.slice(inp.f, [0, 0, 0], [B, 8, S]),
        tf.add(tf.slice(inp.f, [0, 8, 0], [B, N - 8, S]), 3),
      ], 1)
    ),
  };
  const a = enc.apply(inp), b = enc.apply(changed);
  const diff = tf.tidy(() => tf.abs(tf.sub(a, b)));
  const d = diff.arraySync() as number[][][];
  for (let t = 0; t < 8; t++) assert.ok(Math.max(...d[0][t]) < 1e-5, `token ${t} changed`);
  assert.ok(Math.max(...d[0][9]) > 1e-3);
  tf.dispose([a, b, diff, changed.f, ...Object.values(inp)]);
  enc.dispose();
});

Deno.test("hyena: the decay window starts at 1 and decays to about 1e-2 for the fastest channel", () => {
  const w = decayWindow(64, 4);
  assert.equal(w[0], 1);
  assert.ok(Math.abs(w[63 * 4 + 3] - Math.exp(Math.log(1e-2) / 0.3)) < 1e-9);
  assert.ok(w[63 * 4 + 3] < w[63 * 4]);
});

Deno.test("baselines are NOT rotation-equivariant (pooled head): f(Rx) ≠ R f(x)", () => {
  const r = new Rng(3).rotation();
  const rot = tf.tensor2d(r, [3, 3]);
  for (const [name, make] of makers) {
    const p = baselinePredictor(make(), { target: "pooled", seed: 2 });
    const inp = inputs(6);
    const rotated = {
      x: tf.reshape(tf.matMul(tf.reshape(inp.x, [-1, 3]), rot, false, true), [B, N, 3]),
      f: inp.f,
      w: tf.reshape(tf.matMul(tf.reshape(inp.w, [-1, 3]), rot, false, true), [B, N, 1, 3]),
    };
    const y = p.predict(inp); // [B, 3]
    const yRot = p.predict(rotated);
    const expected = tf.matMul(y, rot, false, true);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(yRot, expected))).dataSync()[0]);
    const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]);
    assert.ok(
      err > 1e-2 * scale,
      `${name}: equivariance error ${err} (scale ${scale}) — unexpectedly equivariant`,
    );
    tf.dispose([y, yRot, expected, rotated.x, rotated.w, ...Object.values(inp)]);
    p.dispose();
  }
  rot.dispose();
});

Deno.test("baselines: invalid options name the field and value", () => {
  assert.throws(
    () => createHyena({ scalarInputs: 2, width: 0 }),
    /width: expected an integer ≥ 1, got 0/,
  );
  assert.throws(
    () => createTransformer({ scalarInputs: 2, width: 10, heads: 4 }),
    /heads: expected a divisor of width 10, got 4/,
  );
  assert.throws(
    () => createTransformer({ scalarInputs: -1 }),
    /scalarInputs: expected an integer ≥ 0, got -1/,
  );
});
