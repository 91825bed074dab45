import assert from "node:assert/strict";
import { convPlanSize, flipIndices, isPowerOfTwo, nextPowerOfTwo } from "./conv_size.ts";

Deno.test("convPlanSize: N for powers of two, else nextPowerOfTwo(2N) with a fold", () => {
  assert.deepEqual(convPlanSize(1), { n: 1, m: 1, fold: false });
  assert.deepEqual(convPlanSize(64), { n: 64, m: 64, fold: false });
  assert.deepEqual(convPlanSize(3), { n: 3, m: 8, fold: true });
  assert.deepEqual(convPlanSize(997), { n: 997, m: 2048, fold: true });
  assert.deepEqual(convPlanSize(2860), { n: 2860, m: 8192, fold: true });
  for (let n = 1; n < 300; n++) {
    const { m, fold } = convPlanSize(n);
    assert.ok(isPowerOfTwo(m) && (fold ? m >= 2 * n - 1 : m === n), `n=${n}`);
  }
  assert.throws(() => convPlanSize(0), /n: expected a positive integer, got 0/);
  assert.throws(() => convPlanSize(2.5), /got 2.5/);
});

Deno.test("nextPowerOfTwo / isPowerOfTwo", () => {
  assert.equal(nextPowerOfTwo(1), 1);
  assert.equal(nextPowerOfTwo(5), 8);
  assert.equal(nextPowerOfTwo(1024), 1024);
  assert.ok(isPowerOfTwo(1) && isPowerOfTwo(4096) && !isPowerOfTwo(0) && !isPowerOfTwo(6));
  assert.throws(() => nextPowerOfTwo(-3), /n: expected a positive integer ≤ 2\^30, got -3/);
});

Deno.test("flipIndices: circular reversal [0, n−1, …, 1]", () => {
  assert.deepEqual([...flipIndices(1)], [0]);
  assert.deepEqual([...flipIndices(5)], [0, 4, 3, 2, 1]);
});
