import assert from "node:assert/strict";
import type { CaseResult, ModelKind, SweepResults } from "../results.ts";
import { analyse } from "./analysis.ts";
import { seriesColors } from "./charts.ts";
import { PAPER_FIG4, PAPER_FIG4_LENGTHS, PAPER_TABLE1 } from "./paper.ts";
import { renderReport } from "./render.ts";
import { DEFAULT_SECTIONS, type ReportContext } from "./sections.ts";
import {
  fixtureSweep,
  HOSTILE_TASK,
  TRAIN_LENGTHS,
  TRAIN_LINEAR_MOTION,
  TRAIN_MODELS,
  TRAIN_MSE,
  trainingFixtureRows,
} from "./testdata/fixture.ts";
import {
  learningCurveChart,
  rankings,
  RECALL_ZERO_MSE,
  recallMseChart,
  scaleRows,
  trainingRows,
  trainingSection,
} from "./training.ts";

const CHART_JS_STUB = "/* chart.js stub */ window.Chart = function () {};";

function ctx(results: SweepResults): ReportContext {
  return { results, analysis: analyse(results), other: null, comparison: null };
}

/** A sweep holding only the fixture's training rows. */
function trainOnly(rows?: CaseResult[]): SweepResults {
  const sweep = fixtureSweep();
  return { ...sweep, results: rows ?? sweep.results.filter((r) => r.case.pass === "train") };
}

Deno.test("trainingRows: every train row, fields checked, the paper's value beside", () => {
  const rows = trainingRows(fixtureSweep());
  // 2 vocabularies × 4 models × 2 lengths, 1 oom, 4 n-body, 1 hostile error.
  assert.equal(rows.length, 16 + 1 + 4 + 1);
  const se3 = rows.find((t) =>
    t.task === "recall-fixed" && t.model === "se3-hyena" && t.seqLen === 32
  )!;
  assert.equal(se3.testMse, TRAIN_MSE("recall-fixed", "se3-hyena", 32));
  assert.equal(se3.paperMse, 0.0518);
  assert.equal(se3.curve.length, 3);
  assert.equal(se3.label, "SE(3)-Hyena");
  const nbody = rows.find((t) => t.task === "nbody" && t.model === "equivariant-transformer")!;
  assert.equal(nbody.paperMse, PAPER_TABLE1["equivariant-transformer"]);
  assert.equal(nbody.linearMotionMse, TRAIN_LINEAR_MOTION);
  const oom = rows.find((t) => t.status === "oom")!;
  assert.deepEqual([oom.task, oom.seqLen, oom.testMse, oom.paperMse], [
    "recall-random",
    128,
    null,
    PAPER_FIG4["recall-random"]["equivariant-transformer"][2],
  ]);
  const hostile = rows.find((t) => t.task === HOSTILE_TASK)!;
  assert.equal(hostile.paperMse, null);
  assert.equal(hostile.status, "error");
});

Deno.test("trainingRows: runs that differ only in a variant field get it in their label", () => {
  const base = trainingFixtureRows({ host: "h", device: "d", backend: "wasm" })
    .filter((r) => r.case.task === "nbody" && r.case.model === "se3-hyena");
  const other = { ...base[0], id: "seed-1", case: { ...base[0].case, seed: 1 }, testMse: 0.01 };
  const rows = trainingRows(trainOnly([...base, other]));
  assert.deepEqual(rows.map((t) => t.label), ["SE(3)-Hyena (seed 0)", "SE(3)-Hyena (seed 1)"]);
  const chart = learningCurveChart(rows, "nbody")!;
  const lines = chart.datasets.filter((d) => d.role === "median");
  assert.equal(lines.length, 2);
  assert.notDeepEqual(lines[0].dash, lines[1].dash, "variants of one model are told apart");
});

