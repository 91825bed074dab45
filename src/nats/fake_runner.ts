/**
 * TEST-ONLY: a stand-in for `runCaseIsolated` that measures nothing. It sleeps a fixed
 * time and returns a synthetic `ok` result, so distribution tests (redelivery, crashes,
 * resume) run in seconds with real worker processes.
 *
 * It is never selected by message content: a worker uses it only when its code injects
 * it (tests) or when the worker CLI is given `--fake-runner <ms>` AND the environment
 * has `SE3_HYENA_TEST_FAULTS=1` (see `workers/worker.ts`).
 *
 * Case-level faults, honoured only by this fake runner: a case whose `label` is
 * `crash-worker` makes the whole worker process exit with code 137 (as if killed by the
 * OOM killer), every time it is delivered; a case with `fault: "oom"` (the schema allows
 * the field only under `SE3_HYENA_TEST_FAULTS=1`) ends `oom` with `oomAt` its length
 * after the sleep, like a real case that ran past the memory budget.
 *
 * @module
 */
import type { Case, CaseResult } from "../results.ts";
import { caseId } from "../case/id.ts";
import type { RunCaseFn } from "./worker.ts";

/** The label that makes the fake runner kill its worker process. */
export const CRASH_WORKER_LABEL = "crash-worker";

/** Options of {@link fakeRunner}. */
export interface FakeRunnerOptions {
  /** Sleep per case, ms. */
  sleepMs: number;
  /** Called when a `crash-worker` case arrives; default `Deno.exit(137)`. */
  crash?: () => never;
  /**
   * After `after` cases, each further case waits (heartbeating) while the file `path`
   * exists: a test holds a sweep at a known point (e.g. to kill the coordinator with
   * exactly `after` results done). The worker CLI reads it from
   * `SE3H_FAKE_RUNNER_HOLD=<after>:<path>`.
   */
  hold?: { after: number; path: string };
}

/** Parses `SE3H_FAKE_RUNNER_HOLD` (`<after>:<path>`); undefined when unset or malformed. */
export function parseHold(v: string | undefined): FakeRunnerOptions["hold"] {
  const m = v ? /^(\d+):(.+)$/.exec(v) : null;
  return m ? { after: Number(m[1]), path: m[2] } : undefined;
}

/** A synthetic result for `c` with the given status and duration (no real measurement). */
export function syntheticResult(c: Case, status: CaseResult["status"], ms: number): CaseResult {
  return {
    id: caseId(c),
    case: c,
    status,
    timeMs: status === "ok"
      ? { median: ms, mean: ms, min: ms, max: ms, p10: ms, p90: ms, n: 1 }
      : null,
    memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
    flops: null,
    worker: { host: "", device: "", backend: c.backend },
    synthetic: true,
  };
}

/** TEST-ONLY runner: sleeps `sleepMs` (abortable, with heartbeats), returns a synthetic `ok`. */
export function fakeRunner(opts: FakeRunnerOptions): RunCaseFn {
  const crash = opts.crash ?? (() => Deno.exit(137));
  let runs = 0;
  const held = () => {
    try {
      Deno.statSync(opts.hold!.path);
      return true;
    } catch {
      return false;
    }
  };
  return async (c, runOpts = {}) => {
    if (c.label === CRASH_WORKER_LABEL) crash();
    if (opts.hold && runs++ >= opts.hold.after) {
      while (held() && !runOpts.signal?.aborted) {
        runOpts.onHeartbeat?.();
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const beat = setInterval(() => runOpts.onHeartbeat?.(), 200);
      const done = () => {
        clearInterval(beat);
        clearTimeout(timer);
        runOpts.signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, opts.sleepMs);
      runOpts.signal?.addEventListener("abort", done);
    });
    if (runOpts.signal?.aborted) {
      return { ...syntheticResult(c, "error", 0), error: "aborted" };
    }
    if (c.fault === "oom") {
      return {
        ...syntheticResult(c, "oom", performance.now() - started),
        oomAt: c.seqLen,
        error: "fake runner: fault oom",
      };
    }
    // The environment the runner was given (tests check that --gpu reaches it).
    return {
      ...syntheticResult(c, "ok", performance.now() - started),
      runnerEnv: runOpts.env ?? {},
    };
  };
}
