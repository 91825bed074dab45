import assert from "node:assert/strict";
import { buildHistory, detectSteps, type HistoryPoint, sweepDate } from "./history.ts";
import { historySweeps, NOISY_CASE, SMALL_CASE, STEP_CASE } from "./testdata/sweeps.ts";
import { fixtureSweep } from "./testdata/fixture.ts";

Deno.test("history: sweeps ordered by commit date, else createdAt, labelled by commit and date", () => {
  const h = buildHistory(historySweeps());
  assert.deepEqual(h.sweeps.map((s) => s.sweepId), ["hist-1", "hist-2", "hist-3", "hist-4"]);
  assert.deepEqual(h.sweeps.map((s) => s.dateSource), ["commit", "commit", "created", "commit"]);
  assert.equal(h.sweeps[0].label, "c100000+ 2026-01-01 09:00");
  assert.equal(h.sweeps[2].label, "c300000 2026-01-03 12:00");
  assert.equal(h.sweeps[0].path, "sweeps/1/results.json");
  assert.equal(h.threshold, 0.05);
  // The same sweep twice: the labels stay unique (they name x-axis positions).
  const twice = buildHistory([...historySweeps(), historySweeps()[0]]);
  assert.deepEqual(twice.sweeps.slice(2, 4).map((s) => s.label), [
    "c300000 2026-01-03 12:00",
    "c300000 2026-01-03 12:00 (2)",
  ]);
});

Deno.test("history: each case's points, one per sweep that ran it", () => {
  const h = buildHistory(historySweeps());
  const s = h.series.find((x) => x.key === STEP_CASE)!;
  assert.equal(s.group, "se3-hyena/-/forward/1/quick/wasm");
  assert.equal(s.seqLen, 1024);
  const m = 20 + 0.01 * 1024; // the fixture's SE(3)-Hyena forward time
  assert.deepEqual(s.points.map((p) => p.sweep), [0, 1, 2, 3]);
  const medians = s.points.map((p) => Number(p.median!.toFixed(6)));
  assert.deepEqual(medians, [m, m * 1.02, m * 1.5, m].map((x) => Number(x.toFixed(6))));
  // The transformer rows are gone from sweep 4: three points.
  const t = h.series.find((x) =>
    x.key.startsWith("equivariant-transformer/materialized/forward/64/")
  )!;
  assert.deepEqual(t.points.map((p) => p.sweep), [0, 1, 2]);
  // An oom row is a point without a median.
  const oom = h.series.find((x) => x.points[0].status === "oom")!;
  assert.equal(oom.points[0].median, null);
  // The repeated failed row at 512 does not replace the ok one.
  const r512 = h.series.find((x) => x.key === "se3-hyena/-/forward/512/1/quick/wasm")!;
  assert.ok(r512.points.every((p) => p.status === "ok"));
});

Deno.test("history: steps where CIs part and the change exceeds the threshold", () => {
  const h = buildHistory(historySweeps());
  const s = h.series.find((x) => x.key === STEP_CASE)!;
  assert.deepEqual(
    s.steps.map((t) => [t.from, t.to, t.direction, Number(t.ratio.toFixed(4))]),
    [[1, 2, "slower", Number((1.5 / 1.02).toFixed(4))], [
      2,
      3,
      "faster",
      Number((1 / 1.5).toFixed(4)),
    ]],
  );
  // What else changed at each step (besides the commit): nothing, then the Deno version.
  assert.deepEqual(s.steps[0].changed, []);
  assert.deepEqual(s.steps[1].changed, [{
    field: "env.deno",
    baseline: "2.9.6",
    candidate: "2.9.7",
  }]);
  // ×1.04 beyond the noise but under 5%: no step; at a 3% threshold: steps both ways.
  assert.deepEqual(h.series.find((x) => x.key === SMALL_CASE)!.steps, []);
  const low = buildHistory(historySweeps(), { threshold: 0.03 });
  assert.deepEqual(
    low.series.find((x) => x.key === SMALL_CASE)!.steps.map((t) => t.direction),
    ["slower", "faster"],
  );
  // ×1.08 and back, within the noise (±10% CIs): no step.
  assert.deepEqual(h.series.find((x) => x.key === NOISY_CASE)!.steps, []);
  // Nothing else steps.
  const stepping = h.series.filter((x) => x.steps.length).map((x) => x.key);
  assert.deepEqual(stepping, [STEP_CASE]);
});

Deno.test("detectSteps: skips sweeps where the case did not run ok", () => {
  const row = fixtureSweep().results[0];
  const pt = (sweep: number, median: number | null): HistoryPoint => ({
    sweep,
    status: median === null ? "oom" : "ok",
    median,
    medianCI: median === null ? null : [median * 0.99, median * 1.01],
    row: median === null ? { ...row, status: "oom", timeMs: null } : {
      ...row,
      timeMs: { ...row.timeMs!, median, medianCI: [median * 0.99, median * 1.01] },
    },
  });
  const steps = detectSteps([pt(0, 10), pt(1, null), pt(2, 20)], 0.05);
  assert.deepEqual(steps.map((t) => [t.from, t.to, t.ratio]), [[0, 2, 2]]);
  assert.deepEqual(detectSteps([pt(0, 10), pt(1, 10.2)], 0.05), []);
});

Deno.test("sweepDate: the commit date when recorded and valid, else createdAt", () => {
  const s = fixtureSweep();
  assert.deepEqual(sweepDate(s), { date: s.createdAt, source: "created" });
  s.environment.gitCommitDate = "not a date";
  assert.equal(sweepDate(s).source, "created");
  s.environment.gitCommitDate = "2024-05-01T10:00:00+02:00";
  assert.deepEqual(sweepDate(s), { date: "2024-05-01T10:00:00+02:00", source: "commit" });
});
