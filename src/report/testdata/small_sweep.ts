/**
 * Compact sweeps for the claims and noise tests: a row per (model, length) from a short
 * description, every field a report reads filled in.
 *
 * @module
 */

import type { CaseResult, CaseStatus, ModelKind, SweepResults } from "../../results.ts";

/** One row of a compact sweep. */
export interface SmallRow {
  model: "h" | "t";
  n: number;
  /** Median ms (ok rows). */
  ms?: number;
  /** Relative half-width of the median's CI. Default 0.02. */
  ci?: number;
  status?: CaseStatus;
  peak?: number;
  rss?: number;
  device?: number;
  /** Raw samples (default: none stored). */
  samples?: number[];
  /** Load averages recorded before/after the case. */
  load?: [number, number];
  /** Old-style skipped row: status `oom` with `skipped: true`. */
  oldSkip?: boolean;
}

const MODEL: Record<SmallRow["model"], ModelKind> = {
  h: "se3-hyena",
  t: "equivariant-transformer",
};

/** A forward-pass sweep of SE(3)-Hyena (`h`) and the transformer (`t`) from compact rows. */
export function smallSweep(rows: readonly SmallRow[], sweepId = "small"): SweepResults {
  return {
    sweepId,
    createdAt: "2025-01-01T00:00:00.000Z",
    preset: "small",
    environment: {
      host: "test",
      os: "linux",
      cpus: 2,
      memoryBytes: 8 * 2 ** 30,
      deno: "2",
      v8: "13",
      typescript: "5",
      tfjs: "4.22.0",
      gitCommit: null,
    },
    results: rows.map((r, i): CaseResult => {
      const status = r.status ?? "ok";
      const ms = r.ms ?? 1;
      const half = (r.ci ?? 0.02) * ms;
      return {
        id: `${r.model}-${r.n}-${i}`,
        case: {
          model: MODEL[r.model],
          pass: "forward",
          seqLen: r.n,
          batch: 1,
          preset: "small",
          backend: "wasm",
          dtype: "float32",
          ...(r.model === "t" ? { attention: "materialized" as const } : {}),
          repeats: 3,
          warmup: 1,
          budgetMs: 1000,
          timeoutMs: 10000,
          seed: 1,
        },
        status: r.oldSkip ? "oom" : status,
        timeMs: status === "ok"
          ? {
            median: ms,
            mean: ms,
            min: ms - half,
            max: ms + half,
            p10: ms - half,
            p90: ms + half,
            n: r.samples?.length ?? 5,
            medianCI: [ms - half, ms + half],
            ...(r.samples ? { samples: r.samples } : {}),
          }
          : null,
        memory: {
          peakBytes: r.peak ?? null,
          rssPeakBytes: r.rss ?? null,
          deviceBytes: r.device ?? null,
          budgetBytes: null,
        },
        flops: null,
        worker: { host: "test", device: "cpu", backend: "wasm" },
        ...(status === "oom" || r.oldSkip ? { oomAt: r.n, error: "out of memory" } : {}),
        ...(status === "skipped" ? { oomAt: r.n, error: "skipped", skippedAfter: "oom" } : {}),
        ...(r.oldSkip ? { skipped: true } : {}),
        ...(r.load ? { loadAvg: { before: [r.load[0], 0, 0], after: [r.load[1], 0, 0] } } : {}),
        startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
        finishedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i, 500)).toISOString(),
      };
    }),
  };
}
