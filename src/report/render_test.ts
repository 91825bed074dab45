import assert from "node:assert/strict";
import { renderReport, writeReport } from "./render.ts";
import { loadResults } from "./load.ts";
import type { ChartSpec } from "./charts.ts";
import { escapeHtml } from "./escape.ts";
import { smallSweep } from "./testdata/small_sweep.ts";
import { fixtureSweep, HOSTILE_HOST, HOSTILE_LABEL } from "./testdata/fixture.ts";
import { frameworksSweep, tfjsMs, torchMs } from "./testdata/frameworks.ts";
import { analyse, HYENA, TRANSFORMER } from "./analysis.ts";
import { atLength } from "./claims.ts";
import { counterparts } from "./frameworks.ts";
import { fmtRatio } from "./format.ts";

const CHART_JS_STUB = "/* chart.js stub */ window.Chart = function () {};";

function embeddedData(page: string): { sweepId: string; charts: ChartSpec[] } {
  const m = page.match(/<script id="report-data" type="application\/json">([^]*?)<\/script>/);
  assert.ok(m, "report-data script element");
  return JSON.parse(m[1]);
}

/** The page with every <script> element's content removed (only markup left). */
function markup(page: string): string {
  return page.replace(/<script\b[^>]*>[^]*?<\/script>/g, "<script></script>");
}

Deno.test("renderReport: hostile strings appear only escaped", () => {
  const page = renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB });
  const m = markup(page);
  assert.ok(!m.includes(HOSTILE_LABEL));
  assert.ok(!m.includes(HOSTILE_HOST));
  assert.ok(!m.includes("<b>boom</b>"));
  assert.ok(m.includes(escapeHtml(HOSTILE_LABEL)));
  assert.ok(m.includes(escapeHtml(HOSTILE_HOST)));
  assert.ok(m.includes(escapeHtml(`Error: <b>boom</b> & "quotes"`)));
  // Exactly the three script elements we put there, none injected.
  assert.equal((page.match(/<script\b/g) ?? []).length, 3);
  // The embedded JSON holds the hostile host (timeline labels) with < escaped.
  const json = page.match(/<script id="report-data"[^>]*>([^]*?)<\/script>/)![1];
  assert.ok(!json.includes("<"));
  const data = embeddedData(page);
  const timeline = data.charts.find((c) => c.id === "timeline")!;
  assert.ok(timeline.y.labels!.some((l) => l.includes(HOSTILE_HOST)));
});

Deno.test("renderReport: self-contained (no external resources)", () => {
  const page = renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB });
  const m = markup(page);
  assert.ok(!/<link\b/i.test(m));
  assert.ok(!/<[a-z][^>]*\ssrc\s*=/i.test(m), "no src attributes");
  assert.ok(!/url\(/i.test(m), "no CSS url()");
  assert.ok(!/https?:\/\//i.test(m.replace(/<footer>[^]*<\/footer>/, "")));
  assert.ok(page.includes(CHART_JS_STUB));
});

Deno.test("renderReport: sections, charts and the paper overlay", () => {
  const page = renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB });
  for (
    const id of [
      "headline",
      "runtime",
      "memory",
      "ratios",
      "paper",
      "training",
      "workers",
      "environment",
      "results",
    ]
  ) {
    assert.ok(page.includes(`<section id="${id}">`), id);
  }
  assert.ok(!page.includes(`<section id="compare">`), "no compare section without --compare");
  const { charts } = embeddedData(page);
  assert.deepEqual(charts.map((c) => c.id), [
    "runtime",
    "memory-forward",
    "memory-backward",
    "ratios",
    "train-mse-recall-fixed",
    "train-mse-recall-random",
    "train-curves-recall-fixed",
    "train-curves-recall-random",
    "train-curves-nbody",
    "timeline",
    "scaling",
  ]);
  for (const c of charts) assert.ok(page.includes(`<canvas id="chart-${c.id}"`), c.id);
  const runtime = charts[0];
  assert.ok(runtime.x.log && runtime.y.log);
  const paper = runtime.datasets.filter((d) => d.label.startsWith("paper, NVIDIA A10G"));
  assert.equal(paper.length, 2);
  const median = runtime.datasets.find((d) => d.label === "SE(3)-Hyena · forward")!;
  assert.equal(median.data.length, 10);
  const mem = charts[1];
  const budget = mem.datasets.find((d) => d.role === "budget")!;
  assert.deepEqual(budget.data.map((d) => d.y), [4 * 1024 ** 3, 4 * 1024 ** 3]);
  const oom = mem.datasets.filter((d) => d.role === "oom").flatMap((d) => d.data.map((p) => p.x));
  assert.deepEqual(oom, [65536, 16384]);
  // Headline numbers: forward, at N = 8192; paper claims beside them.
  assert.ok(page.includes("Speed-up at N = 8,192"));
  assert.ok(page.includes("×3.5 at 20,000"));
  assert.ok(page.includes("×175"));
  // Training rows are in the full table and the training section, in no runtime chart.
  assert.ok(page.includes(">train<"));
  assert.ok(charts.slice(0, 4).every((c) => c.datasets.every((d) => !/train/.test(d.label))));
  // Scaling table from results.scaling.
  assert.ok(page.includes("95.2 %"));
});

