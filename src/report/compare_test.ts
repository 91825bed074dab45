import assert from "node:assert/strict";
import type { CaseResult } from "../results.ts";
import { caseKey, compareSweeps, differs, parseThreshold, regressions } from "./compare.ts";
import { fixtureSweep } from "./testdata/fixture.ts";
import { scaleTimes } from "./testdata/sweeps.ts";

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

Deno.test("caseKey: PyTorch rows carry their framework and device, tfjs rows do not", () => {
  const row = fixtureSweep().results[0];
  const torch = {
    ...row,
    case: { ...row.case, framework: "torch" as const, device: "cpu" as const },
  };
  assert.equal(caseKey(torch), "se3-hyena/-/forward/64/1/quick/wasm/torch/cpu");
  const ckpt = { ...row, case: { ...row.case, pass: "backward" as const, checkpoint: true } };
  assert.equal(caseKey(ckpt), "se3-hyena/-/backward/64/1/quick/wasm/checkpoint");
  assert.equal(caseKey({ ...row, case: { ...row.case, framework: "tfjs" } }), caseKey(row));
});

Deno.test("configDiffs: sweep settings, environment, per-case budgets counted, load", () => {
  const a = fixtureSweep();
  const b = fixtureSweep({ sweepId: "fixture-b" });
  b.preset = "other";
  b.memoryBudgetBytes = 2 * 1024 ** 3;
  b.environment = {
    ...b.environment,
    gitCommit: "fedcba9876543210",
    gitDirty: true,
    deno: "2.9.7",
  };
  for (const r of b.results) {
    if (r.case.model === "se3-hyena" && r.case.pass !== "train") r.case.budgetMs = 500;
  }
  a.results[0].loadAvg = { before: [1, 1, 1], after: [2, 1, 1] };
  b.results[0].loadAvg = { before: [3, 2, 1], after: [3.5, 2, 1] };
  const cmp = compareSweeps(a, b);
  const byField = new Map(cmp.differences.map((d) => [d.field, d]));
  assert.deepEqual(byField.get("sweep.preset"), {
    field: "sweep.preset",
    baseline: "quick",
    candidate: "other",
  });
  assert.equal(byField.get("sweep.memoryBudgetBytes")?.candidate, "2 GiB (2147483648)");
  assert.equal(byField.get("env.gitCommit")?.candidate, "fedcba9876543210");
  assert.deepEqual(
    [byField.get("env.gitDirty")?.baseline, byField.get("env.gitDirty")?.candidate],
    ["–", "true"],
  );
  assert.equal(byField.get("env.deno")?.baseline, "2.9.6");
  const hyenaRows =
    cmp.matched.filter((d) => d.a.case.model === "se3-hyena" && d.a.case.pass !== "train").length;
  assert.deepEqual(byField.get("case.budgetMs"), {
    field: "case.budgetMs",
    baseline: "2000",
    candidate: "500",
    cases: hyenaRows,
  });
  assert.deepEqual(
    [
      byField.get("load (mean over cases)")?.baseline,
      byField.get("load (mean over cases)")?.candidate,
    ],
    ["1.50", "3.25"],
  );
  assert.ok(!byField.has("env.host") && !byField.has("case.seed") && !byField.has("sweep.sweepId"));
  assert.deepEqual(compareSweeps(a, structuredClone(a)).differences, []);
});

Deno.test("parseThreshold: percentages only", () => {
  assert.equal(parseThreshold("5%"), 0.05);
  assert.equal(parseThreshold("5"), 0.05);
  assert.equal(parseThreshold("0.5%"), 0.005);
  assert.equal(parseThreshold("0%"), 0);
  for (const bad of ["abc", "-5%", "", "5%%", "1e2", "%"]) {
    assert.equal(parseThreshold(bad), null, bad);
  }
});

Deno.test("regressions: slower beyond noise and beyond the threshold", () => {
  const a = fixtureSweep();
  const doubled = compareSweeps(a, scaleTimes(a, 2));
  const okRows = doubled.matched.filter((d) => d.a.timeMs && d.b.timeMs);
  assert.ok(okRows.length > 10);
  assert.equal(regressions(doubled, 0.05).length, okRows.length);
  assert.ok(doubled.matched.filter((d) => d.ratio !== null).every((d) => d.ratio === 2));
  assert.equal(regressions(compareSweeps(a, structuredClone(a)), 0.05).length, 0);
  // ×1.04 with ±1% CIs: slower beyond noise, but not beyond 5%; beyond 3%.
  const tight = (s: ReturnType<typeof fixtureSweep>) => {
    for (const r of s.results) {
      if (r.timeMs) r.timeMs.medianCI = [r.timeMs.median * 0.99, r.timeMs.median * 1.01];
    }
    return s;
  };
  const small = compareSweeps(tight(fixtureSweep()), tight(scaleTimes(fixtureSweep(), 1.04)));
  assert.ok(small.matched.some((d) => d.verdict === "slower"));
  assert.equal(regressions(small, 0.05).length, 0);
  assert.equal(regressions(small, 0.03).length, okRows.length);
  // ×1.5 within the noise (the ±3% CIs widened to ±50%): not a regression.
  const wide = (s: ReturnType<typeof fixtureSweep>) => {
    for (const r of s.results) {
      if (r.timeMs) r.timeMs.medianCI = [r.timeMs.median * 0.5, r.timeMs.median * 1.5];
    }
    return s;
  };
  assert.equal(
    regressions(compareSweeps(wide(fixtureSweep()), wide(scaleTimes(fixtureSweep(), 1.5))), 0.05)
      .length,
    0,
  );
});
