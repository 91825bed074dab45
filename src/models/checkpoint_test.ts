/**
 * Gradient checkpointing: a checkpointed sub-network (alone, and the per-token parts of both
 * models) gives the plain outputs and gradients (every parameter, within 1e-5 relative) on
 * cpu and wasm, for N = 1 and a non-power of two, chunked and unchunked, and leaves no
 * tensor behind.
 */
import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { testOnBackends } from "../clifford/testing.ts";
import { checkpointed } from "./checkpoint.ts";
import { createModel } from "./create_model.ts";
import type {
  ApplyOptions,
  EquivariantModel,
  ModelInputs,
  ModelKind,
} from "./equivariant_model.ts";
import { disposeInputs, randomInputs } from "./testing.ts";

/** `‖a − b‖ / max(‖a‖, tiny)`. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const d = tf.norm(tf.sub(a, b)).dataSync()[0];
    return d / Math.max(tf.norm(a).dataSync()[0], 1e-30);
  });
}

/** Loss value and gradients of every trainable variable under `options`. */
function lossAndGrads(model: EquivariantModel, inputs: ModelInputs, options: ApplyOptions) {
  return tf.variableGrads(() =>
    tf.tidy(() => {
      const out = model.apply(inputs, options);
      // Weights per element so every output element's gradient differs.
      const wx = tf.linspace(0.5, 1.5, out.x.size).reshape(out.x.shape);
      const wf = tf.linspace(-1, 2, out.f.size).reshape(out.f.shape);
      return tf.add(tf.sum(tf.mul(wx, tf.square(out.x))), tf.sum(tf.mul(wf, out.f))) as tf.Scalar;
    }), model.trainableVariables);
}

/**
 * Asserts that checkpointed gradients equal plain ones for every trainable variable; a
 * variable without a plain gradient (its output is never read) must get zeros.
 */
function assertSameGradients(kind: ModelKind, n: number, vectorInputs: number, chunk: number) {
  const model = createModel({ kind, preset: "tiny", vectorInputs, seed: 5 });
  const inputs = randomInputs(model, 2, n, 11);
  const plain = lossAndGrads(model, inputs, {});
  const ck = lossAndGrads(model, inputs, { checkpoint: true, tokenChunk: chunk });
  const what = `${kind} N=${n} m=${vectorInputs} tokenChunk=${chunk}`;
  try {
    assert.ok(relDiff(plain.value, ck.value) < 1e-6, `${what}: loss differs`);
    let compared = 0;
    for (const v of model.trainableVariables) {
      const g = ck.grads[v.name];
      assert.ok(g !== undefined, `${what}: no checkpointed gradient for ${v.name}`);
      const p = plain.grads[v.name];
      if (p === undefined) {
        assert.equal(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]), 0, `${what}: ${v.name}`);
        continue;
      }
      const e = relDiff(p, g);
      assert.ok(e <= 1e-5, `${what}: gradient of ${v.name} differs by ${e} (relative)`);
      compared++;
    }
    assert.ok(compared > model.trainableVariables.length / 2, `${what}: ${compared} compared`);
  } finally {
    tf.dispose([plain.value, ck.value, ...Object.values(plain.grads), ...Object.values(ck.grads)]);
    disposeInputs(inputs);
    model.dispose();
  }
}

for (const kind of ["se3-hyena", "equivariant-transformer"] as ModelKind[]) {
  testOnBackends(`${kind}: checkpointed gradients equal plain ones (N 1, 7, 13)`, () => {
    assertSameGradients(kind, 1, 0, 0);
    assertSameGradients(kind, 7, 1, 0);
    assertSameGradients(kind, 13, 0, 5); // chunks of 5 over B·N = 26 rows: 5, 5, 5, 5, 5, 1
  });
}

testOnBackends("checkpointed outputs equal plain outputs; no tensors left after backward", () => {
  const model = createModel({ kind: "se3-hyena", preset: "tiny", seed: 1 });
  const inputs = randomInputs(model, 1, 9, 2);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const a = model.apply(inputs);
    const b = model.apply(inputs, { checkpoint: true, tokenChunk: 4 });
    assert.ok(relDiff(a.x, b.x) < 1e-6 && relDiff(a.f, b.f) < 1e-6);
  });
  const { value, grads } = lossAndGrads(model, inputs, { checkpoint: true, tokenChunk: 4 });
  tf.dispose([value, ...Object.values(grads)]);
  assert.equal(tf.memory().numTensors, before, "tensors after checkpointed forward+backward");
  disposeInputs(inputs);
  model.dispose();
});

testOnBackends("checkpointed: a toy sub-network inside a larger graph, chunks 0, 1, 3, 10", () => {
  const variable = (shape: number[], seed: number) => {
    const init = tf.randomNormal(shape, 0, 1, "float32", seed);
    const v = tf.variable(init);
    init.dispose();
    return v;
  };
  const w = variable([3, 4], 1); // [3, 4]
  const u = variable([4], 2); // unused by fn below
  const x = tf.randomNormal([7, 3], 0, 1, "float32", 3); // [M, 3]
  const fn = ([a, b]: tf.Tensor2D[]) => [tf.tanh(tf.matMul(a, w)), tf.mul(b, b)] as tf.Tensor2D[];
  const loss = (chunk: number | null) => () =>
    tf.tidy(() => {
      const h = tf.sin(x) as tf.Tensor2D; // an op before the sub-network
      const b = tf.cos(x) as tf.Tensor2D;
      const [y, z] = chunk === null ? fn([h, b]) : checkpointed(fn, [h, b], [w, u], chunk);
      return tf.add(tf.sum(tf.square(tf.add(y, 1))), tf.sum(tf.mul(z, 3))) as tf.Scalar;
    });
  try {
    const plain = tf.variableGrads(loss(null), [w]);
    for (const chunk of [0, 1, 3, 10]) {
      const ck = tf.variableGrads(loss(chunk), [w, u]);
      assert.ok(relDiff(plain.value, ck.value) < 1e-6, `chunk ${chunk}: value`);
      assert.ok(relDiff(plain.grads[w.name], ck.grads[w.name]) < 1e-6, `chunk ${chunk}: dW`);
      assert.equal(tf.tidy(() => tf.max(tf.abs(ck.grads[u.name])).dataSync()[0]), 0);
      // Gradient with respect to x flows through the checkpointed op to ops before it.
      const gx = tf.grads((t: tf.Tensor) => {
        const [y] = checkpointed(fn, [tf.sin(t) as tf.Tensor2D, t as tf.Tensor2D], [w], chunk);
        return tf.sum(y);
      })([x]);
      const gxPlain = tf.grads((t: tf.Tensor) =>
        tf.sum(fn([tf.sin(t) as tf.Tensor2D, t as tf.Tensor2D])[0])
      )([x]);
      assert.ok(relDiff(gxPlain[0], gx[0]) < 1e-6, `chunk ${chunk}: dx`);
      tf.dispose([ck.value, ...Object.values(ck.grads), ...gx, ...gxPlain]);
    }
    tf.dispose([plain.value, ...Object.values(plain.grads)]);
  } finally {
    tf.dispose([w, u, x]);
  }
});
