import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import type { Case } from "../results.ts";
import { buildPredictor, makeTaskData, parseTrainCase, runTrainingCase } from "./run.ts";
import { evaluateMse, train } from "./loop.ts";
import { Rng } from "../tasks/random.ts";

await useBackend("wasm");

const MODELS = ["se3-hyena", "equivariant-transformer", "hyena", "transformer"] as const;

function tinyCase(model: string, task: string, extra: Record<string, unknown> = {}) {
  return parseTrainCase({
    model,
    pass: "train",
    task,
    seqLen: task === "nbody" ? 5 : 9,
    epochs: 4,
    batch: 16,
    lr: 3e-3,
    trainSize: 64,
    valSize: 16,
    testSize: 16,
    burnInSteps: 200,
    horizonSteps: 200,
    preset: "tiny",
    width: 12,
    seed: 1,
    ...extra,
  });
}

Deno.test("parseTrainCase: defaults, and errors that name the field and the value", () => {
  const c = parseTrainCase({ model: "hyena", pass: "train", task: "nbody", seqLen: 5 });
  assert.equal(c.epochs, 300);
  assert.equal(c.weightDecay, 1e-5);
  assert.throws(
    () => parseTrainCase({ model: "hyena", pass: "train", task: "recal", seqLen: 5 }),
    /task: expected one of recall-fixed, recall-random, nbody, got "recal"/,
  );
  assert.throws(
    () => parseTrainCase({ model: "hyena", pass: "train", task: "nbody", seqLen: 5, epochs: -3 }),
    /epochs: expected a positive integer, got -3/,
  );
  assert.throws(
    () => parseTrainCase({ model: "hyena", pass: "train", task: "nbody", seqLen: 5, lr: "fast" }),
    /lr: expected a number, got "fast"/,
  );
});

Deno.test("a few training steps lower the loss, for every model and task", async () => {
  for (const model of MODELS) {
    for (const task of ["recall-random", "nbody"]) {
      const c = tinyCase(model, task);
      const data = makeTaskData(c);
      const before = tf.memory().numTensors;
      const p = await buildPredictor(c, data);
      const initial = await evaluateMse(p, data.train, data);
      const r = await train(p, data, { epochs: 4, batch: 16, lr: 3e-3, seed: 1 });
      const trained = await evaluateMse(p, data.train, data);
      assert.ok(trained < initial, `${model} ${task}: train MSE ${initial} → ${trained}`);
      assert.equal(r.curve.length, 4);
      p.dispose();
      assert.equal(tf.memory().numTensors, before, `${model} ${task}: leaked tensors`);
    }
  }
});

function rotateSplit(x: Float32Array, r: number[], t: number[] = [0, 0, 0]): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += 3) {
    for (let a = 0; a < 3; a++) {
      out[i + a] = r[3 * a] * x[i] + r[3 * a + 1] * x[i + 1] + r[3 * a + 2] * x[i + 2] + t[a];
    }
  }
  return out;
}

Deno.test("trained equivariant models predict equivariantly; baselines do not", async () => {
  const rng = new Rng(21);
  const rot = rng.rotation();
  const shift = [0.5, -1, 2];
  for (const model of MODELS) {
    for (const task of ["recall-fixed", "nbody"]) {
      const c = tinyCase(model, task, { epochs: 2 });
      const data = makeTaskData(c);
      const p = await buildPredictor(c, data);
      await train(p, data, { epochs: 2, batch: 16, lr: 3e-3, seed: 1 });
      const s = data.test, n = data.seqLen;
      const mk = (x: Float32Array, w: Float32Array | null) => ({
        x: tf.tensor3d(x, [s.n, n, 3]),
        f: tf.tensor3d(s.f, [s.n, n, data.scalarInputs]),
        ...(w ? { w: tf.tensor4d(w, [s.n, n, 1, 3]) } : {}),
      });
      const a = mk(s.x, s.w),
        b = mk(rotateSplit(s.x, rot, shift), s.w ? rotateSplit(s.w, rot) : null);
      const ya = p.predict(a), yb = p.predict(b);
      const expected = rotateSplit(ya.dataSync() as Float32Array, rot, shift);
      const got = yb.dataSync();
      let err = 0, scale = 0;
      for (let i = 0; i < got.length; i++) {
        err = Math.max(err, Math.abs(got[i] - expected[i]));
        scale = Math.max(scale, Math.abs(expected[i]));
      }
      if (model === "se3-hyena" || model === "equivariant-transformer") {
        assert.ok(err < 1e-3 * Math.max(1, scale), `${model} ${task}: equivariance error ${err}`);
      } else {
        assert.ok(
          err > 1e-2 * scale,
          `${model} ${task}: baseline unexpectedly equivariant (error ${err})`,
        );
      }
      tf.dispose([ya, yb, ...Object.values(a), ...Object.values(b)]);
      p.dispose();
    }
  }
});

Deno.test("runTrainingCase: result fields for a baseline", async () => {
  const r = await runTrainingCase(
    { ...tinyCase("transformer", "nbody"), epochs: 2 } as unknown as Case,
  ) as Record<string, unknown>;
  assert.equal(r.status, "ok");
  assert.ok(Number.isFinite(r.testMse as number));
  assert.ok(Number.isFinite(r.bestValMse as number));
  assert.equal((r.curve as unknown[]).length, 2);
  assert.ok((r.parameterCount as number) > 0);
  assert.ok(Number.isFinite(r.linearMotionMse as number));
  assert.equal((r.timeMs as { n: number }).n, 2);
  // What ran: the splits and the baseline's size (width from the case, the preset's blocks).
  assert.deepEqual(r.splits, { train: 64, val: 16, test: 16 });
  assert.deepEqual(r.modelSize, { width: 12, layers: 1 });
  await assert.rejects(
    () => runTrainingCase({ ...tinyCase("transformer", "nbody"), batch: 0 } as unknown as Case),
    /batch: expected a positive integer, got 0/,
  );
});
