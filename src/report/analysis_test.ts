import assert from "node:assert/strict";
import {
  analyse,
  buildSeries,
  HYENA,
  longestContext,
  ratioSeries,
  TRANSFORMER,
} from "./analysis.ts";
import { claimsOf } from "./claims.ts";
import { BUDGET, fixtureSweep } from "./testdata/fixture.ts";
import { CHECKPOINT_N, frameworksSweep, FW_LENGTHS, torchMs } from "./testdata/frameworks.ts";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

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
  const k = claimsOf(h);
  // Brackets: SE(3)-Hyena [32768, 65536), the transformer [8192, 16384).
  assert.deepEqual(k.contextRatio, { kind: "bounded", low: 32768 / 16384, high: 65536 / 8192 });
  // The fixture's times cross between 1024 and 2048 (±3% CIs, beyond noise at both).
  assert.equal(k.crossover.kind, "bracketed");
  assert.deepEqual([k.crossover.low, k.crossover.high], [1024, 2048]);
  assert.ok(k.crossover.estimate! > 1024 && k.crossover.estimate! < 2048);
  assert.ok(k.transformerExponent.kind === "fit" && k.hyenaExponent.kind === "fit");
  assert.ok(k.transformerExponent.exponent > 1.8 && k.transformerExponent.exponent <= 2);
  assert.ok(k.hyenaExponent.exponent > 0.6 && k.hyenaExponent.exponent < 1);
  const back = claimsOf(a.comparisons.find((c) => c.pass === "backward")!);
  assert.deepEqual(back.contextRatio, { kind: "bounded", low: 16384 / 4096, high: 32768 / 2048 });
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
  const a = claimsOf(analyse(noHyenaOom).headline!);
  assert.deepEqual(a.contextRatio, { kind: "at-least", low: 32768 / 16384, high: null });
  const noOom = fixtureSweep();
  noOom.results = noOom.results.filter((r) => r.status !== "oom");
  assert.equal(claimsOf(analyse(noOom).headline!).contextRatio.kind, "unknown");
});

Deno.test("buildSeries: TensorFlow.js and PyTorch rows never share a series; checkpointed rows have their own", () => {
  const a = analyse(frameworksSweep());
  assert.deepEqual(a.series.map((s) => s.label), [
    "SE(3)-Hyena · forward (TensorFlow.js wasm)",
    "SE(3)-Hyena · forward (PyTorch cpu)",
    "SE(3)-Hyena · backward (TensorFlow.js wasm)",
    "SE(3)-Hyena · backward (TensorFlow.js wasm, checkpointed)",
    "SE(3)-Hyena · backward (PyTorch cpu)",
    "equivariant transformer · forward (TensorFlow.js wasm)",
    "equivariant transformer · forward (PyTorch cpu)",
    "equivariant transformer · backward (TensorFlow.js wasm)",
    "equivariant transformer · backward (PyTorch cpu)",
  ]);
  const torchHf = a.series[1];
  assert.deepEqual([torchHf.framework, torchHf.device, torchHf.platform], [
    "torch",
    "cpu",
    "torch:cpu",
  ]);
  assert.deepEqual(
    torchHf.points.map((p) => p.median),
    FW_LENGTHS.map((n) => torchMs(HYENA, "forward", n)),
  );
  const plain = a.series[2], ckpt = a.series[3];
  assert.deepEqual(plain.points.map((p) => p.seqLen), FW_LENGTHS);
  assert.deepEqual(ckpt.points.map((p) => p.seqLen), [CHECKPOINT_N]);
  assert.equal(ckpt.checkpoint, true);
  assert.notEqual(plain.key, ckpt.key);
  // Comparisons only within one framework (and checkpointing): tfjs and torch, forward and
  // backward; the checkpointed series has no transformer partner.
  assert.deepEqual(
    a.comparisons.map((c) => `${c.pass} ${c.hyena.platform} ${c.transformer.platform}`),
    [
      "forward tfjs tfjs",
      "forward torch:cpu torch:cpu",
      "backward tfjs tfjs",
      "backward torch:cpu torch:cpu",
    ],
  );
  assert.ok(a.comparisons.every((c) => !c.hyena.checkpoint));
  const torchF = a.comparisons[1];
  close(
    torchF.largest!.speedup!,
    torchMs(TRANSFORMER, "forward", 4096) / torchMs(HYENA, "forward", 4096),
  );
  // The headline is within the primary framework (TensorFlow.js), forward.
  assert.deepEqual(a.platforms, ["tfjs", "torch:cpu"]);
  assert.equal(a.headline, a.comparisons[0]);
  assert.equal(a.headline!.transformer.platform, "tfjs");
  // A single-framework sweep keeps its labels (no framework suffix).
  assert.deepEqual(analyse(fixtureSweep()).platforms, ["tfjs"]);
});

Deno.test("analyse: the headline stays within TensorFlow.js when PyTorch has more lengths", () => {
  const sweep = frameworksSweep();
  // PyTorch also ran N = 64 for both models: its forward comparison has more common lengths.
  for (
    const r of sweep.results.filter((r) => r.case.framework === "torch" && r.case.seqLen === 256)
  ) {
    sweep.results.push({ ...r, id: `${r.id}-64`, case: { ...r.case, seqLen: 64 } });
  }
  const a = analyse(sweep);
  const torchF = a.comparisons.find((c) =>
    c.hyena.platform === "torch:cpu" && c.pass === "forward"
  )!;
  assert.equal(torchF.points.length, FW_LENGTHS.length + 1);
  assert.equal(a.headline?.hyena.platform, "tfjs");
  assert.equal(a.headline?.pass, "forward");
});

Deno.test("analyse: without TensorFlow.js rows the headline comes from the first platform", () => {
  const sweep = frameworksSweep();
  sweep.results = sweep.results.filter((r) => r.case.framework === "torch");
  const a = analyse(sweep);
  assert.deepEqual(a.platforms, ["torch:cpu"]);
  assert.equal(a.headline?.hyena.platform, "torch:cpu");
  assert.equal(a.series[0].label, "SE(3)-Hyena · forward");
});

Deno.test("memoryBudgets: PyTorch's budget is its own, not the backend field's", () => {
  const sweep = frameworksSweep();
  for (const r of sweep.results) r.memory.budgetBytes = r.case.framework ? 80e9 : BUDGET;
  assert.deepEqual(analyse(sweep).budgets, { wasm: BUDGET, "PyTorch cpu": 80e9 });
});

Deno.test("analyse: when TensorFlow.js ran one model only, the headline is PyTorch's", () => {
  const sweep = frameworksSweep();
  sweep.results = sweep.results.filter((r) =>
    r.case.framework === "torch" || r.case.model === HYENA
  );
  const a = analyse(sweep);
  assert.deepEqual(a.platforms, ["tfjs", "torch:cpu"]);
  assert.equal(a.headline?.hyena.platform, "torch:cpu");
  assert.ok(a.comparisons.every((c) => c.hyena.platform === "torch:cpu"));
});
