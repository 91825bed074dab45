import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { canonicalJson, CASE_ID_HEX_DIGITS, caseId } from "./id.ts";
import { parseCase } from "./schema.ts";

Deno.test("canonicalJson sorts keys at every depth and drops undefined", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 0, y: "s" }], c: undefined } }),
    '{"a":{"d":[1,{"y":"s","z":0}]},"b":1}',
  );
  assert.throws(() => canonicalJson({ x: NaN }), /non-finite/);
});

Deno.test("caseId is the first 16 hex digits of SHA-256 of the canonical JSON", () => {
  const c = { seqLen: 64, model: "se3-hyena" };
  const expected = createHash("sha256").update('{"model":"se3-hyena","seqLen":64}').digest("hex")
    .slice(0, 16);
  assert.equal(caseId(c), expected);
  assert.equal(caseId(c).length, CASE_ID_HEX_DIGITS);
});

Deno.test("caseId does not depend on key order or explicit defaults, and differs between cases", () => {
  const a = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 64 });
  const b = parseCase({
    seqLen: 64,
    batch: 1,
    pass: "forward",
    model: "se3-hyena",
    backend: "wasm",
  });
  const c = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 128 });
  assert.equal(caseId(a), caseId(b));
  assert.notEqual(caseId(a), caseId(c));
});

Deno.test("caseId: the framework field leaves the ids of existing tfjs cases unchanged", () => {
  // Case and id as written in reports/quick-20261127T122638Z-a109/results.json (before the
  // framework field existed).
  const old = {
    model: "se3-hyena",
    seqLen: 64,
    batch: 1,
    preset: "nbody",
    backend: "wasm",
    dtype: "float32",
    repeats: 3,
    warmup: 1,
    budgetMs: 1500,
    timeoutMs: 60000,
    seed: 0,
    pass: "forward",
  };
  const parsed = parseCase(old);
  assert.equal(parsed.framework, "tfjs");
  assert.equal(caseId(parsed), "2634cb78c52d03a9");
  assert.equal(caseId(parseCase({ ...old, framework: "tfjs" })), "2634cb78c52d03a9");
  const torch = parseCase({ ...old, framework: "torch" });
  assert.equal(torch.device, "cpu");
  assert.notEqual(caseId(torch), "2634cb78c52d03a9");
  assert.notEqual(caseId(parseCase({ ...old, framework: "torch", device: "cuda" })), caseId(torch));
});

Deno.test("caseId: the threads field leaves the ids of cases that name none unchanged", () => {
  // The case and id of the test above (reports/quick-20261127T122638Z-a109/results.json).
  const old = {
    model: "se3-hyena",
    seqLen: 64,
    batch: 1,
    preset: "nbody",
    backend: "wasm",
    dtype: "float32",
    repeats: 3,
    warmup: 1,
    budgetMs: 1500,
    timeoutMs: 60000,
    seed: 0,
    pass: "forward",
  };
  const parsed = parseCase(old);
  assert.equal(parsed.threads, undefined, "no default filled in");
  assert.equal(caseId(parsed), "2634cb78c52d03a9");
  const one = caseId(parseCase({ ...old, threads: 1 }));
  const two = caseId(parseCase({ ...old, threads: 2 }));
  assert.notEqual(one, "2634cb78c52d03a9");
  assert.notEqual(one, two);
});
