import assert from "node:assert/strict";
import { compareSweeps } from "./compare.ts";
import { compareText, medianText } from "./compare_text.ts";
import { fixtureSweep } from "./testdata/fixture.ts";
import { scaleTimes } from "./testdata/sweeps.ts";

const side = (path: string, results: ReturnType<typeof fixtureSweep>) => ({ path, results });

Deno.test("medianText: median and CI in one unit, status when not ok", () => {
  const rows = fixtureSweep().results;
  const r = rows.find((x) => x.id === "se3-hyena-forward-1024")!; // 30.24 ms, CI ±3%
  assert.equal(medianText(r), "30.2 [29.3, 31.1] ms");
  const slow = scaleTimes(fixtureSweep(), 1000).results.find((x) => x.id === r.id)!;
  assert.equal(medianText(slow), "30.2 [29.3, 31.1] s");
  assert.equal(medianText(rows.find((x) => x.status === "oom")!), "oom");
  const noCi = { ...r, timeMs: { ...r.timeMs!, medianCI: undefined } };
  assert.equal(medianText(noCi), "30.2 ms");
});

Deno.test("compareText: names both sides, the ratio direction, one row per case", () => {
  const a = fixtureSweep();
  const b = scaleTimes(
    fixtureSweep({ sweepId: "fixture-b", dropHyenaBackwardAt: 256 }),
    2,
    (r) => r.case.model === "se3-hyena" && r.case.pass === "forward",
  );
  b.environment = { ...b.environment, gitCommit: "fedcba9876543210" };
  const cmp = compareSweeps(a, b);
  const text = compareText(side("base/results.json", a), side("cand", b), cmp);
  const lines = text.split("\n");
  assert.match(
    lines[0],
    /^Baseline: {2}fixture-a \(base\/results\.json\), created 2025-01-01T00:00:00\.000Z, commit 0123456789ab$/,
  );
  assert.match(lines[1], /^Candidate: fixture-b \(cand\), .*commit fedcba987654$/);
  assert.match(
    text,
    /Ratio = candidate median ÷ baseline median: above ×1 the candidate is slower/,
  );
  assert.match(text, /95% CIs do not overlap/);
  const header = lines.find((l) => l.startsWith("case "))!;
  assert.match(
    header,
    /^case +baseline median \[95% CI\] +candidate median \[95% CI\] +ratio +verdict$/,
  );
  const row = lines.find((l) => l.startsWith("se3-hyena/-/forward/1024/1/quick/wasm "))!;
  assert.match(row, /30\.2 \[29\.3, 31\.1\] ms +60\.5 \[58\.7, 62\.3\] ms +×2 +slower$/);
  const same = lines.find((l) => l.startsWith("se3-hyena/-/backward/1024/"))!;
  assert.match(same, /×1 +same$/);
  const oom = lines.find((l) => /^equivariant-transformer\/\S+ +oom +oom/.test(l))!;
  assert.match(oom, /n\/a \(not ok\)$/);
  const rowCount =
    lines.filter((l) => /^(se3-hyena|equivariant-transformer|hyena|transformer)\//.test(l)).length;
  assert.equal(rowCount, cmp.matched.length);
  assert.match(
    text,
    /\n\nOnly in the baseline \(1\):\n {2}se3-hyena\/-\/backward\/256\/1\/quick\/wasm \(ok\)\n/,
  );
  assert.ok(!text.includes("Only in the candidate"));
  assert.match(
    text,
    /Configuration and environment differences:\nfield +baseline +candidate +cases/,
  );
  assert.match(text, /\nenv\.gitCommit +0123456789abcdef +fedcba9876543210\n?/);
  assert.ok(!text.includes("gate") && !text.includes("PASS") && !text.includes("FAIL"));
});

Deno.test("compareText: the gate column and verdict line with a threshold", () => {
  const a = fixtureSweep();
  const doubled = compareText(
    side("a", a),
    side("b", scaleTimes(a, 2)),
    compareSweeps(a, scaleTimes(a, 2)),
    0.05,
  );
  assert.match(doubled, /verdict +gate\n/);
  assert.match(doubled, /×2 +slower +FAIL\n/);
  assert.match(
    doubled,
    /\nFAIL --fail-if-slower 5%: \d+ case\(s\) slower beyond noise and by more than 5%: se3-hyena\/-\/forward\/64\/1\/quick\/wasm ×2, /,
  );
  assert.match(doubled, /Configuration and environment: no differences\./);
  const same = compareText(side("a", a), side("b", a), compareSweeps(a, structuredClone(a)), 0.05);
  assert.match(
    same,
    /\nPASS --fail-if-slower 5%: no case slower beyond noise and by more than 5%\.$/,
  );
  assert.ok(!/ FAIL\n/.test(same));
  // Cases the gate cannot compare are named, not silently passed.
  const b = fixtureSweep({ sweepId: "fixture-b", dropHyenaBackwardAt: 256 });
  const r = b.results.find((x) => x.id === "se3-hyena-forward-1024")!;
  Object.assign(r, { status: "oom", timeMs: null });
  const lost = compareText(side("a", a), side("b", b), compareSweeps(a, b), 0.05);
  assert.match(
    lost,
    /\nPASS --fail-if-slower 5%: [^\n]*\nNot gated: 1 case\(s\) ok in the baseline but not in the candidate \(1 oom\), 1 only in the baseline\.$/,
  );
  assert.ok(!same.includes("Not gated"));
});
