import assert from "node:assert/strict";
import {
  binomialHalfCdf,
  countOutliers,
  isMedianStable,
  medianCI,
  quantile,
  summarize,
} from "./stats.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

Deno.test("quantile interpolates linearly (R type 7)", () => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  close(quantile(s, 0), 1);
  close(quantile(s, 1), 10);
  close(quantile(s, 0.5), 5.5);
  close(quantile(s, 0.1), 1.9);
  close(quantile(s, 0.9), 9.1);
  assert.throws(() => quantile([], 0.5), /empty/);
});

Deno.test("binomialHalfCdf matches exact values", () => {
  close(binomialHalfCdf(0, 6), 1 / 64);
  close(binomialHalfCdf(1, 10), 11 / 1024);
  close(binomialHalfCdf(2, 4), 11 / 16);
  close(binomialHalfCdf(10, 10), 1);
  assert.equal(binomialHalfCdf(-1, 10), 0);
  const big = binomialHalfCdf(499, 1000); // symmetric: P(X ≤ 499) = (1 − P(X = 500)) / 2
  assert.ok(big > 0.48 && big < 0.5);
});

Deno.test("medianCI uses the textbook order statistics", () => {
  const seq = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  // Known ranks for 95%: n = 6 → (1, 6), n = 10 → (2, 9), n = 20 → (6, 15), n = 100 → (40, 61).
  assert.deepEqual(medianCI(seq(6)).ranks, [1, 6]);
  assert.deepEqual(medianCI(seq(10)).ranks, [2, 9]);
  assert.deepEqual(medianCI(seq(20)).ranks, [6, 15]);
  assert.deepEqual(medianCI(seq(100)).ranks, [40, 61]);
  close(medianCI(seq(10)).coverage, 1 - 2 * 11 / 1024);
  const small = medianCI([3, 1, 2]);
  assert.deepEqual([small.lower, small.upper], [1, 3]);
  close(small.coverage, 0.75);
  assert.ok(medianCI(seq(20)).coverage >= 0.95);
});

Deno.test("summarize reports median, mean, extremes, p10/p90, CI and outliers", () => {
  const s = summarize([5, 1, 4, 2, 3, 6, 7, 8, 9, 100]);
  assert.equal(s.n, 10);
  close(s.median, 5.5);
  close(s.mean, 14.5);
  assert.equal(s.min, 1);
  assert.equal(s.max, 100);
  close(s.p10, 1.9);
  close(s.p90, 18.1);
  assert.deepEqual(s.medianCI, [2, 9]);
  assert.equal(s.outliers, 1);
  assert.deepEqual(s.samples, [5, 1, 4, 2, 3, 6, 7, 8, 9, 100]);
  assert.equal(summarize([1], { keepSamples: false }).samples, undefined);
  assert.throws(() => summarize([]), /no samples/);
  assert.throws(() => summarize([1, NaN]), /samples\[1\].*NaN/);
});

Deno.test("countOutliers uses Tukey's fences", () => {
  assert.equal(countOutliers([1, 2, 3, 4, 5, 6, 7, 8]), 0);
  assert.equal(countOutliers([10, 10, 10, 10, 10, 10, 50, -30]), 2);
});

Deno.test("isMedianStable needs enough samples and a tight CI", () => {
  assert.equal(isMedianStable([10, 10, 10]), false); // fewer than 6
  assert.equal(isMedianStable([10, 10.1, 9.9, 10, 10.05, 9.95]), true);
  assert.equal(isMedianStable([10, 20, 5, 30, 1, 12]), false);
  assert.equal(isMedianStable([10, 20, 5, 30, 1, 12], { relTol: 10 }), true);
});