Deno.test("renderReport: a comparison section with --compare", () => {
  const b = fixtureSweep({ sweepId: "fixture-b", hyenaForwardScale: 0.5 });
  const page = renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB, compare: b });
  assert.ok(page.includes(`<section id="compare">`));
  assert.ok(page.includes("<b>10</b> faster,"));
});

Deno.test("renderReport: empty and one-model sweeps still render", () => {
  const empty = renderReport({ ...fixtureSweep(), results: [] }, { chartJs: CHART_JS_STUB });
  assert.ok(empty.includes("no ratios to show"));
  assert.deepEqual(embeddedData(empty).charts, []);
});

Deno.test("renderReport inlines the real Chart.js by default", () => {
  const page = renderReport(fixtureSweep());
  assert.match(page, /Chart\.js v4\./);
  assert.ok(!/<\/script/i.test(page.replace(/<\/script>\n/g, "")));
});

Deno.test("writeReport: writes index.html, keeps an existing results.csv", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/results.csv`, "mine\n");
    const path = await writeReport(fixtureSweep(), dir, { chartJs: CHART_JS_STUB });
    assert.equal(path, `${dir}/index.html`);
    assert.match(await Deno.readTextFile(path), /^<!DOCTYPE html>/);
    assert.equal(await Deno.readTextFile(`${dir}/results.csv`), "mine\n");
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/results.json`)).sweepId, "fixture-a");
    await Deno.remove(`${dir}/results.csv`);
    await writeReport(fixtureSweep(), dir, { chartJs: CHART_JS_STUB });
    assert.match(await Deno.readTextFile(`${dir}/results.csv`), /^id,model,/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderReport: two lengths give no exponent and no crossover", async () => {
  // Two lengths, cleanly crossing (transformer 3× faster at 64, 4× slower at 256): two
  // points fit any slope and bracket nothing measured, so neither is claimed.
  const two = await loadResults(new URL("./testdata/two_lengths.json", import.meta.url).pathname);
  const page = renderReport(two, { chartJs: CHART_JS_STUB });
  const headline = page.slice(page.indexOf('<section id="headline">'), page.indexOf("</section>"));
  assert.match(
    headline,
    /Scaling exponent[^<]*<\/div>\s*<div class="card-value">– vs –<\/div>\s*<div class="card-sub">95% CI not enough lengths \(2\) vs not enough lengths \(2\)/,
  );
  assert.match(
    headline,
    /Crossover length<\/div>\s*<div class="card-value">–<\/div>\s*<div class="card-sub">not enough common lengths \(2\)/,
  );
  // The table of every pass says the same.
  assert.match(headline, /<td>not enough common lengths \(2\)<\/td>/);
  assert.match(headline, /<td class="num">not enough lengths \(2\)<\/td>/);
  // No interpolated crossover of ours (the paper's tag keeps its own "≈ 8,000").
  assert.doesNotMatch(headline.replace(/<div class="card-paper">.*?<\/div>/gs, ""), /≈ \d/);
  // With a third length the exponent and the crossover bracket appear.
  const three = smallSweep([
    ...two.results.map((r) => ({
      model: r.case.model === "se3-hyena" ? "h" as const : "t" as const,
      n: r.case.seqLen,
      ms: r.timeMs!.median,
    })),
    { model: "h", n: 1024, ms: 80 },
    { model: "t", n: 1024, ms: 2560 },
  ]);
  const page3 = renderReport(three, { chartJs: CHART_JS_STUB });
  assert.match(page3, /<div class="card-value">64–256<\/div>/);
  assert.match(page3, /between 64 and 256 tokens/);
  assert.doesNotMatch(page3, /not enough lengths/);
});

Deno.test("renderReport: byte counts and durations of top-level fields are formatted", () => {
  const page = renderReport(
    { ...fixtureSweep(), memoryBudgetBytes: 17179869184, wallMs: 215383.9 },
    { chartJs: CHART_JS_STUB },
  );
  assert.match(page, /memoryBudgetBytes<\/th>\s*<td>16 GiB<\/td>/);
  assert.match(page, /wallMs<\/th>\s*<td>215 s<\/td>/);
  assert.doesNotMatch(page, /17179869184<\/td>/);
});

Deno.test("renderReport: the paper's Figure 5 beside ours at the paper's own lengths", () => {
  const page = renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB });
  const paper = page.slice(page.indexOf('<section id="paper">'));
  const row = (n: string) => {
    const i = paper.indexOf(`<td class="num">${n}</td>`);
    return paper.slice(i, paper.indexOf("</tr>", i));
  };
  // 10 and 20,000 lie outside the lengths both models ran (64 … 8,192).
  assert.match(row("10"), /not measured there<\/td>\s*<td class="num">not measured there/);
  assert.match(row("20,000"), /not measured there/);
  // 2,860 lies between 2,048 and 4,096: interpolated, with the memory figure named.
  assert.match(
    row("2,860"),
    /<td class="num">×[\d.]+<\/td>\s*<td class="num">×[\d.]+ \(process RSS\)/,
  );
});

