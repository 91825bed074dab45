import assert from "node:assert/strict";
import { analyse } from "./analysis.ts";
import { memoryChart, ratioChart, ratioColor, runtimeChart, timelineChart } from "./charts.ts";
import { fixtureSweep } from "./testdata/fixture.ts";
import { frameworksSweep } from "./testdata/frameworks.ts";
import { PAPER_FIG5 } from "./paper.ts";
import { smallSweep } from "./testdata/small_sweep.ts";
import { shadeOf } from "./training.ts";

Deno.test("charts: the x axis fits our lengths, not the paper's overlay", () => {
  // The `tiny` case: our lengths 64 and 128, the paper's up to 20,000.
  const a = analyse(smallSweep([
    { model: "h", n: 64, ms: 30, peak: 1e6 },
    { model: "h", n: 128, ms: 40, peak: 2e6 },
    { model: "t", n: 64, ms: 10, peak: 1e6 },
    { model: "t", n: 128, ms: 50, peak: 4e6 },
  ]));
  for (const spec of [runtimeChart(a), memoryChart(a, "forward")!, ratioChart(a)!]) {
    assert.ok(spec.x.min! < 64 && spec.x.min! > 32, `${spec.id} min ${spec.x.min}`);
    assert.ok(spec.x.max! > 128 && spec.x.max! < 256, `${spec.id} max ${spec.x.max}`);
    // The overlay is still drawn (clipped by the axis), never dropped.
    assert.ok(spec.datasets.some((d) => d.role === "paper" && d.data.length === PAPER_FIG5.length));
  }
});

Deno.test("training colours: one hue per model, a distinct shade per length", () => {
  const shades = [0, 1, 2].map((i) => shadeOf("se3-hyena", i, 3));
  assert.equal(new Set(shades).size, 3);
  assert.equal(shadeOf("se3-hyena", 0, 1), "#1f6fb4");
  assert.notEqual(shadeOf("hyena", 1, 3), shadeOf("se3-hyena", 1, 3));
  for (const c of shades) assert.match(c, /^#[0-9a-f]{6}$/);
});

Deno.test("timeline: training rows of four models get four colours", () => {
  const rows = fixtureSweep().results.filter((r) => r.case.pass === "train").map((r, i) => ({
    ...r,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    finishedAt: new Date(Date.UTC(2025, 0, 1, 0, i, 30)).toISOString(),
  }));
  const spec = timelineChart({ ...fixtureSweep(), results: rows })!;
  assert.equal(spec.datasets.length, 4);
  assert.equal(new Set(spec.datasets.map((d) => d.color)).size, 4);
});

Deno.test("ratioChart: each framework's ratio lines in their own colour", () => {
  const a = analyse(frameworksSweep());
  const spec = ratioChart(a)!;
  const colour = (platform: string) =>
    new Set(
      spec.datasets.filter((d) =>
        d.label.includes(platform === "tfjs" ? "TensorFlow.js" : "PyTorch")
      )
        .map((d) => d.color),
    );
  const tfjs = colour("tfjs"), torch = colour("torch:cpu");
  assert.equal(tfjs.size, 4); // speed-up and memory ratio, forward and backward
  assert.equal(torch.size, 4);
  assert.ok([...tfjs].every((c) => !torch.has(c)));
  assert.equal(ratioColor("speedup", a.comparisons[0], a), "#1f6fb4");
});