Deno.test("recallMseChart: ours per model (ok rows), the paper's Figure 4, the zero-vector line", () => {
  const rows = trainingRows(fixtureSweep());
  for (const task of ["recall-fixed", "recall-random"] as const) {
    const chart = recallMseChart(rows, task)!;
    assert.equal(chart.id, `train-mse-${task}`);
    assert.ok(chart.x.log && chart.y.log, "log-log");
    assert.deepEqual(chart.x.ticks, [32, 64, 128, 256]);
    const ours = chart.datasets.filter((d) => d.label.startsWith("ours: "));
    assert.equal(ours.length, 4);
    for (const [i, m] of TRAIN_MODELS.entries()) {
      const d = ours.find((d) =>
        d.label === `ours: ${["SE(3)-Hyena", "equivariant transformer", "Hyena", "transformer"][i]}`
      )!;
      // The oom row (random vocabulary, N = 128) is not a point.
      assert.deepEqual(d.data, TRAIN_LENGTHS.map((n) => ({ x: n, y: TRAIN_MSE(task, m, n) })));
    }
    const paper = chart.datasets.filter((d) => d.role === "paper");
    assert.equal(paper.length, 4);
    const se3 = paper.find((d) => d.label === "paper Fig. 4: SE(3)-Hyena")!;
    assert.deepEqual(
      se3.data,
      PAPER_FIG4_LENGTHS.map((n, i) => ({ x: n, y: PAPER_FIG4[task]["se3-hyena"][i] })),
    );
    const zero = chart.datasets.find((d) => d.role === "parity")!;
    assert.deepEqual(zero.data.map((p) => p.y), [RECALL_ZERO_MSE, RECALL_ZERO_MSE]);
    // Every value fits inside the axis range.
    const ys = chart.datasets.flatMap((d) => d.data.map((p) => p.y as number));
    assert.ok(chart.y.min! < Math.min(...ys) && chart.y.max! > Math.max(...ys));
  }
  assert.equal(recallMseChart(rows, "nbody"), null, "n-body is a table, not this chart");
  assert.equal(recallMseChart(trainingRows(trainOnly([])), "recall-fixed"), null);
});

Deno.test("learningCurveChart: validation MSE per epoch; n-body with the linear-motion line", () => {
  const rows = trainingRows(fixtureSweep());
  const fixed = learningCurveChart(rows, "recall-fixed")!;
  assert.equal(fixed.datasets.length, 8);
  assert.ok(fixed.datasets.every((d) => d.data.length === 3));
  const first = fixed.datasets.find((d) => d.label === "SE(3)-Hyena · N = 32")!;
  const mse = TRAIN_MSE("recall-fixed", "se3-hyena", 32);
  assert.deepEqual(first.data.map((p) => p.x), [1, 2, 3]);
  assert.ok(Math.abs((first.data[2].y as number) - mse * 1.1) < 1e-12);
  assert.ok(fixed.y.log, "curves spanning decades use a log axis");
  assert.equal(fixed.x.name, "epoch");
  const random = learningCurveChart(rows, "recall-random")!;
  assert.equal(random.datasets.length, 8, "the oom row has no curve");
  const nbody = learningCurveChart(rows, "nbody")!;
  assert.equal(nbody.datasets.length, 5);
  const linear = nbody.datasets.find((d) => d.role === "parity")!;
  assert.deepEqual(linear.data, [{ x: 1, y: TRAIN_LINEAR_MOTION }, {
    x: 3,
    y: TRAIN_LINEAR_MOTION,
  }]);
  assert.equal(nbody.y.log, undefined, "within one decade the axis is linear");
  assert.equal(learningCurveChart(rows, HOSTILE_TASK), null, "the error row has no curve");
});

Deno.test("rankings: ours and the paper's order per task and length", () => {
  const rs = rankings(trainingRows(fixtureSweep()));
  assert.deepEqual(rs.map((r) => `${r.task} ${r.seqLen}`), [
    "recall-fixed 32",
    "recall-fixed 64",
    "recall-random 32",
    "recall-random 64",
    "nbody 5",
  ]);
  const nb = rs.at(-1)!;
  assert.deepEqual(nb.ours.map((t) => t.model), [
    "se3-hyena",
    "equivariant-transformer",
    "transformer",
    "hyena",
  ]);
  assert.deepEqual(nb.paper.map((p) => p.model), [
    "se3-hyena",
    "equivariant-transformer",
    "hyena",
    "transformer",
  ]);
  assert.equal(nb.sameOrder, false);
  // Make our Hyena beat our transformer on n-body: the orders agree.
  const sweep = fixtureSweep();
  const hy = sweep.results.find((r) => r.id === "train-nbody-hyena-5")!;
  hy.testMse = 0.04;
  assert.equal(rankings(trainingRows(sweep)).at(-1)!.sameOrder, true);
});

