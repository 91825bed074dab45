import assert from "node:assert/strict";
import { renderReport } from "./render.ts";
import { escapeHtml } from "./escape.ts";
import { fixtureSweep, HOSTILE_LABEL } from "./testdata/fixture.ts";
import { scaleTimes } from "./testdata/sweeps.ts";

const CHART_JS_STUB = "/* chart.js stub */ window.Chart = function () {};";

function section(page: string): string {
  const at = page.indexOf(`<section id="compare">`);
  assert.ok(at >= 0, "compare section");
  return page.slice(at, page.indexOf("</section>", at));
}

Deno.test("compare section: baseline and candidate named, ratio direction, CIs, verdicts", () => {
  const b = scaleTimes(fixtureSweep({ sweepId: "fixture-b" }), 2, (r) => r.case.pass === "forward");
  const s = section(renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB, compare: b }));
  assert.match(s, /<b>Baseline<\/b> = this sweep, <code>fixture-a<\/code>/);
  assert.match(s, /<b>candidate<\/b> = <code>fixture-b<\/code>/);
  assert.match(s, /above ×1 the candidate is slower/);
  assert.match(s, /<th>baseline median \[95% CI\]<\/th>/);
  assert.match(
    s,
    /30\.2 \[29\.3, 31\.1\] ms<\/td>\s*<td class="num" data-v="[\d.]+">60\.5 \[58\.7, 62\.3\] ms/,
  );
  assert.match(s, /<tr class="verdict-slower">/);
  assert.match(s, /Both sweeps ran the same cases\./);
  assert.match(s, /No differences in configuration or environment\./);
});

Deno.test("compare section: one-side cases listed, differences tabled, text escaped", () => {
  const b = fixtureSweep({ sweepId: "fixture-b", dropHyenaBackwardAt: 256 });
  b.environment = { ...b.environment, host: HOSTILE_LABEL };
  const s = section(renderReport(fixtureSweep(), { chartJs: CHART_JS_STUB, compare: b }));
  assert.match(
    s,
    /<h3>Only in the baseline \(1\)<\/h3>\s*<ul class="only-baseline"><li><code>se3-hyena\/-\/backward\/256\/1\/quick\/wasm<\/code> \(ok\)<\/li><\/ul>/,
  );
  assert.ok(!s.includes("Only in the candidate"));
  assert.match(s, /<table id="compare-differences">/);
  const row = `<td>env.host</td>\\s*<td>alpha</td>\\s*<td>${escapeHtml(HOSTILE_LABEL)}</td>`;
  assert.match(s, new RegExp(row.replace(/[()]/g, "\\$&")));
  assert.ok(!s.includes(HOSTILE_LABEL));
});
