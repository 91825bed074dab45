import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import type { Case } from "../results.ts";
import { createBaseline } from "../baselines/from_preset.ts";
import {
  type BenchModel,
  DEFAULT_CHECKPOINT_TOKEN_CHUNK,
  measureCase,
  MIN_REPEATS,
  type ModelModule,
} from "./measure.ts";

/** A small real model (two variables) standing in for src/models in runner tests. */
function fakeModels(behaviour: "ok" | "leak" | "oom" = "ok"): ModelModule {
  return {
    PRESETS: { tiny: { D: 4 } },
    createModel({ seed }): BenchModel {
      const init = [tf.randomNormal([4, 4], 0, 1, "float32", seed), tf.scalar(0.5)];
      const w = tf.variable(init[0]); // [D, D]
      const a = tf.variable(init[1]);
      tf.dispose(init);
      return {
        apply({ x, f }) {
          if (behaviour === "oom") throw new RangeError("Array buffer allocation failed");
          const [b, n, d] = f.shape;
          const y = tf.reshape(tf.matMul(tf.reshape(f, [b * n, d]), w), [b, n, d]); // [B, N, D]
          if (behaviour === "leak") tf.keep(tf.add(y, 1));
          return { x: tf.mul(x, a), f: y };
        },
        trainableVariables: [w, a],
        parameterCount: () => 17,
        dispose: () => {
          w.dispose();
          a.dispose();
        },
      };
    },
  };
}

const base: Case = {
  model: "se3-hyena",
  pass: "forward",
  seqLen: 32,
  batch: 2,
  preset: "tiny",
  backend: "cpu",
  dtype: "float32",
  repeats: 3,
  warmup: 1,
  budgetMs: 0,
  timeoutMs: 60_000,
  seed: 1,
};

Deno.test("measureCase times a forward pass and reports memory, FLOPs and no leak", async () => {
  const r = await measureCase(base, { modelModule: fakeModels() });
  assert.equal(r.status, "ok", r.error);
  assert.equal(r.timeMs!.n, 3);
  assert.ok(r.timeMs!.median > 0);
  assert.ok(r.timeMs!.min <= r.timeMs!.median && r.timeMs!.median <= r.timeMs!.max);
  assert.ok(r.memory.peakBytes! >= 2 * 32 * (3 + 4) * 4, `peakBytes ${r.memory.peakBytes}`); // inputs at least
  assert.ok(r.memory.rssPeakBytes! > 0);
  assert.equal(r.leakedTensors, 0);
  assert.equal(r.parameterCount, 17);
  assert.equal(r.tokenChunk, 8192);
  assert.ok(r.flops! > 0);
  assert.equal(r.worker.backend, "cpu");
  assert.match(r.id, /^[0-9a-f]{16}$/);
});

