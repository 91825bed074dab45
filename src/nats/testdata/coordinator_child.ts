/**
 * TEST-ONLY: a coordinator process for `coordinator_test.ts` to `kill -9`.
 * Usage: deno run -A coordinator_child.ts <outDir> <sweepId>
 * Runs {@link resumeCases} with one local worker on the test-only fake runner.
 *
 * @module
 */
import type { Case, Environment } from "../../results.ts";
import { runDistributedSweep } from "../coordinator.ts";

/** The cases of the resume test (the same in the killed and the resumed coordinator). */
export function resumeCases(): Case[] {
  return Array.from(
    { length: 12 },
    (_, i) =>
      ({
        model: "se3-hyena",
        pass: "forward",
        seqLen: 16 * (i + 1),
        backend: "cpu",
      }) as unknown as Case,
  );
}

/** Options shared by the killed and the resumed coordinator. */
export const RESUME_OPTIONS = {
  workers: 1,
  workerArgs: ["--fake-runner", "400"],
  workerEnv: { SE3_HYENA_TEST_FAULTS: "1" },
  ackWaitMs: 1500,
  heartbeatMs: 500,
  pollMs: 300,
  environment: {
    host: "test",
    os: "",
    cpus: 0,
    memoryBytes: 0,
    deno: "",
    v8: "",
    typescript: "",
    tfjs: "",
    gitCommit: null,
  } as Environment,
};

if (import.meta.main) {
  // Optional third argument: `<after>:<hold file>` (see SE3H_FAKE_RUNNER_HOLD in fake_runner.ts).
  const [outDir, sweepId, hold] = Deno.args;
  await runDistributedSweep({
    cases: resumeCases(),
    sweepId,
    outDir,
    ...RESUME_OPTIONS,
    workerEnv: { ...RESUME_OPTIONS.workerEnv, ...(hold ? { SE3H_FAKE_RUNNER_HOLD: hold } : {}) },
  });
}
