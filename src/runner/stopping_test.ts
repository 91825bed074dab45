import assert from "node:assert/strict";
import { type StopReason, stopReason } from "./stopping.ts";

const rule = { minRepeats: 6, maxRepeats: 40, relTol: 0.05, budgetMs: 1000 };

/**
 * Drives the rule with a fake clock: step i takes `stepMs(i)` ms and measures
 * `sample(i)`; returns the number of steps taken and why it stopped.
 */
function drive(
  sample: (i: number) => number,
  stepMs: (i: number) => number,
  r = rule,
): { n: number; why: StopReason } {
  const samples: number[] = [];
  let clock = 0;
  for (let i = 0; i < 10_000; i++) {
    clock += stepMs(i);
    samples.push(sample(i));
    const why = stopReason(samples, clock, r);
    if (why) return { n: samples.length, why };
  }
  throw new Error("never stopped");
}

Deno.test("stopping rule: stable samples stop at the minimum repeats", () => {
  assert.deepEqual(drive(() => 10, () => 10), { n: 6, why: "repeats" });
  assert.deepEqual(drive(() => 10, () => 10, { ...rule, minRepeats: 9 }), { n: 9, why: "repeats" });
});

Deno.test("stopping rule: a noisy median takes more steps, until it is stable", () => {
  // Noisy at first (±50%), then steady: more than the minimum, fewer than the maximum.
  const r = drive((i) => (i < 8 ? (i % 2 ? 5 : 15) : 10), () => 1);
  assert.equal(r.why, "stable");
  assert.ok(r.n > 6 && r.n < 40, `n = ${r.n}`);
});

Deno.test("stopping rule: the time budget stops an unstable case before the next step would overrun it", () => {
  // Always noisy; each step takes 100 ms of the 1000 ms budget. After 9 steps
  // 900 + 100 = 1000 still fits; after 10, 1000 + 100 > 1000: stop.
  const r = drive((i) => (i % 2 ? 1 : 100), () => 100);
  assert.deepEqual(r, { n: 10, why: "budget" });
  // With a budget smaller than the minimum repeats' time, the minimum still runs.
  assert.deepEqual(drive((i) => (i % 2 ? 1 : 100), () => 500), { n: 6, why: "repeats" });
});

Deno.test("stopping rule: never more than maxRepeats", () => {
  const r = drive((i) => (i % 2 ? 1 : 100), () => 0, { ...rule, budgetMs: Infinity });
  assert.deepEqual(r, { n: 40, why: "max-repeats" });
});
