/**
 * TEST-ONLY: a parent that runs one `hang` case with `runCaseIsolated` and prints
 * "started" once the case's child is up; the test then kills this process with SIGKILL
 * and checks that the child died with it. The child carries the marker given as argument
 * in its environment (`SE3H_TEST_MARKER`), so the test can find it.
 */
import { runCaseIsolated } from "../isolated.ts";
import type { Case } from "../../results.ts";

const c: Case = {
  model: "se3-hyena",
  pass: "forward",
  seqLen: 64,
  batch: 1,
  preset: "tiny",
  backend: "cpu",
  dtype: "float32",
  repeats: 1,
  warmup: 0,
  budgetMs: 0,
  timeoutMs: 120_000,
  seed: 0,
  fault: "hang",
};
console.log("started");
await runCaseIsolated(c, {
  env: { SE3_HYENA_TEST_FAULTS: "1", SE3H_TEST_MARKER: Deno.args[0] },
});
