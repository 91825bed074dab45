/**
 * Whole-model SE(3) equivariance: random proper rotation + translation, both models,
 * presets `tiny` and `paper-runtime`, N = 10 and 37, with and without extra vectors w.
 */
import assert from "node:assert/strict";
import { testOnBackends } from "../clifford/testing.ts";
import { createModel } from "./create_model.ts";
import type { ModelKind } from "./equivariant_model.ts";
import type { PresetName } from "./presets.ts";
import { disposeInputs, randomInputs, se3EquivarianceError } from "./testing.ts";

const KINDS: ModelKind[] = ["se3-hyena", "equivariant-transformer"];
const CASES: { preset: PresetName; n: number; m: number; b: number }[] = [
  { preset: "tiny", n: 10, m: 0, b: 2 },
  { preset: "tiny", n: 37, m: 2, b: 1 },
  { preset: "paper-runtime", n: 10, m: 1, b: 1 },
  { preset: "paper-runtime", n: 37, m: 0, b: 1 },
];

for (const kind of KINDS) {
  testOnBackends(
    `${kind}: SE(3)-equivariant (tiny, paper-runtime; N 10, 37; with and without w)`,
    () => {
      for (const { preset, n, m, b } of CASES) {
        const model = createModel({ kind, preset, vectorInputs: m, seed: n });
        const inputs = randomInputs(model, b, n, 100 + n);
        const err = se3EquivarianceError(model, inputs, n + m);
        assert.ok(err.x < 1e-4 && err.f < 1e-4, `${preset} N ${n} m ${m}: ${JSON.stringify(err)}`);
        disposeInputs(inputs);
        model.dispose();
      }
    },
  );
}

testOnBackends("equivariant-transformer (gram, blocked): SE(3)-equivariant", () => {
  const model = createModel({
    kind: "equivariant-transformer",
    preset: "tiny",
    attention: "gram",
    attentionBlock: 4,
  });
  const inputs = randomInputs(model, 1, 10, 3);
  const err = se3EquivarianceError(model, inputs, 4);
  assert.ok(err.x < 1e-4 && err.f < 1e-4, JSON.stringify(err));
  disposeInputs(inputs);
  model.dispose();
});
