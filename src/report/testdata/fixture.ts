/**
 * Synthetic sweeps for the report's tests: both models, forward + backward, OOM rows,
 * a timeout, an error, a training row, two workers (one with a hostile host name), a
 * hostile case label and a `scaling` table. The numbers follow simple formulas (below)
 * so tests can predict them; they are not measurements.
 *
 * - SE(3)-Hyena forward: 20 + 0.01·N ms, 1e5·N bytes; backward ×2.5 time, 2.5e5·N bytes.
 * - transformer forward: 2 + 1e-5·N² ms, 64·N² bytes; backward ×2.5 time, 300·N² bytes.
 * - memory budget 4 GiB (wasm): anything over it is an `oom` row.
 *
 * @module
 */

import type { CaseResult, ModelKind, PassKind, SweepResults } from "../../results.ts";

/** The label on one case, and the host name of worker 2: both must show as text. */
export const HOSTILE_LABEL = `<script>alert(1)</script>"'`;
/** A host name that would load an image and run script if it were not escaped. */
export const HOSTILE_HOST = `evil<img src=x onerror=alert(2)>`;
/** The wasm memory budget the fixture uses. */
export const BUDGET = 4 * 1024 ** 3;
/** Lengths the fixture sweeps. */
export const LENGTHS = [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

function model(m: ModelKind, pass: PassKind, n: number): { ms: number; bytes: number } {
  const k = pass === "backward" ? 2.5 : 1;
  if (m === "se3-hyena") {
    return { ms: k * (20 + 0.01 * n), bytes: (pass === "backward" ? 2.5e5 : 1e5) * n };
  }
  return { ms: k * (2 + 1e-5 * n * n), bytes: (pass === "backward" ? 300 : 64) * n * n };
}

/** Options of {@linkcode fixtureSweep}. */
export interface FixtureOptions {
  /** Multiplies every SE(3)-Hyena forward time. Default 1. */
  hyenaForwardScale?: number;
  /** Leave out the SE(3)-Hyena backward row at this length. Default none. */
  dropHyenaBackwardAt?: number;
  /** Sweep id. Default `fixture-a`. */
  sweepId?: string;
}

/**
 * Builds the fixture sweep. The series stop at the first out-of-memory length (one
 * `oom` row there), as a real sweep does.
 */
export function fixtureSweep(options: FixtureOptions = {}): SweepResults {
  const { hyenaForwardScale = 1, dropHyenaBackwardAt, sweepId = "fixture-a" } = options;
  const rows: CaseResult[] = [];
  const start = Date.parse("2025-01-01T00:00:00Z");
  const clock = [start, start];
  const workers = [
    { host: "alpha", device: "cpu (2 cores)", backend: "wasm", id: "w1" },
    { host: HOSTILE_HOST, device: "cpu (2 cores)", backend: "wasm", id: "w2" },
  ];
  let k = 0;
  for (const m of ["se3-hyena", "equivariant-transformer"] as ModelKind[]) {
    for (const pass of ["forward", "backward"] as PassKind[]) {
      for (const n of LENGTHS) {
        if (m === "se3-hyena" && pass === "backward" && n === dropHyenaBackwardAt) continue;
        const { ms, bytes } = model(m, pass, n);
        const scale = m === "se3-hyena" && pass === "forward" ? hyenaForwardScale : 1;
        const median = ms * scale;
        const oom = bytes > BUDGET;
        const w = k++ % 2;
        const duration = oom ? 500 : 1000 + median * 20;
        const startedAt = new Date(clock[w]).toISOString();
        clock[w] += duration;
        const finishedAt = new Date(clock[w]).toISOString();
        clock[w] += 50;
        rows.push({
          id: `${m}-${pass}-${n}`,
          case: {
            model: m,
            pass,
            seqLen: n,
            batch: 1,
            preset: "quick",
            backend: "wasm",
            dtype: "float32",
            ...(m === "equivariant-transformer" ? { attention: "materialized" as const } : {}),
            repeats: 5,
            warmup: 1,
            budgetMs: 2000,
            timeoutMs: 60000,
            seed: 1,
            ...(m === "se3-hyena" && pass === "forward" && n === 64
              ? { label: HOSTILE_LABEL }
              : {}),
          },
          status: oom ? "oom" : "ok",
          timeMs: oom ? null : {
            median,
            mean: median * 1.01,
            min: median * 0.93,
            max: median * 1.2,
            p10: median * 0.95,
            p90: median * 1.08,
            n: 5,
            medianCI: [median * 0.97, median * 1.03],
            outliers: 0,
          },
          memory: {
            peakBytes: oom ? null : bytes,
            rssPeakBytes: oom ? null : bytes * 1.5 + 80e6,
            deviceBytes: null,
            budgetBytes: BUDGET,
          },
          flops: m === "se3-hyena" ? 1e6 * n : 2e3 * n * n,
          worker: workers[w],
          ...(oom ? { oomAt: n, error: `RangeError: WebAssembly.Memory(): could not grow` } : {}),
          startedAt,
          finishedAt,
        });
        if (oom) break;
      }
    }
  }
  // A repeated case that failed: the ok row at the same length must win.
  rows.push({
    ...rows[3],
    id: "se3-hyena-forward-512-repeat",
    status: "error",
    timeMs: null,
    error: `Error: <b>boom</b> & "quotes"`,
  });
  // A timeout at a length that has no other row.
  rows.push({
    ...rows.find((r) => r.id === "equivariant-transformer-forward-2048")!,
    id: "equivariant-transformer-forward-3000",
    case: {
      ...rows.find((r) => r.id === "equivariant-transformer-forward-2048")!.case,
      seqLen: 3000,
    },
    status: "timeout",
    timeMs: null,
    error: "case timed out after 60000 ms",
  });
  // A training row: the runtime/memory analysis must ignore it.
  rows.push({
    id: "train-recall-64",
    case: {
      model: "se3-hyena",
      pass: "train",
      seqLen: 64,
      batch: 32,
      preset: "recall",
      backend: "wasm",
      dtype: "float32",
      repeats: 1,
      warmup: 0,
      budgetMs: 0,
      timeoutMs: 600000,
      seed: 1,
      task: "recall",
      epochs: 3,
    },
    status: "ok",
    timeMs: null,
    memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
    flops: null,
    worker: workers[0],
    testMse: 0.5,
  });
  return {
    sweepId,
    createdAt: new Date(start).toISOString(),
    preset: "quick",
    environment: {
      host: "alpha",
      os: "linux x86_64",
      cpus: 2,
      memoryBytes: 24 * 1024 ** 3,
      deno: "2.9.6",
      v8: "13.0",
      typescript: "5.6",
      tfjs: "4.22.0",
      gitCommit: "0123456789abcdef",
    },
    results: rows,
    scaling: [
      { workers: 1, makespanMs: 120000, throughputCasesPerMin: 20, efficiency: 1 },
      { workers: 2, makespanMs: 63000, throughputCasesPerMin: 38.1, efficiency: 0.952 },
    ],
  };
}
