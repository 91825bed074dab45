import assert from "node:assert/strict";
import {
  analyse,
  buildSeries,
  crossoverLength,
  fitExponent,
  longestContext,
  type RatioPoint,
  ratioSeries,
} from "./analysis.ts";
import { BUDGET, fixtureSweep } from "./testdata/fixture.ts";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

Deno.test("fitExponent: N and N² series give exponents 1 and 2", () => {
  const ns = [16, 32, 64, 128, 256, 512, 1024];
  close(fitExponent(ns.map((n) => ({ seqLen: n, value: 3 * n })))!.exponent, 1);
  close(fitExponent(ns.map((n) => ({ seqLen: n, value: 0.5 * n * n })))!.exponent, 2);
});

Deno.test("fitExponent uses only the upper half of the lengths", () => {
  // Flat (overhead-bound) at small N, quadratic above: the fit must see only N².
  const pts = [1, 2, 4, 8].map((n) => ({ seqLen: n, value: 100 }))
    .concat([16, 32, 64, 128].map((n) => ({ seqLen: n, value: n * n })));
  const fit = fitExponent(pts)!;
  close(fit.exponent, 2);
  assert.equal(fit.points, 4);
  assert.equal(fit.fromN, 16);
  assert.equal(fit.toN, 128);
});

Deno.test("fitExponent: null with fewer than 2 usable lengths", () => {
  assert.equal(fitExponent([{ seqLen: 10, value: 1 }]), null);
  assert.equal(fitExponent([{ seqLen: 10, value: 1 }, { seqLen: 20, value: 0 }]), null);
});

function rp(seqLen: number, speedup: number | null): RatioPoint {
  return {
    seqLen,
    speedup,
    hyenaMs: null,
    transformerMs: null,
    hyenaBytes: null,
    transformerBytes: null,
    memoryRatio: null,
  };
}

Deno.test("crossoverLength interpolates in log-log between the bracketing lengths", () => {
  const c = crossoverLength([rp(500, 0.25), rp(1000, 0.5), rp(4000, 2), rp(8000, 4)]);
  assert.equal(c.kind, "crossed");
  close(c.length!, 2000); // log-midpoint of 1000 and 4000, where log(speed-up) is 0
});

Deno.test("crossoverLength: the last upward crossing counts", () => {
  const c = crossoverLength([rp(100, 0.5), rp(200, 1.5), rp(400, 0.9), rp(800, 1.1)]);
  assert.equal(c.kind, "crossed");
  assert.ok(c.length! > 400 && c.length! < 800);
});

Deno.test("crossoverLength: always faster, never faster, no data", () => {
  assert.deepEqual(crossoverLength([rp(1, 1), rp(2, 3)]), { kind: "always-faster", length: null });
  assert.deepEqual(crossoverLength([rp(1, 0.1), rp(2, 0.3)]), {
    kind: "never-faster",
    length: null,
  });
  assert.deepEqual(crossoverLength([rp(1, null)]), { kind: "insufficient", length: null });
  // Faster at small lengths only: not "never faster".
  const below = crossoverLength([rp(100, 2), rp(400, 0.5)]);
  assert.equal(below.kind, "faster-below");
  assert.ok(Math.abs(below.length! - 200) < 1e-9, `length ${below.length}`);
});

Deno.test("buildSeries: one series per model × pass, train rows ignored, repeats deduplicated", () => {
  const series = buildSeries(fixtureSweep().results);
  assert.deepEqual(series.map((s) => s.label), [
    "SE(3)-Hyena · forward",
    "SE(3)-Hyena · backward",
    "equivariant transformer · forward",
    "equivariant transformer · backward",
  ]);
  const hf = series[0];
  // 64 … 32768 ok, 65536 oom; the failed repeat at 512 does not replace the ok row.
  assert.equal(hf.points.length, 11);
  assert.equal(hf.points.find((p) => p.seqLen === 512)!.status, "ok");
  assert.equal(hf.points.at(-1)!.status, "oom");
  // transformer forward: 64 … 8192 ok, 3000 timeout, 16384 oom
  const tf = series[2];
  assert.deepEqual(
    tf.points.map((p) => `${p.seqLen}:${p.status}`).slice(-5),
    ["2048:ok", "3000:timeout", "4096:ok", "8192:ok", "16384:oom"],
  );
});

