import assert from "node:assert/strict";
import { sinusoidalEncoding } from "./positional.ts";

Deno.test("sinusoidalEncoding: sin/cos ladder, shape [n, dim]", () => {
  const pe = sinusoidalEncoding(4, 16);
  assert.equal(pe.length, 64);
  // position 0: sin 0 = 0, cos 0 = 1
  for (let c = 0; c < 16; c++) assert.equal(pe[c], c % 2 === 0 ? 0 : 1);
  // position 3, channel pair 1: frequency 1 / 10000^(2/16)
  const angle = 3 / Math.pow(10000, 2 / 16);
  assert.ok(Math.abs(pe[3 * 16 + 2] - Math.sin(angle)) < 1e-6);
  assert.ok(Math.abs(pe[3 * 16 + 3] - Math.cos(angle)) < 1e-6);
  // distinct positions have distinct encodings
  assert.notDeepEqual(Array.from(pe.subarray(16, 32)), Array.from(pe.subarray(32, 48)));
});

Deno.test("sinusoidalEncoding: invalid sizes name the field and value", () => {
  assert.throws(() => sinusoidalEncoding(0, 16), /n: expected a positive integer, got 0/);
  assert.throws(() => sinusoidalEncoding(4, 2.5), /dim: expected a positive integer, got 2.5/);
});
