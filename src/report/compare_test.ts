import assert from "node:assert/strict";
import type { CaseResult } from "../results.ts";
import { caseKey, compareSweeps, differs } from "./compare.ts";
import { fixtureSweep } from "./testdata/fixture.ts";

function okRow(median: number, ci: [number, number] | undefined, p: [number, number]): CaseResult {
  const base = fixtureSweep().results[4];
  return {
    ...base,
    timeMs: {
      median,
      mean: median,
      min: p[0],
      max: p[1],
      p10: p[0],
      p90: p[1],
      n: 9,
      medianCI: ci,
    },
  };
}

Deno.test("differs: non-overlapping median CIs are significant, overlapping are not", () => {
  const a = okRow(10, [9.5, 10.5], [9, 11]);
  assert.deepEqual(differs(a, okRow(12, [11, 13], [10, 14])), {
    interval: "medianCI",
    significant: true,
  });
  assert.deepEqual(differs(a, okRow(10.4, [10.2, 10.6], [10, 11])), {
    interval: "medianCI",
    significant: false,
  });
});

Deno.test("differs: falls back to p10–p90 without CIs; n/a for non-ok rows", () => {
  const a = okRow(10, undefined, [9, 11]);
  assert.deepEqual(differs(a, okRow(20, undefined, [18, 22])), {
    interval: "p10-p90",
    significant: true,
  });
  const oom = { ...a, status: "oom" as const, timeMs: null };
  assert.deepEqual(differs(a, oom), { interval: null, significant: null });
});

Deno.test("compareSweeps: ratios, noise flags, matching by id then by fields", () => {
  const a = fixtureSweep();
  const b = fixtureSweep({
    sweepId: "fixture-b",
    hyenaForwardScale: 0.5,
    dropHyenaBackwardAt: 256,
  });
  // Renamed ids in B: these must still match by their fields.
  for (const r of b.results) if (r.case.model === "equivariant-transformer") r.id = `b-${r.id}`;
  const cmp = compareSweeps(a, b);
  assert.equal(cmp.aId, "fixture-a");
  assert.equal(cmp.bId, "fixture-b");
  assert.deepEqual(cmp.onlyA.map((r) => r.id), ["se3-hyena-backward-256"]);
  assert.deepEqual(cmp.onlyB, []);
  assert.equal(cmp.matched.length, a.results.length - 1);

  const hf = cmp.matched.find((d) => d.a.id === "se3-hyena-forward-1024")!;
  assert.equal(hf.matchedBy, "id");
  assert.equal(hf.ratio, 0.5);
  assert.equal(hf.significant, true);
  assert.equal(hf.verdict, "faster");

  const tf = cmp.matched.find((d) => d.a.id === "equivariant-transformer-forward-1024")!;
  assert.equal(tf.matchedBy, "fields");
  assert.equal(tf.ratio, 1);
  assert.equal(tf.significant, false);
  assert.equal(tf.verdict, "same");
  assert.equal(tf.memoryRatio, 1);

  const oom = cmp.matched.find((d) => d.a.status === "oom")!;
  assert.equal(oom.ratio, null);
  assert.equal(oom.verdict, "n/a");
});

Deno.test("compareSweeps: each B row is matched at most once", () => {
  const a = fixtureSweep();
  const b = fixtureSweep();
  b.results = [b.results[0]];
  const twice = { ...a, results: [a.results[0], { ...a.results[0], id: "other" }] };
  const cmp = compareSweeps(twice, b);
  assert.equal(cmp.matched.length, 1);
  assert.equal(cmp.onlyA.length, 1);
  assert.equal(caseKey(a.results[0]), "se3-hyena/-/forward/64/1/quick/wasm");
});

Deno.test("caseKey: training rows of different tasks never match by fields", () => {
  const rows = fixtureSweep().results.filter((r) => r.case.pass === "train");
  const fixed = rows.find((r) => r.id === "train-recall-fixed-hyena-32")!;
  const random = rows.find((r) => r.id === "train-recall-random-hyena-32")!;
  assert.equal(caseKey(fixed), "hyena/-/train/32/32/tiny/wasm/recall-fixed");
  assert.notEqual(caseKey(fixed), caseKey(random));
  const b = { ...fixtureSweep(), results: [{ ...random, id: "renamed" }] };
  const cmp = compareSweeps({ ...fixtureSweep(), results: [fixed] }, b);
  assert.equal(cmp.matched.length, 0);
});