Deno.test("ratioSeries: speed-up and memory ratio at each common ok length", () => {
  const [hf, , tf] = buildSeries(fixtureSweep().results);
  const { metric, points } = ratioSeries(hf, tf);
  assert.equal(metric, "peakBytes");
  assert.deepEqual(points.map((p) => p.seqLen), [64, 128, 256, 512, 1024, 2048, 4096, 8192]);
  const at = points.at(-1)!;
  close(at.speedup!, (2 + 1e-5 * 8192 ** 2) / (20 + 0.01 * 8192));
  close(at.memoryRatio!, (64 * 8192 ** 2) / (1e5 * 8192));
});

Deno.test("longestContext: ok within budget, and whether the limit was found", () => {
  const [hf, hb, tf, tb] = buildSeries(fixtureSweep().results);
  assert.deepEqual(longestContext(hf), { seqLen: 32768, limitFound: true, firstFailure: 65536 });
  // 8192 uses exactly the budget (64·8192² = 4 GiB): within it.
  assert.equal(longestContext(tf).seqLen, 8192);
  assert.equal(longestContext(hb).seqLen, 16384);
  assert.equal(longestContext(tb).seqLen, 2048);
  // A tighter budget: rows over it count as failures even with status ok.
  assert.deepEqual(longestContext(tf, { budgetBytes: BUDGET / 4 }), {
    seqLen: 4096,
    limitFound: true,
    firstFailure: 8192,
  });
  // A series that never failed: a lower bound.
  const okOnly = { ...hf, points: hf.points.filter((p) => p.status === "ok") };
  assert.deepEqual(longestContext(okOnly), {
    seqLen: 32768,
    limitFound: false,
    firstFailure: null,
  });
});

Deno.test("analyse: headline is the forward comparison; context ratio; exponents", () => {
  const a = analyse(fixtureSweep());
  assert.equal(a.comparisons.length, 2);
  const h = a.headline!;
  assert.equal(h.pass, "forward");
  assert.equal(h.largest!.seqLen, 8192);
  assert.equal(h.contextRatio, 32768 / 8192);
  assert.equal(h.contextRatioKind, "exact");
  assert.equal(h.crossover.kind, "crossed");
  assert.ok(h.crossover.length! > 1024 && h.crossover.length! < 2048);
  assert.ok(h.transformerExponent!.exponent > 1.8 && h.transformerExponent!.exponent <= 2);
  assert.ok(h.hyenaExponent!.exponent > 0.6 && h.hyenaExponent!.exponent < 1);
  const back = a.comparisons.find((c) => c.pass === "backward")!;
  assert.equal(back.contextRatio, 16384 / 2048);
  assert.deepEqual(a.budgets, { wasm: BUDGET });
});

Deno.test("analyse: tolerates a sweep with no rows or only one model", () => {
  const empty = analyse({ ...fixtureSweep(), results: [] });
  assert.equal(empty.headline, null);
  assert.deepEqual(empty.series, []);
  const only = fixtureSweep();
  only.results = only.results.filter((r) => r.case.model === "se3-hyena");
  const a = analyse(only);
  assert.equal(a.series.length, 2);
  assert.equal(a.headline, null);
});

Deno.test("analyse: the context ratio says when it is only a bound", () => {
  const noHyenaOom = fixtureSweep();
  noHyenaOom.results = noHyenaOom.results.filter((r) =>
    !(r.case.model === "se3-hyena" && r.status === "oom")
  );
  const a = analyse(noHyenaOom).headline!;
  assert.equal(a.contextRatio, 4);
  assert.equal(a.contextRatioKind, "lower-bound");
  const noOom = fixtureSweep();
  noOom.results = noOom.results.filter((r) => r.status !== "oom");
  assert.equal(analyse(noOom).headline!.contextRatioKind, "unknown");
});
