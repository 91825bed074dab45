/**
 * Both models on the `webgpu` backend (Mesa's lavapipe in CI): forward and backward agree
 * with `wasm` to 1e-4, and the models stay SE(3)-equivariant. Fails, with install
 * instructions, when this machine has no WebGPU adapter.
 */
import assert from "node:assert/strict";
import { type BackendName, tf, useBackend } from "../backend.ts";
import { createModel } from "../models/create_model.ts";
import type { ModelKind } from "../models/equivariant_model.ts";
import { disposeInputs, randomInputs } from "../models/testing.ts";
import { mulberry32, randomRotation, rotateVectors } from "../models/rotation.ts";
import { clearWebgpuErrors, webgpuErrors } from "./backend_factory.ts";
import { requireWebgpuAdapter } from "./adapter_info.ts";

const KINDS: ModelKind[] = ["se3-hyena", "equivariant-transformer"];

/** Forward outputs and gradients of a fixed scalar loss w.r.t. every trainable variable. */
interface Pass {
  x: Float32Array;
  f: Float32Array;
  grads: Float32Array[];
}

/** Runs `kind` (preset tiny, seeded) forward and backward on `backend`. */
async function pass(backend: BackendName, kind: ModelKind, n: number): Promise<Pass> {
  if (backend === "webgpu") await requireWebgpuAdapter();
  await useBackend(backend);
  const model = createModel({ kind, preset: "tiny", seed: 3 });
  const inputs = randomInputs(model, 2, n, 7);
  try {
    const D = model.config.D;
    const wx = tf.randomNormal([2, n, 3], 0, 1, "float32", 11);
    const wf = tf.randomNormal([2, n, D], 0, 1, "float32", 12);
    const out = model.apply(inputs);
    const x = await out.x.data() as Float32Array;
    const f = await out.f.data() as Float32Array;
    tf.dispose([out.x, out.f]);
    const { grads } = tf.variableGrads(() => {
      const o = model.apply(inputs);
      return tf.add(tf.sum(tf.mul(o.x, wx)), tf.sum(tf.mul(o.f, wf))) as tf.Scalar;
    }, model.trainableVariables);
    // In trainableVariables order (names differ between the backends' runs; variables that
    // do not reach the loss have no entry).
    const values: Float32Array[] = [];
    for (const g of Object.values(grads)) values.push(await g.data() as Float32Array);
    tf.dispose([wx, wf, ...Object.values(grads)]);
    return { x, f, grads: values };
  } finally {
    disposeInputs(inputs);
    model.dispose();
  }
}

/** max |a − b| / max |b|. */
function relErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? err : err / scale;
}

for (const kind of KINDS) {
  Deno.test(`${kind} (tiny) forward and backward on webgpu match wasm to 1e-4`, async () => {
    for (const n of [16, 37]) {
      const ref = await pass("wasm", kind, n);
      clearWebgpuErrors();
      const got = await pass("webgpu", kind, n);
      assert.deepEqual(webgpuErrors(), [], "uncaptured WebGPU errors");
      assert.ok(relErr(got.x, ref.x) < 1e-4, `N ${n} x̂: ${relErr(got.x, ref.x)}`);
      assert.ok(relErr(got.f, ref.f) < 1e-4, `N ${n} f̂: ${relErr(got.f, ref.f)}`);
      assert.equal(got.grads.length, ref.grads.length, "same number of gradients");
      assert.ok(ref.grads.length > 0, "the model has trainable variables");
      ref.grads.forEach((g, i) => {
        const e = relErr(got.grads[i], g);
        assert.ok(e < 1e-4, `N ${n} ∂L/∂(variable ${i}): relative error ${e.toExponential(2)}`);
      });
    }
  });

  Deno.test(`${kind} (tiny) is SE(3)-equivariant on webgpu and leaks no tensors`, async () => {
    // Computed with async reads: dataSync()/arraySync() cannot work on webgpu in Deno
    // (tfjs's readSync needs OffscreenCanvas), so models/testing.ts's helper is not used.
    await requireWebgpuAdapter();
    await useBackend("webgpu");
    clearWebgpuErrors();
    const before = tf.memory().numTensors;
    for (const n of [10, 37]) {
      const model = createModel({ kind, preset: "tiny", seed: n });
      const inputs = randomInputs(model, 1, n, 100 + n);
      const random = mulberry32(n);
      const r = randomRotation(random);
      const t = tf.tensor1d([0, 0, 0].map(() => 4 * (random() - 0.5)));
      const moved = tf.tidy(() => tf.add(rotateVectors(inputs.x, r), t) as tf.Tensor3D);
      const out = model.apply(inputs);
      const outMoved = model.apply({ x: moved, f: inputs.f });
      const want = tf.tidy(() => tf.add(rotateVectors(out.x, r), t));
      const ex = relErr(await outMoved.x.data() as Float32Array, await want.data() as Float32Array);
      const ef = relErr(
        await outMoved.f.data() as Float32Array,
        await out.f.data() as Float32Array,
      );
      tf.dispose([t, moved, out.x, out.f, outMoved.x, outMoved.f, want]);
      disposeInputs(inputs);
      model.dispose();
      assert.ok(ex < 1e-4 && ef < 1e-4, `N ${n}: x̂ ${ex}, f̂ ${ef}`);
    }
    assert.equal(tf.memory().numTensors, before, "live tensors");
    assert.deepEqual(webgpuErrors(), [], "uncaptured WebGPU errors");
  });
}
