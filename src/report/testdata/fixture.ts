/**
 * Synthetic sweeps for the report's tests: both models, forward + backward, OOM rows,
 * a timeout, an error, training rows, two workers (one with a hostile host name), a
 * hostile case label and a `scaling` table. The numbers follow simple formulas (below)
 * so tests can predict them; they are not measurements.
 *
 * - SE(3)-Hyena forward: 20 + 0.01·N ms, 1e5·N bytes; backward ×2.5 time, 2.5e5·N bytes.
 * - transformer forward: 2 + 1e-5·N² ms, 64·N² bytes; backward ×2.5 time, 300·N² bytes.
 * - memory budget 4 GiB (wasm): anything over it is an `oom` row.
 * - training ({@linkcode trainingFixtureRows}): recall (both vocabularies) at N = 32 and
 *   64 and n-body for all four models, test MSE = {@linkcode TRAIN_MSE}, a 3-epoch curve
 *   each; one `oom` (equivariant transformer, random vocabulary, N = 128) and one `error`
 *   row whose task is a hostile string.
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
/** The task of the fixture's training row with an error: must show as text. */
export const HOSTILE_TASK = `<img src=x onerror=alert(3)>`;
/** The recall lengths of the fixture's training rows. */
export const TRAIN_LENGTHS = [32, 64];
/** Training models, in the order the fixture lists them. */
export const TRAIN_MODELS: ModelKind[] = [
  "se3-hyena",
  "equivariant-transformer",
  "hyena",
  "transformer",
];

/**
 * Test MSE of a fixture training row: recall `k·32/N` with k = 0.05 (SE(3)-Hyena),
 * 0.5 (equivariant transformer), 2.4 (Hyena), 2.2 (transformer), twice that for the
 * random vocabulary; n-body 0.02, 0.03, 0.06, 0.05 in the same order.
 */
export function TRAIN_MSE(task: string, model: ModelKind, seqLen: number): number {
  const i = TRAIN_MODELS.indexOf(model);
  if (task === "nbody") return [0.02, 0.03, 0.06, 0.05][i];
  const k = [0.05, 0.5, 2.4, 2.2][i] * (task === "recall-random" ? 2 : 1);
  return (k * 32) / seqLen;
}

/** The fixture's linear-motion reference on n-body. */
export const TRAIN_LINEAR_MOTION = 0.1;

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
            // In the order taken: the drill-down draws them.
            samples: [1.2, 0.97, 1, 0.93, 1.05].map((k) => median * k),
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
  // Training rows (issue 6): the runtime/memory analysis must ignore them.
  rows.push(...trainingFixtureRows(workers[0]));
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

/** The fixture's training rows (see the module doc). */
export function trainingFixtureRows(worker: CaseResult["worker"]): CaseResult[] {
  const rows: CaseResult[] = [];
  const row = (
    task: string,
    model: ModelKind,
    seqLen: number,
    status: CaseResult["status"] = "ok",
    error?: string,
  ): CaseResult => {
    const mse = status === "ok" ? TRAIN_MSE(task, model, seqLen) : null;
    return {
      id: `train-${task}-${model}-${seqLen}`,
      case: {
        model,
        pass: "train",
        seqLen,
        batch: 32,
        preset: task === "nbody" ? "nbody" : "tiny",
        backend: "wasm",
        dtype: "float32",
        repeats: 5,
        warmup: 2,
        budgetMs: 5000,
        timeoutMs: 600000,
        seed: 0,
        task,
        epochs: 3,
        lr: 0.003,
        weightDecay: 1e-5,
        trainSize: 64,
        valSize: 16,
        testSize: 32,
        ...(model === "hyena" || model === "transformer" ? { width: 12 } : {}),
      },
      status,
      timeMs: null,
      memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
      flops: null,
      worker,
      ...(error ? { error } : {}),
      ...(mse === null ? {} : {
        task,
        testMse: mse,
        bestValMse: mse * 1.1,
        bestEpoch: 3,
        epochsRun: 3,
        curve: [1, 2, 3].map((epoch) => ({
          epoch,
          trainMse: mse * (4 - epoch),
          valMse: mse * 1.1 * (4 - epoch),
          lr: 0.003 / epoch,
        })),
        wallMs: 1000 * seqLen,
        parameterCount: 1000 + TRAIN_MODELS.indexOf(model),
        ...(task === "nbody" ? { linearMotionMse: TRAIN_LINEAR_MOTION } : {}),
      }),
    };
  };
  for (const task of ["recall-fixed", "recall-random"]) {
    for (const model of TRAIN_MODELS) {
      for (const n of TRAIN_LENGTHS) rows.push(row(task, model, n));
    }
  }
  rows.push(
    row(
      "recall-random",
      "equivariant-transformer",
      128,
      "oom",
      "RuntimeError: memory access out of bounds",
    ),
  );
  for (const model of TRAIN_MODELS) rows.push(row("nbody", model, 5));
  rows.push(
    row(
      HOSTILE_TASK,
      "hyena",
      8,
      "error",
      `training case: task: expected one of recall-fixed, recall-random, nbody, got "${HOSTILE_TASK}"`,
    ),
  );
  return rows;
}