Deno.test("measureCase backward runs variableGrads and disposes everything", async () => {
  const before = tf.memory().numTensors;
  const r = await measureCase({ ...base, pass: "backward" }, { modelModule: fakeModels() });
  assert.equal(r.status, "ok", r.error);
  assert.equal(r.leakedTensors, 0);
  assert.equal(r.flops, 3 * (await measureCase(base, { modelModule: fakeModels() })).flops!);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("measureCase turns a leak into an error and keeps the numbers", async () => {
  const r = await measureCase(base, { modelModule: fakeModels("leak") });
  assert.equal(r.status, "error");
  assert.match(r.error!, /leak: \d+ tensors/);
  assert.ok((r.leakedTensors as number) > 0);
  assert.ok(r.timeMs !== null);
});

Deno.test("measureCase records allocation failures as oom at the case's length", async () => {
  const r = await measureCase(base, { modelModule: fakeModels("oom") });
  assert.equal(r.status, "oom");
  assert.equal(r.oomAt, 32);
  assert.match(r.error!, /allocation failed/);
});

Deno.test("measureCase repeats adaptively up to maxRepeats while the median is unstable", async () => {
  // relTol 0 is never met with timing noise, budget is ample: stops at maxRepeats.
  const r = await measureCase({ ...base, budgetMs: 60_000 }, {
    modelModule: fakeModels(),
    relTol: 0,
    maxRepeats: 8,
  });
  assert.equal(r.timeMs!.n, 8);
  assert.equal(r.stopReason, "max-repeats");
  // With no time budget it stops at the minimum.
  const r2 = await measureCase({ ...base, repeats: 4 }, { modelModule: fakeModels(), relTol: 0 });
  assert.equal(r2.timeMs!.n, 4);
});

Deno.test("measureCase takes at least MIN_REPEATS timed samples whatever repeats says", async () => {
  const r = await measureCase({ ...base, repeats: 1 }, { modelModule: fakeModels(), relTol: 0 });
  assert.equal(r.timeMs!.n, MIN_REPEATS);
  assert.equal(r.stopReason, "repeats");
});

Deno.test("measureCase reports a missing preset or bad backend as an error, not a throw", async () => {
  const r = await measureCase({ ...base, preset: "huge" }, {
    modelModule: { createModel: fakeModels().createModel },
  });
  assert.equal(r.status, "error");
  assert.match(r.error!, /preset: unknown preset "huge"/);
});

Deno.test("measureCase runs the real models (tiny preset) forward and backward without leaks", async () => {
  for (const model of ["se3-hyena", "equivariant-transformer"] as const) {
    for (const pass of ["forward", "backward"] as const) {
      const c: Case = {
        ...base,
        model,
        pass,
        seqLen: 16,
        batch: 1,
        repeats: 2,
        warmup: 0,
        ...(model === "equivariant-transformer" ? { attention: "materialized" as const } : {}),
      };
      const r = await measureCase(c);
      assert.equal(r.status, "ok", `${model} ${pass}: ${r.error}`);
      assert.equal(r.leakedTensors, 0);
      assert.ok((r.parameterCount as number) > 0);
      assert.ok(r.memory.peakBytes! > 0);
      assert.ok(r.flops! > 0);
    }
  }
});

Deno.test("measureCase times the non-equivariant baselines (tiny preset) forward and backward without leaks", async () => {
  for (const model of ["hyena", "transformer"] as const) {
    // The same size the training cases use: W = 3·D = 12, one block.
    const ref = createBaseline({ kind: model, preset: "tiny", scalarInputs: 4, seed: 1 });
    const params = ref.parameterCount();
    assert.equal(ref.width, 12);
    ref.dispose();
    for (const pass of ["forward", "backward"] as const) {
      const before = tf.memory().numTensors;
      const c: Case = { ...base, model, pass, seqLen: 16, batch: 1, repeats: 2, warmup: 0 };
      const r = await measureCase(c);
      assert.equal(r.status, "ok", `${model} ${pass}: ${r.error}`);
      assert.equal(r.leakedTensors, 0);
      assert.equal(r.parameterCount, params, `${model}: parameters`);
      assert.ok(r.timeMs!.median > 0);
      assert.ok(r.memory.peakBytes! > 0);
      assert.equal(r.tokenChunk, null, "baselines do not chunk tokens");
      assert.equal(tf.memory().numTensors, before, `${model} ${pass}: tensors freed`);
    }
  }
});

Deno.test("measureCase: a baseline on an unknown preset is an error naming it", async () => {
  const r = await measureCase({ ...base, model: "hyena", preset: "huge" });
  assert.equal(r.status, "error");
  assert.match(r.error!, /preset: unknown preset "huge"/);
});

Deno.test("measureCase records the wasm trap 'memory access out of bounds' as oom", async () => {
  const r = await measureCase({ ...base, backend: "wasm" }, {
    modelModule: {
      PRESETS: { tiny: { D: 4 } },
      createModel(): BenchModel {
        throw new WebAssembly.RuntimeError("memory access out of bounds");
      },
    },
  });
  assert.equal(r.status, "oom", r.error);
  assert.equal(r.oomAt, 32);
  assert.equal(
    r.error,
    "RuntimeError: memory access out of bounds (wasm trap without an allocation message, " +
      "counted as out of memory)",
  );
});

Deno.test("measureCase: checkpoint reaches apply on backward cases, with the token chunk", async () => {
  const seen: unknown[] = [];
  const models = fakeModels();
  const spy: ModelModule = {
    PRESETS: models.PRESETS,
    createModel(o) {
      const m = models.createModel(o);
      return { ...m, apply: (inputs, options) => (seen.push(options), m.apply(inputs, options)) };
    },
  };
  const r = await measureCase({ ...base, pass: "backward", checkpoint: true, tokenChunk: 7 }, {
    modelModule: spy,
  });
  assert.equal(r.status, "ok", r.error);
  assert.equal(r.tokenChunk, 7);
  assert.ok(
    seen.length > 0 &&
      seen.every((o) => JSON.stringify(o) === '{"checkpoint":true,"tokenChunk":7}'),
  );
  seen.length = 0;
  const plain = await measureCase({ ...base, pass: "backward" }, { modelModule: spy });
  assert.equal(plain.tokenChunk, null);
  assert.ok(seen.every((o) => o === undefined), "plain backward: no options");
  const byDefault = await measureCase({ ...base, pass: "backward", checkpoint: true }, {
    modelModule: spy,
  });
  assert.equal(byDefault.tokenChunk, DEFAULT_CHECKPOINT_TOKEN_CHUNK);
  // The real model, checkpointed, leaks nothing.
  const real = await measureCase({
    ...base,
    pass: "backward",
    checkpoint: true,
    tokenChunk: 5,
    seqLen: 9,
    repeats: 1,
    warmup: 0,
  });
  assert.equal(real.status, "ok", real.error);
  assert.equal(real.leakedTensors, 0);
});
