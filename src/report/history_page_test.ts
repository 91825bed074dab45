import assert from "node:assert/strict";
import type { ChartSpec } from "./charts.ts";
import { escapeHtml } from "./escape.ts";
import { buildHistory } from "./history.ts";
import { historyChart, historyGroups, historyText, renderHistory } from "./history_page.ts";
import { HOSTILE_LABEL } from "./testdata/fixture.ts";
import { historySweeps, STEP_CASE } from "./testdata/sweeps.ts";

const CHART_JS_STUB = "/* chart.js stub */ window.Chart = function () {};";

function embedded(page: string): { charts: ChartSpec[] } {
  const m = page.match(/<script id="report-data" type="application\/json">([^]*?)<\/script>/);
  assert.ok(m);
  return JSON.parse(m[1]);
}

Deno.test("history chart: x = sweeps by label, a line per length, steps at the later sweep", () => {
  const h = buildHistory(historySweeps());
  const groups = historyGroups(h);
  const series = groups.get("se3-hyena/-/forward/1/quick/wasm")!;
  const spec = historyChart(h, "se3-hyena/-/forward/1/quick/wasm", series, 0);
  assert.deepEqual(spec.x.labels, h.sweeps.map((s) => s.label));
  assert.equal(spec.y.log, true);
  const n1024 = spec.datasets.find((d) => d.label === "N = 1,024")!;
  assert.deepEqual(n1024.data.map((p) => p.x), [0, 1, 2, 3]);
  const slower = spec.datasets.find((d) => d.label === "step: slower")!;
  const faster = spec.datasets.find((d) => d.label === "step: faster")!;
  assert.equal(slower.role, "step");
  const m = 20 + 0.01 * 1024;
  assert.deepEqual(slower.data, [{ x: 2, y: m * 1.5 }]);
  assert.deepEqual(faster.data, [{ x: 3, y: m }]);
  // A group without steps has no step datasets.
  const t = groups.get("equivariant-transformer/materialized/forward/1/quick/wasm")!;
  const ts = historyChart(h, "t", t, 1);
  assert.ok(ts.datasets.every((d) => d.role === "median"));
  // oom points are left out of the lines.
  assert.ok(ts.datasets.every((d) => d.data.every((p) => typeof p.y === "number")));
});

Deno.test("history page: charts embedded, steps table, every case's medians, text escaped", () => {
  const sweeps = historySweeps();
  sweeps[0].results.sweepId = HOSTILE_LABEL;
  const h = buildHistory(sweeps);
  const page = renderHistory(h, { chartJs: CHART_JS_STUB, generatedAt: new Date(0) });
  const data = embedded(page);
  assert.equal(data.charts.length, historyGroups(h).size);
  // One chart per model/pass group with times; none for the (untimed) training rows.
  assert.deepEqual(data.charts.map((c) => c.title), [
    "equivariant-transformer/materialized/backward/1/quick/wasm",
    "equivariant-transformer/materialized/forward/1/quick/wasm",
    "se3-hyena/-/backward/1/quick/wasm",
    "se3-hyena/-/forward/1/quick/wasm",
  ]);
  assert.match(page, /<h2>Step changes \(2\)<\/h2>/);
  assert.equal((page.match(/<tr class="step-slower">/g) ?? []).length, 1);
  assert.equal((page.match(/<tr class="step-faster">/g) ?? []).length, 1);
  assert.ok(page.includes(`<td>${STEP_CASE}</td>`));
  assert.match(page, /<div><code>env\.deno<\/code> 2\.9\.6 → 2\.9\.7<\/div>/);
  assert.match(historyText(h), /×0\.667 +faster +env\.deno$/);
  const medians = page.slice(page.indexOf(`id="medians-table"`));
  assert.equal((medians.match(/<tr>\s*<td>/g) ?? []).length, h.series.length);
  assert.ok(!page.includes(HOSTILE_LABEL));
  assert.ok(page.includes(escapeHtml(HOSTILE_LABEL)));
  assert.equal((page.match(/<script\b/g) ?? []).length, 3);
  assert.ok(!/https?:\/\//.test(page.replace(/<script>[^]*?<\/script>/g, "")));
});

Deno.test("history page: no steps says so", () => {
  const one = buildHistory(historySweeps().slice(0, 1));
  const page = renderHistory(one, { chartJs: CHART_JS_STUB });
  assert.match(page, /No step changes beyond the noise and ±5%\./);
  assert.match(historyText(one), /No step changes beyond noise and ±5% across \d+ cases\.$/);
});
