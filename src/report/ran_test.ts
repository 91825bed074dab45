import assert from "node:assert/strict";
import { ranSummary } from "./ran.ts";
import { fixtureSweep } from "./testdata/fixture.ts";
import { smallSweep } from "./testdata/small_sweep.ts";

Deno.test("ranSummary: what the rows ran, not what a description says", () => {
  const s = smallSweep([
    { model: "h", n: 64, ms: 1 },
    { model: "t", n: 128, ms: 1 },
  ]);
  // Rows start a second apart and last 0.5 s: 1.5 s from the first start to the last finish.
  assert.equal(
    ranSummary(s),
    "2 cases: SE(3)-Hyena, equivariant transformer; forward; N = 64, 128; wall 1,500 ms (first start to last finish)",
  );
  const train = fixtureSweep().results.filter((r) => r.case.pass === "train").map((r) => ({
    ...r,
    case: { ...r.case, epochs: 150 },
    epochsRun: 150,
  }));
  assert.match(ranSummary({ ...s, results: train }), /; train; .*150 epochs planned; 150 run/);
  assert.equal(ranSummary({ ...s, results: [] }), "no cases");
});
