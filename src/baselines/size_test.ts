import assert from "node:assert/strict";
import { PRESETS } from "../models/presets.ts";
import { baselineSize } from "./size.ts";

Deno.test("baselineSize: W = 3·D and the preset's blocks, overridable", () => {
  for (const [name, p] of Object.entries(PRESETS)) {
    assert.deepEqual(baselineSize(name), { width: 3 * p.D, layers: p.layers }, name);
  }
  assert.deepEqual(baselineSize("nbody"), { width: 24, layers: 2 });
  assert.deepEqual(baselineSize("recall", { width: 30, layers: 1 }), { width: 30, layers: 1 });
  assert.throws(() => baselineSize("huge"), /preset: expected one of .*got "huge"/);
});
