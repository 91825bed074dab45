import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import { type EquivariantModel, equivariantPredictor } from "./heads.ts";
import { ParamStore } from "../baselines/layers.ts";
import { Rng } from "../tasks/random.ts";
import type { ModelInputs } from "../baselines/encoder.ts";

await useBackend("cpu");

/**
 * A small SE(3)-equivariant stand-in for the real models (which are tested on their own):
 * x̂_i = x_i + a·(x_i − c)·‖x_i − c‖ + b·w_i, f̂_i = tanh(f_i W + ‖x_i − c‖ u).
 */
function fakeModel(s: number, d: number): EquivariantModel {
  const p = new ParamStore(5, "fake");
  const a = p.uniform([1], 1), b = p.uniform([1], 1);
  const wf = p.uniform([s, d], 1), u = p.uniform([1, d], 1);
  return {
    trainableVariables: p.variables,
    apply(inp: ModelInputs) {
      return tf.tidy(() => {
        const c = tf.mean(inp.x, 1, true);
        const r = tf.sub(inp.x, c);
        const norm = tf.sqrt(tf.add(tf.sum(tf.square(r), -1, true), 1e-9)); // [B, N, 1]
        let x = tf.add(inp.x, tf.mul(a, tf.mul(r, norm)));
        if (inp.w) x = tf.add(x, tf.mul(b, tf.sum(inp.w, 2)));
        const f = tf.tanh(
          tf.add(
            tf.reshape(tf.matMul(tf.reshape(inp.f, [-1, s]), wf), [...inp.f.shape.slice(0, 2), d]),
            tf.mul(norm, u),
          ),
        );
        return { x, f };
      });
    },
    parameterCount: () => p.count(),
    dispose: () => p.dispose(),
  };
}

function transform(x: tf.Tensor, r: tf.Tensor, t?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), r, false, true), x.shape);
    return t ? tf.add(y, t) : y;
  });
}

Deno.test("equivariant heads: pooled and per-token predictions are SE(3)-equivariant", () => {
  const rng = new Rng(4);
  const r = tf.tensor2d(rng.rotation(), [3, 3]);
  const t = tf.tensor1d([0.3, -1.2, 2.0]);
  const B = 3, N = 7, S = 4;
  const inp = {
    x: tf.randomNormal([B, N, 3], 0, 1, "float32", 1),
    f: tf.randomNormal([B, N, S], 0, 1, "float32", 2),
    w: tf.randomNormal([B, N, 1, 3], 0, 1, "float32", 3),
  };
  const moved = { x: transform(inp.x, r, t), f: inp.f, w: transform(inp.w, r) };
  for (const target of ["pooled", "per-token"] as const) {
    const pred = equivariantPredictor(fakeModel(S, 6), 6, { target, seed: 1 });
    const y = pred.predict(inp);
    const yMoved = pred.predict(moved);
    const expected = transform(y, r, t);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(yMoved, expected))).dataSync()[0]);
    assert.deepEqual(y.shape, target === "pooled" ? [B, 3] : [B, N, 3]);
    assert.ok(err < 1e-4, `${target}: equivariance error ${err}`);
    tf.dispose([y, yMoved, expected]);
    pred.dispose();
  }
  tf.dispose([r, t, moved.x, moved.w, ...Object.values(inp)]);
});
