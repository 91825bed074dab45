import assert from "node:assert/strict";
import { circularConvF32, clearConvPlanCache } from "./circular_conv.ts";
import { directCircularConv, randomArray, relativeError, seededUniform } from "./testing.ts";

Deno.test("circularConvF32: convolution and correlation match the direct sum (odd/even D, B > 1)", () => {
  const random = seededUniform(31);
  for (const n of [1, 2, 3, 5, 8, 12, 31, 64, 100]) {
    for (const nd of [1, 2, 3, 6]) {
      for (const flip of [false, true]) {
        const shape = [2, n, nd] as const;
        const x = randomArray(2 * n * nd, random);
        const k = randomArray(2 * n * nd, random);
        const out = new Float32Array(x.length).fill(NaN);
        circularConvF32(x, k, out, shape, flip);
        const err = relativeError(out, directCircularConv(x, k, shape, flip));
        assert.ok(err < 1e-6, `N=${n} D=${nd} flip=${flip}: relative error ${err}`);
      }
    }
  }
});

Deno.test("circularConvF32: reused scratch across sizes sharing one FFT size stays correct", () => {
  clearConvPlanCache();
  const random = seededUniform(4);
  // N = 5, 6, 7 (padded) and 16 (unpadded) all use M = 16; a stale tail would corrupt them.
  for (const n of [16, 7, 5, 6, 16, 5]) {
    const shape = [1, n, 2] as const;
    const x = randomArray(2 * n, random);
    const k = randomArray(2 * n, random);
    const out = new Float32Array(2 * n);
    circularConvF32(x, k, out, shape, false);
    assert.ok(relativeError(out, directCircularConv(x, k, shape)) < 1e-6, `N=${n}`);
  }
});

Deno.test("circularConvF32: rejects wrong lengths and shapes naming the value", () => {
  const a = new Float32Array(6);
  assert.throws(
    () => circularConvF32(a, new Float32Array(5), a.slice(), [1, 3, 2], false),
    /k: expected length 6 for shape \[1,3,2\], got 5/,
  );
  assert.throws(
    () => circularConvF32(a, a, a.slice(), [1, -3, 2], false),
    /shape: N must be a non-negative integer, got -3/,
  );
});
