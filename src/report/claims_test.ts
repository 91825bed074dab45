import assert from "node:assert/strict";
import { analyse } from "./analysis.ts";
import {
  atLength,
  claimsOf,
  contextRatioClaim,
  crossoverClaim,
  exponentClaim,
  interpolateLogLog,
  memoryRatios,
  tQuantile975,
} from "./claims.ts";
import { type SmallRow, smallSweep } from "./testdata/small_sweep.ts";

function near(actual: number, expected: number, eps: number): void {
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected} ± ${eps}, got ${actual}`);
}

const headline = (rows: SmallRow[]) => analyse(smallSweep(rows)).headline!;

Deno.test("exponent: two lengths are not enough, three give a fit with its CI", () => {
  assert.deepEqual(exponentClaim([{ seqLen: 10, value: 1 }, { seqLen: 100, value: 100 }]), {
    kind: "insufficient",
    points: 2,
  });
  // Exact power law N²: exponent 2, zero-width CI, R² 1.
  const exact = exponentClaim([10, 100, 1000].map((n) => ({ seqLen: n, value: n * n })));
  assert.ok(exact.kind === "fit");
  near(exact.exponent, 2, 1e-9);
  near(exact.ci95[0], 2, 1e-6);
  assert.deepEqual(exact.r2, 1);
  // Noisy: logs 0, 1.1, 1.9 at log N 0, 1, 2 (natural logs via e^k): slope 0.95,
  // residuals ±0.05/0.1 → se = sqrt(0.015 / 1 / 2) = 0.0866, t(1) = 12.706 → ±1.10.
  const e = Math.E;
  const noisy = exponentClaim([
    { seqLen: 1, value: 1 },
    { seqLen: e, value: Math.exp(1.1) },
    { seqLen: e * e, value: Math.exp(1.9) },
  ], { fraction: 1 });
  assert.ok(noisy.kind === "fit");
  near(noisy.exponent, 0.95, 1e-9);
  near(noisy.ci95[1] - noisy.exponent, 12.706 * Math.sqrt(0.015 / 2), 1e-6);
  assert.ok(noisy.r2 < 1 && noisy.r2 > 0.9);
});

Deno.test("t quantiles: table and large-df approximation", () => {
  assert.deepEqual(tQuantile975(1), 12.706);
  assert.deepEqual(tQuantile975(30), 2.042);
  near(tQuantile975(60), 2.0003, 2e-3);
  near(tQuantile975(1e6), 1.96, 1e-3);
});

Deno.test("crossover: needs three common lengths and a bracket beyond noise", () => {
  // Two lengths, cleanly crossing: still no crossover claimed.
  const two = headline([
    { model: "h", n: 10, ms: 10 },
    { model: "h", n: 100, ms: 20 },
    { model: "t", n: 10, ms: 5 },
    { model: "t", n: 100, ms: 50 },
  ]);
  assert.deepEqual(crossoverClaim(two.hyena, two.transformer).kind, "insufficient");
  // Three lengths: transformer faster at 10, within noise at 100, Hyena faster at 1000.
  const three = headline([
    { model: "h", n: 10, ms: 10 },
    { model: "h", n: 100, ms: 20, ci: 0.5 },
    { model: "h", n: 1000, ms: 40 },
    { model: "t", n: 10, ms: 5 },
    { model: "t", n: 100, ms: 21 },
    { model: "t", n: 1000, ms: 400 },
  ]);
  const c = crossoverClaim(three.hyena, three.transformer);
  assert.deepEqual([c.kind, c.low, c.high], ["bracketed", 10, 1000]);
  assert.ok(c.estimate! > 10 && c.estimate! < 1000);
  // Same lengths, CIs overlapping at 10: Hyena faster from 1000, nothing bracketed.
  const noisy = headline([
    { model: "h", n: 10, ms: 10, ci: 0.6 },
    { model: "h", n: 100, ms: 20, ci: 0.5 },
    { model: "h", n: 1000, ms: 40 },
    { model: "t", n: 10, ms: 5 },
    { model: "t", n: 100, ms: 21 },
    { model: "t", n: 1000, ms: 400 },
  ]);
  const n = crossoverClaim(noisy.hyena, noisy.transformer);
  assert.deepEqual([n.kind, n.low], ["hyena-faster", 1000]);
  // The transformer faster at the largest length: not reached.
  const slow = headline([10, 100, 1000].flatMap((k): SmallRow[] => [
    { model: "h", n: k, ms: 100 },
    { model: "t", n: k, ms: 10 },
  ]));
  assert.deepEqual(crossoverClaim(slow.hyena, slow.transformer).kind, "not-reached");
});

Deno.test("context brackets: the guaranteed ratio is last ok over first failure", () => {
  // The paper-fig5 sweep: transformer ok at 2,866, out of memory at 5,721; SE(3)-Hyena ok
  // up to 524,288 and never failed: guaranteed ≥ 524,288 / 5,721 ≈ ×91.6, open above.
  const open = contextRatioClaim(
    { lastOk: 524288, firstFailure: null },
    { lastOk: 2866, firstFailure: 5721 },
  );
  assert.deepEqual(open.kind, "at-least");
  near(open.low!, 524288 / 5721, 1e-12);
  assert.deepEqual(open.high, null);
  // Both closed: a range, low = 65,536 / 4,096 = 16, high = 131,072 / 2,048 = 64.
  assert.deepEqual(
    contextRatioClaim({ lastOk: 65536, firstFailure: 131072 }, {
      lastOk: 2048,
      firstFailure: 4096,
    }),
    { kind: "bounded", low: 16, high: 64 },
  );
  // The transformer never failed: its limit is unknown, no ratio.
  assert.deepEqual(
    contextRatioClaim({ lastOk: 100, firstFailure: null }, { lastOk: 10, firstFailure: null })
      .kind,
    "unknown",
  );
  // From a sweep: skipped rows past the OOM are not failures of their own.
  const c = claimsOf(headline([
    { model: "h", n: 1000, ms: 1 },
    { model: "h", n: 2000, ms: 2 },
    { model: "h", n: 4000, status: "oom" },
    { model: "t", n: 1000, ms: 1 },
    { model: "t", n: 2000, status: "oom" },
    { model: "t", n: 4000, status: "skipped" },
  ]));
  assert.deepEqual(c.hyenaContext, { lastOk: 2000, firstFailure: 4000 });
  assert.deepEqual(c.transformerContext, { lastOk: 1000, firstFailure: 2000 });
  assert.deepEqual(c.contextRatio, { kind: "bounded", low: 1, high: 4 });
});

Deno.test("memory ratios by every figure, and values at the paper's N", () => {
  const h = headline([
    { model: "h", n: 10000, ms: 100, peak: 1e6, rss: 1e8 },
    { model: "h", n: 40000, ms: 400, peak: 4e6, rss: 4e8 },
    { model: "t", n: 10000, ms: 100, peak: 64e6, rss: 5.8e8 },
    { model: "t", n: 40000, ms: 1600, peak: 1e9, rss: 4e9 },
  ]);
  const last = h.points.at(-1)!;
  assert.deepEqual(last.seqLen, 40000);
  const m = memoryRatios(
    h.hyena.points.find((p) => p.seqLen === 40000)!,
    h.transformer.points.find((p) => p.seqLen === 40000)!,
  );
  assert.deepEqual(m, { peakBytes: 250, rssPeakBytes: 10, deviceBytes: null });
  // At 20,000 (between 10k and 40k; halfway in log N): Hyena 200 ms, transformer
  // sqrt(100·1600) = 400 ms → ×2; RSS: Hyena 2e8, transformer sqrt(5.8e8·4e9).
  const at = atLength(h, 20000);
  near(at.hyenaMs!, 200, 1e-9);
  near(at.transformerMs!, 400, 1e-9);
  near(at.speedup!, 2, 1e-12);
  assert.deepEqual(at.memoryMetric, "rssPeakBytes");
  near(at.memoryRatio!, Math.sqrt(5.8e8 * 4e9) / 2e8, 1e-9);
  // Outside the measured lengths: not measured there.
  assert.deepEqual(atLength(h, 80000).speedup, null);
  assert.deepEqual(interpolateLogLog([{ seqLen: 2, value: 4 }], 2), 4);
  assert.deepEqual(interpolateLogLog([{ seqLen: 2, value: 4 }], 3), null);
});