Deno.test("scaleRows: our model sizes, data, epochs and optimiser beside the paper's", () => {
  const rows = trainingRows(fixtureSweep());
  const recall = scaleRows(rows.filter((t) => t.task.startsWith("recall")), "recall");
  const get = (rs: typeof recall, k: string) => rs.find((r) => r.setting === k)!;
  assert.equal(
    get(recall, "equivariant models").ours,
    "tiny: 1 layer, D 4, C 8, G 4 (1,000–1,001 parameters incl. head)",
  );
  assert.match(get(recall, "equivariant models").paper, /3 layers, D 16, C 128, G 8/);
  // Width from the case (12), blocks from the preset (tiny: 1).
  assert.equal(
    get(recall, "baselines").ours,
    "width 12, 1 layer (1,002–1,003 parameters incl. head)",
  );
  assert.equal(get(recall, "data (train / val / test)").ours, "64 / 16 / 32");
  assert.equal(get(recall, "data (train / val / test)").paper, "2600 / 200 / 200");
  assert.equal(get(recall, "sequence lengths").ours, "32, 64, 128");
  assert.equal(get(recall, "epochs").ours, "3");
  assert.equal(get(recall, "epochs").paper, "300");
  assert.match(get(recall, "optimiser").ours, /lr 0\.003, cosine schedule, weight decay 0\.00001/);

  const nbody = rows.filter((t) => t.task === "nbody");
  // The recorded model size wins over the case fields; an early stop is stated.
  nbody[2].row = { ...nbody[2].row, modelSize: { width: 30, layers: 4 } };
  nbody[0].epochsRun = 2;
  const nb = scaleRows(nbody, "nbody");
  assert.match(get(nb, "equivariant models").ours, /^nbody: 2 layers, D 8, C 16, G 8/);
  assert.match(get(nb, "baselines").ours, /width 30, 4 layers; width 12, 2 layers/);
  assert.match(get(nb, "epochs").ours, /^3; stopped early .*SE\(3\)-Hyena N 5 after 2/);
  assert.equal(get(nb, "batch").paper, "100");
});

Deno.test("training section: left out without train rows; escapes hostile strings", () => {
  const speedOnly = fixtureSweep();
  speedOnly.results = speedOnly.results.filter((r) => r.case.pass !== "train");
  assert.equal(trainingSection.render(ctx(speedOnly)), null);
  const page = renderReport(speedOnly, { chartJs: CHART_JS_STUB });
  assert.ok(!page.includes(`<section id="training">`));

  const out = trainingSection.render(ctx(fixtureSweep()))!;
  assert.deepEqual(out.charts!.map((c) => c.id), [
    "train-mse-recall-fixed",
    "train-mse-recall-random",
    "train-curves-recall-fixed",
    "train-curves-recall-random",
    "train-curves-nbody",
  ]);
  const text = out.html.value;
  assert.ok(!text.includes(HOSTILE_TASK), "hostile task not raw");
  assert.ok(text.includes("&lt;img src=x onerror=alert(3)&gt;"), "hostile task escaped");
  for (const c of out.charts!) assert.ok(text.includes(`<canvas id="chart-${c.id}"`), c.id);
  // The scale difference and the paper's numbers are stated.
  assert.ok(text.includes("much smaller than the paper"));
  assert.ok(text.includes(String(PAPER_TABLE1.linearMotion)));
  assert.ok(text.includes("2600 / 200 / 200"));
  assert.ok(text.includes("The paper's headline to check"));
});

Deno.test("headline and runtime ignore train rows", () => {
  const section = (id: string) => DEFAULT_SECTIONS.find((s) => s.id === id)!;
  const only = trainOnly();
  const a = analyse(only);
  assert.equal(a.series.length, 0);
  assert.equal(a.headline, null);
  assert.equal(section("runtime").render(ctx(only)), null);
  // A training-only sweep has no speed headline and no Figure 5 beside nothing.
  assert.equal(section("headline").render(ctx(only)), null);
  assert.equal(section("paper").render(ctx(only)), null);
  // With speed rows too, the series are the same as without the train rows.
  const full = fixtureSweep();
  const speed = { ...full, results: full.results.filter((r) => r.case.pass !== "train") };
  assert.deepEqual(
    analyse(full).series.map((s) => [s.key, s.points.length]),
    analyse(speed).series.map((s) => [s.key, s.points.length]),
  );
  assert.ok(DEFAULT_SECTIONS.some((s) => s.id === "training"));
});

Deno.test("runtime charts give the four models four distinct colours", () => {
  const rows = fixtureSweep().results.filter((r) => r.case.pass === "forward").slice(0, 1);
  const kinds: ModelKind[] = ["se3-hyena", "equivariant-transformer", "hyena", "transformer"];
  const series = kinds.map((model) =>
    analyse({ ...fixtureSweep(), results: rows.map((r) => ({ ...r, case: { ...r.case, model } })) })
      .series[0]
  );
  const colors = seriesColors(series);
  assert.equal(new Set(series.map((s) => colors.get(s.key))).size, 4);
});
