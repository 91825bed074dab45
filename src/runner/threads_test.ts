import assert from "node:assert/strict";
import { caseThreads, THREADS_ENV } from "./threads.ts";

Deno.test("caseThreads: the case's count, else SE3_HYENA_THREADS, else every core (≤ 65)", () => {
  const saved = Deno.env.get(THREADS_ENV);
  try {
    Deno.env.delete(THREADS_ENV);
    assert.equal(caseThreads({ threads: 3 }), 3);
    assert.equal(caseThreads({}), Math.min(65, navigator.hardwareConcurrency));
    Deno.env.set(THREADS_ENV, "5");
    assert.equal(caseThreads({}), 5);
    assert.equal(caseThreads({ threads: 1 }), 1, "the case wins");
    Deno.env.set(THREADS_ENV, "1000");
    assert.equal(caseThreads({}), 65);
    for (const bad of ["0", "x", "-2", ""]) {
      Deno.env.set(THREADS_ENV, bad);
      assert.equal(caseThreads({}), Math.min(65, navigator.hardwareConcurrency), `env ${bad}`);
    }
  } finally {
    if (saved === undefined) Deno.env.delete(THREADS_ENV);
    else Deno.env.set(THREADS_ENV, saved);
  }
});
