import assert from "node:assert/strict";
import { parseCase } from "../case/schema.ts";
import { emptyResult } from "./result.ts";
import { validateResult } from "./result_schema.ts";

const c = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 128, preset: "tiny" }, "case");

Deno.test("validateResult: a skipped row says after what; oom and skipped stay apart", () => {
  const skipped = { ...emptyResult(c, "skipped", { error: "skipped" }), skippedAfter: "oom" };
  assert.equal(validateResult({ ...skipped, oomAt: 64 }).status, "skipped");
  assert.throws(
    () => validateResult({ ...skipped, skippedAfter: undefined }),
    /skippedAfter: a skipped row needs "oom" or "timeout"/,
  );
  assert.throws(() => validateResult(emptyResult(c, "oom", { error: "x" })), /oomAt/);
});

Deno.test("validateResult: load averages are optional, else three numbers before and after", () => {
  const r = emptyResult(c, "error", { error: "boom" });
  assert.equal(validateResult(r).loadAvg, undefined);
  const ok = { ...r, loadAvg: { before: [1, 0.5, 0.2], after: [1.5, 0.6, 0.2] } };
  assert.deepEqual(validateResult(ok).loadAvg, ok.loadAvg);
  assert.throws(
    () => validateResult({ ...r, loadAvg: { before: [1, 2], after: [1, 2, 3] } }),
    /loadAvg.before: expected 3 numbers/,
  );
});
