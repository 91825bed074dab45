import assert from "node:assert/strict";
import { fmtBytes, fmtInt, fmtMs, fmtNum, fmtRatio } from "./format.ts";

Deno.test("format helpers", () => {
  assert.equal(fmtInt(20000), "20,000");
  assert.equal(fmtInt(null), "–");
  assert.equal(fmtNum(0.012345), "0.0123");
  assert.equal(fmtNum(123456), "123,456");
  assert.equal(fmtNum(NaN), "–");
  assert.equal(fmtMs(12.345), "12.3 ms");
  assert.equal(fmtMs(12345), "12.3 s");
  assert.equal(fmtBytes(1536), "1.5 KiB");
  assert.equal(fmtBytes(4 * 2 ** 30), "4 GiB");
  assert.equal(fmtBytes(12), "12 B");
  assert.equal(fmtBytes(2 ** 30, { fixed: 2 }), "1.00 GiB");
  assert.equal(fmtBytes(300 * 2 ** 20, { fixed: 1, minUnit: "MiB" }), "300.0 MiB");
  assert.equal(fmtBytes(2 ** 19, { fixed: 1, minUnit: "MiB" }), "0.5 MiB");
  assert.equal(fmtRatio(6.614), "×6.61");
  assert.equal(fmtRatio(undefined), "–");
});
