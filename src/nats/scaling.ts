/**
 * A scaling study: the same cases run once per worker count (1, 2, 4 … local workers; with
 * GPUs, the first n), each as its own distributed sweep `<sweepId>-w<n>`, with the
 * makespan, throughput and efficiency of each.
 *
 * @module
 */
import type { SweepResults } from "../results.ts";
import { ResultsFile } from "../sweep/results_file.ts";
import {
  type DistributedInfo,
  type DistributedSweepOptions,
  runDistributedSweep,
} from "./coordinator.ts";
import { checkSweepId } from "./protocol.ts";

/** One row of a scaling study. */
export interface ScalingRow {
  workers: number;
  /** The run's sweep id (`<sweepId>-w<workers>`). */
  sweepId: string;
  /** From the first work message published (all local workers announced) to the last result, ms. */
  makespanMs: number;
  throughputCasesPerMin: number;
  /** Throughput per worker relative to the first row's throughput per worker (1 = linear). */
  efficiency: number;
}

/**
 * Runs the same cases once per entry of `workerCounts` (1, 2, 4 … local workers; with
 * `gpus`, the first n GPUs), each as its own sweep `<sweepId>-w<n>`, and returns the
 * makespan, throughput and efficiency of each. It also writes
 * `<outDir>/<sweepId>/results.json` with the results of the first run (the fewest
 * concurrent workers, so the least disturbed timings) and the rows as `scaling`.
 */
export async function runScalingStudy(
  opts: DistributedSweepOptions & { workerCounts: number[] },
): Promise<{ scaling: ScalingRow[]; runs: SweepResults[] }> {
  checkSweepId(opts.sweepId);
  if (opts.workerCounts.length === 0) {
    throw new Error("workerCounts: expected at least one count, got []");
  }
  for (const n of opts.workerCounts) {
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`workerCounts: expected positive integers, got ${JSON.stringify(n)}`);
    }
    if (opts.gpus?.length && n > opts.gpus.length) {
      throw new Error(`workerCounts: ${n} workers but only ${opts.gpus.length} GPUs (--gpus)`);
    }
  }
  const { workerCounts, ...base } = opts;
  const scaling: ScalingRow[] = [];
  const runs: SweepResults[] = [];
  for (const n of workerCounts) {
    const sweepId = `${opts.sweepId}-w${n}`;
    checkSweepId(sweepId);
    const res = await runDistributedSweep({
      ...base,
      sweepId,
      resume: false,
      workers: n,
      gpus: opts.gpus?.slice(0, n),
    });
    runs.push(res);
    const makespanMs = (res.distributed as DistributedInfo).makespanMs;
    const throughput = makespanMs > 0 ? res.results.length / (makespanMs / 60_000) : 0;
    const basePerWorker = scaling.length
      ? scaling[0].throughputCasesPerMin / scaling[0].workers
      : throughput / n;
    scaling.push({
      workers: n,
      sweepId,
      makespanMs,
      throughputCasesPerMin: throughput,
      efficiency: basePerWorker > 0 ? throughput / n / basePerWorker : 0,
    });
  }
  const first = runs[0];
  const file = await ResultsFile.create(`${opts.outDir}/${opts.sweepId}`, {
    sweepId: opts.sweepId,
    environment: first.environment,
    ...(opts.preset ? { preset: opts.preset } : {}),
  });
  await file.set({
    ...opts.extra,
    results: first.results,
    workers: first.workers,
    timeline: first.timeline,
    distributed: first.distributed,
    scaling,
    scalingRuns: scaling.map((r) => r.sweepId),
    finishedAt: new Date().toISOString(),
  });
  return { scaling, runs };
}
