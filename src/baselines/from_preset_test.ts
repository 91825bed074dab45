import assert from "node:assert/strict";
import { useBackend } from "../backend.ts";
import { createBaseline, isBaselineKind } from "./from_preset.ts";
import { createHyena } from "./hyena.ts";
import { createTransformer } from "./transformer.ts";

Deno.test("createBaseline builds the same encoder as the constructors with those sizes", async () => {
  await useBackend("cpu");
  const hy = createBaseline({ kind: "hyena", preset: "nbody", scalarInputs: 1, vectorInputs: 1 });
  const hyRef = createHyena({ scalarInputs: 1, vectorInputs: 1, width: 24, layers: 2 });
  assert.equal(hy.width, 24);
  assert.equal(hy.parameterCount(), hyRef.parameterCount());
  const tr = createBaseline({ kind: "transformer", preset: "tiny", scalarInputs: 4, heads: 2 });
  const trRef = createTransformer({ scalarInputs: 4, width: 12, layers: 1, heads: 2 });
  assert.equal(tr.width, 12);
  assert.equal(tr.parameterCount(), trRef.parameterCount());
  for (const e of [hy, hyRef, tr, trRef]) e.dispose();
  assert.ok(isBaselineKind("hyena") && isBaselineKind("transformer"));
  assert.ok(!isBaselineKind("se3-hyena"));
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => createBaseline({ kind: "se3-hyena" as any, preset: "tiny", scalarInputs: 4 }),
    /kind: expected one of hyena, transformer, got "se3-hyena"/,
  );
});
