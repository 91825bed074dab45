import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { assertThrowsWith, testOnBackends } from "../clifford/testing.ts";
import { createModel, type CreateModelOptions, PRESETS } from "./create_model.ts";
import { disposeInputs, randomInputs } from "./testing.ts";

Deno.test("createModel: presets of design/model.md §6", () => {
  assert.deepEqual(PRESETS["paper-runtime"], { layers: 1, D: 16, C: 128, G: 8 });
  assert.deepEqual(PRESETS.recall, { layers: 3, D: 16, C: 128, G: 8 });
  assert.deepEqual(PRESETS.nbody, { layers: 2, D: 8, C: 16, G: 8 });
  assert.deepEqual(PRESETS.tiny, { layers: 1, D: 4, C: 8, G: 4 });
});

testOnBackends("createModel: config, defaults, parameter count and seeded init", () => {
  const a = createModel({
    kind: "se3-hyena",
    preset: "nbody",
    vectorInputs: 1,
    scalarInputs: 3,
    seed: 7,
  });
  assert.equal(a.kind, "se3-hyena");
  assert.equal(a.preset, "nbody");
  assert.deepEqual(a.config, { layers: 2, D: 8, C: 16, G: 8, S: 3, m: 1 });
  assert.equal(a.parameterCount(), a.trainableVariables.reduce((s, v) => s + v.size, 0));
  const b = createModel({
    kind: "equivariant-transformer",
    preset: "nbody",
    vectorInputs: 1,
    scalarInputs: 3,
    seed: 7,
  });
  assert.equal(b.parameterCount(), a.parameterCount()); // same parts, only step 2 differs
  const c = createModel({ kind: "se3-hyena", preset: "tiny" });
  assert.deepEqual(c.config, { layers: 1, D: 4, C: 8, G: 4, S: 4, m: 0 });
  // Same seed, same weights; a different seed, different weights.
  const a2 = createModel({
    kind: "se3-hyena",
    preset: "nbody",
    vectorInputs: 1,
    scalarInputs: 3,
    seed: 7,
  });
  const a3 = createModel({
    kind: "se3-hyena",
    preset: "nbody",
    vectorInputs: 1,
    scalarInputs: 3,
    seed: 8,
  });
  const inputs = randomInputs(a, 1, 6, 1);
  tf.tidy(() => {
    const y = a.apply(inputs), y2 = a2.apply(inputs), y3 = a3.apply(inputs);
    assert.deepEqual(y.f.arraySync(), y2.f.arraySync());
    assert.notDeepEqual(y.f.arraySync(), y3.f.arraySync());
  });
  disposeInputs(inputs);
  for (const m of [a, b, c, a2, a3]) m.dispose();
  assertThrowsWith(() => a.apply(inputs), "disposed");
});

testOnBackends("createModel and apply: bad input names the argument and value", () => {
  const bad: [Partial<CreateModelOptions>, ...string[]][] = [
    [{ kind: "hyena" as never, preset: "tiny" }, "kind", '"hyena"'],
    [{ kind: "se3-hyena", preset: "huge" as never }, "preset", '"huge"'],
    [
      { kind: "equivariant-transformer", preset: "tiny", attention: "linear" as never },
      "attention",
      '"linear"',
    ],
    [{ kind: "se3-hyena", preset: "tiny", scalarInputs: 0 }, "scalarInputs", "got 0"],
    [{ kind: "se3-hyena", preset: "tiny", vectorInputs: -1 }, "vectorInputs", "got -1"],
    [{ kind: "se3-hyena", preset: "tiny", attentionBlock: 2.5 }, "attentionBlock", "got 2.5"],
    [{ kind: "se3-hyena", preset: "tiny", seed: 0.5 }, "seed", "got 0.5"],
  ];
  for (const [opts, ...texts] of bad) {
    assertThrowsWith(() => createModel(opts as CreateModelOptions), ...texts);
  }
  const model = createModel({ kind: "se3-hyena", preset: "tiny", vectorInputs: 1 });
  tf.tidy(() => {
    const x = tf.zeros([1, 5, 3]) as tf.Tensor3D;
    const f = tf.zeros([1, 5, 4]) as tf.Tensor3D;
    const w = tf.zeros([1, 5, 1, 3]) as tf.Tensor4D;
    const cases: [() => unknown, ...string[]][] = [
      [() => model.apply({ x: tf.zeros([5, 3]) as never, f, w }), "x", "[5,3]"],
      [() => model.apply({ x: tf.zeros([1, 5, 2]) as never, f, w }), "x", "[1,5,2]"],
      [
        () => model.apply({ x: tf.zeros([1, 0, 3]) as never, f: tf.zeros([1, 0, 4]) as never, w }),
        "x",
        "N ≥ 1",
        "[1,0,3]",
      ],
      [() => model.apply({ x, f: tf.zeros([1, 6, 4]) as never, w }), "f", "N = 5", "[1,6,4]"],
      [() => model.apply({ x, f: tf.zeros([1, 5, 3]) as never, w }), "f", "S = 4", "[1,5,3]"],
      [() => model.apply({ x, f }), "w", "undefined"],
      [() => model.apply({ x, f, w: tf.zeros([1, 5, 2, 3]) as never }), "w", "[1,5,2,3]"],
      [() => model.apply({ x, f: tf.zeros([1, 5, 4], "int32") as never, w }), "f", "int32"],
      [() => model.apply({ x, f, w }, { tokenChunk: -2 }), "tokenChunk", "-2"],
    ];
    for (const [fn, ...texts] of cases) assertThrowsWith(fn, ...texts);
  });
  model.dispose();
  const noW = createModel({ kind: "equivariant-transformer", preset: "tiny" });
  tf.tidy(() => {
    assertThrowsWith(
      () =>
        noW.apply({
          x: tf.zeros([1, 5, 3]) as never,
          f: tf.zeros([1, 5, 4]) as never,
          w: tf.zeros([1, 5, 1, 3]) as never,
        }),
      "w",
      "vectorInputs 0",
    );
  });
  noW.dispose();
});
