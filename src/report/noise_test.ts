import assert from "node:assert/strict";
import { analyse } from "./analysis.ts";
import { caseNoise, noiseReport } from "./noise.ts";
import { renderReport } from "./render.ts";
import { orderSvg, stripSvg } from "./samples_svg.ts";
import { smallSweep } from "./testdata/small_sweep.ts";

const CHART_JS_STUB = "/* chart.js stub */";

function report(sweep: ReturnType<typeof smallSweep>) {
  return noiseReport(sweep, analyse(sweep));
}

Deno.test("noise: a CI half-width above 10% of the median is flagged, at 10% it is not", () => {
  const n = report(smallSweep([
    { model: "h", n: 64, ms: 88.81, ci: 1.5 }, // ±150%: the "88.81 ms (n=4)"
    { model: "h", n: 128, ms: 100, ci: 0.1 },
    { model: "h", n: 256, ms: 100, ci: 0.1001 },
  ]));
  assert.deepEqual(n.cases.map((c) => c.noisy), [true, false, true]);
  assert.ok(Math.abs(n.cases[0].relHalfWidth! - 1.5) < 1e-12);
});

Deno.test("noise: a shorter length slower than the next longer one beyond both CIs is flagged", () => {
  const n = report(smallSweep([
    { model: "h", n: 64, ms: 50 }, // slower than 128 beyond noise (±2% each)
    { model: "h", n: 128, ms: 20 },
    { model: "h", n: 256, ms: 19.9 }, // slower within noise: not flagged
    { model: "h", n: 512, ms: 40 },
    { model: "t", n: 64, ms: 5 },
    { model: "t", n: 128, ms: 10 },
  ]));
  assert.equal(n.nonMonotone.length, 1);
  assert.equal(n.nonMonotone[0].shorter.seqLen, 64);
  assert.equal(n.nonMonotone[0].longer.seqLen, 128);
});

Deno.test("noise: load averages before/after are read; above the core count is 'loaded'", () => {
  const sweep = smallSweep([
    { model: "h", n: 64, ms: 10, load: [0.5, 0.7] },
    { model: "h", n: 128, ms: 20, load: [1.2, 3.4] },
    { model: "h", n: 256, ms: 40 }, // an older row: no load recorded
  ]);
  const n = report(sweep); // environment.cpus = 2
  assert.deepEqual(n.cases.map((c) => [c.loadBefore, c.loadAfter, c.loaded]), [
    [0.5, 0.7, false],
    [1.2, 3.4, true],
    [null, null, false],
  ]);
  assert.deepEqual(n.loadRange, [0.5, 3.4]);
  assert.equal(caseNoise({ ...sweep.results[0], status: "oom", timeMs: null }), null);
});

Deno.test("the report has a noise section and a samples drill-down per case", () => {
  const samples = [10, 11, 9.5, 30, 10.2];
  const sweep = smallSweep([
    { model: "h", n: 64, ms: 10.2, ci: 0.5, samples, load: [0.5, 0.6] },
    { model: "h", n: 128, ms: 20 },
    { model: "t", n: 64, ms: 5 },
  ]);
  const page = renderReport(sweep, { chartJs: CHART_JS_STUB });
  const noise = page.slice(page.indexOf('<section id="noise">'));
  assert.match(noise, /<b>1<\/b> of 3 timed cases/);
  assert.match(noise, /±50%\s*<span class="warn">noisy<\/span>/);
  const id = sweep.results[0].id;
  assert.match(page, new RegExp(`<details class="case-samples" id="samples-${id}">`));
  // The strip plot has a dot per sample, the order plot a dot per sample and a line.
  const details = page.slice(page.indexOf(`id="samples-${id}"`));
  const block = details.slice(0, details.indexOf("</details>"));
  assert.equal(block.match(/<circle /g)?.length, 2 * samples.length);
  assert.match(block, /<polyline points="/);
  // Rows without samples get no drill-down.
  assert.equal(page.match(/<details class="case-samples"/g)?.length, 1);
});

Deno.test("sample plots: the order plot keeps the order, the strip plot the values", () => {
  const order = orderSvg([1, 3, 2], 2, [1.5, 2.5]).value;
  const ys = [...order.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => +m[2]);
  assert.ok(ys[0] > ys[2] && ys[2] > ys[1], `y of 1, 3, 2 (SVG y grows downwards): ${ys}`);
  const strip = stripSvg([1, 3, 2], 2, null).value;
  const xs = [...strip.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => +m[1]);
  assert.ok(xs[0] < xs[2] && xs[2] < xs[1], `x of 1, 3, 2: ${xs}`);
});
