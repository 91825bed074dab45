import assert from "node:assert/strict";
import { parseBytes } from "./parse_bytes.ts";

Deno.test("parseBytes: binary and decimal units, bare bytes", () => {
  assert.equal(parseBytes("4GiB"), 4 * 2 ** 30);
  assert.equal(parseBytes("512MiB"), 512 * 2 ** 20);
  assert.equal(parseBytes("1.5GB"), 1.5e9);
  assert.equal(parseBytes("2g"), 2 * 2 ** 30);
  assert.equal(parseBytes("1073741824"), 2 ** 30);
  assert.equal(parseBytes(" 64 KiB "), 65536);
});

Deno.test("parseBytes rejects bad sizes naming the value", () => {
  for (const bad of ["", "4XB", "-1GiB", "GiB", "0", "1e9"]) {
    assert.throws(
      () => parseBytes(bad),
      (e: unknown) => e instanceof RangeError && e.message.includes(JSON.stringify(bad)),
    );
  }
});