Deno.test("renderReport: a speed-up inside the noise says so", () => {
  const sweep = (ci: number) =>
    smallSweep([
      { model: "h", n: 64, ms: 10, ci },
      { model: "t", n: 64, ms: 12, ci },
    ]);
  const noisy = renderReport(sweep(0.5), { chartJs: CHART_JS_STUB });
  assert.match(noisy, /×1\.2<\/div>\s*<div class="card-sub">[^<]*within noise \(the CIs overlap\)/);
  const clear = renderReport(sweep(0.02), { chartJs: CHART_JS_STUB });
  assert.doesNotMatch(clear, /within noise \(the CIs overlap\)/);
});

Deno.test("renderReport: the header says when the sweep ran on uncommitted changes", () => {
  const s = fixtureSweep();
  const dirty = renderReport({ ...s, environment: { ...s.environment, gitDirty: true } }, {
    chartJs: CHART_JS_STUB,
  });
  assert.match(dirty, /commit <code>0123456789ab<\/code> with uncommitted changes/);
  assert.doesNotMatch(renderReport(s, { chartJs: CHART_JS_STUB }), /uncommitted changes/);
});

Deno.test("renderReport: two frameworks — framework column, ratio table, headline within one framework", () => {
  const page = renderReport(frameworksSweep(), { chartJs: CHART_JS_STUB });
  const m = markup(page);
  // The results table names each row's framework and device; PyTorch rows have no backend.
  const table = m.match(/<table class="sortable" id="results-table">[^]*?<\/table>/)![0];
  assert.ok(/<th>framework<\/th>/.test(table));
  const rows = table.split("<tr").slice(2);
  assert.equal(rows.filter((r) => r.includes("<td>PyTorch cpu</td>")).length, 13);
  assert.equal(rows.filter((r) => r.includes("<td>TensorFlow.js</td>")).length, 13);
  assert.ok(rows.some((r) => r.includes(`<span class="sub">checkpointed</span>`)));
  // The framework table: one row per (model, attention, pass, N) both ran.
  const fw = m.match(/<table id="frameworks-table">[^]*?<\/table>/)![0];
  assert.equal(fw.split("<tr").length - 2, 13);
  assert.equal((fw.match(new RegExp(`>${fmtRatio(4)}<`, "g")) ?? []).length, 7, "hyena ×4");
  assert.equal((fw.match(/PyTorch cpu faster/g) ?? []).length, 12);
  assert.equal((fw.match(/within noise/g) ?? []).length, 1);
  // The headline: TensorFlow.js's figures, PyTorch's beside them.
  const headline = m.match(/<section id="headline"[^]*?<\/section>/)![0];
  assert.ok(headline.includes("forward pass, TensorFlow.js, wasm, batch 1"), headline);
  const speedup = (tfjs: boolean) => {
    const ms = tfjs ? tfjsMs : torchMs;
    return fmtRatio(ms(TRANSFORMER, "forward", 4096) / ms(HYENA, "forward", 4096));
  };
  const card = headline.match(/Speed-up at N = 4,096[^]*?card-paper/)![0];
  assert.ok(card.includes(`<div class="card-value">${speedup(true)}</div>`), card);
  assert.ok(card.includes(`PyTorch cpu</span> ${speedup(false)} at N = 4,096`), card);
  assert.notEqual(speedup(true), speedup(false));
  // The paper's table: ours within TensorFlow.js, PyTorch's speed-up in its own column.
  const paper = m.match(/<section id="paper"[^]*?<\/section>/)![0];
  assert.ok(paper.includes("<th>ours (TensorFlow.js): speed-up</th>"), paper);
  assert.ok(paper.includes("<th>ours (PyTorch cpu): speed-up</th>"), paper);
  const a = analyse(frameworksSweep());
  const torchAt = atLength(counterparts(a, a.headline!)[0], 2860).speedup!;
  const tfjsAt = atLength(a.headline!, 2860).speedup!;
  const row2860 = paper.match(/<td class="num">2,860<\/td>[^]*?<\/tr>/)![0];
  const cells = [...row2860.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((x) => x[1]);
  assert.equal(cells.at(-1), fmtRatio(torchAt));
  assert.equal(cells.at(-3), fmtRatio(tfjsAt));
  assert.notEqual(fmtRatio(torchAt), fmtRatio(tfjsAt));
  // A one-framework sweep has no framework table and no other-framework figures.
  const one = markup(renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB }));
  assert.ok(!one.includes('id="frameworks-table"'));
  assert.ok(!one.includes(`<div class="card-other">`));
});
