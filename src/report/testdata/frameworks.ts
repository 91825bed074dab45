/**
 * A synthetic two-framework sweep for the report's tests, as the `frameworks` and `cpu-peer`
 * presets produce: TensorFlow.js (`wasm`, rows without a `framework`) and PyTorch
 * (`framework: "torch"`, `device: "cpu"`, the case's backend left at `wasm` as the presets
 * do) for both models, forward and backward, at {@linkcode FW_LENGTHS}; plus one
 * checkpointed TensorFlow.js SE(3)-Hyena backward row at {@linkcode CHECKPOINT_N}, where
 * PyTorch runs it plain (as in `cpu-peer`). Not measurements: the times follow formulas.
 *
 * - TensorFlow.js: SE(3)-Hyena forward 20 + 0.01·N ms, the transformer (materialized)
 *   2 + 1e-5·N² ms; backward ×2.5.
 * - PyTorch: TensorFlow.js ÷ {@linkcode TORCH_SPEEDUP} (SE(3)-Hyena ÷ 4, transformer ÷ 2),
 *   except the transformer forward at {@linkcode SAME_N}, equal to TensorFlow.js's (within
 *   noise).
 * - Every median's CI is ±3%.
 *
 * @module
 */

import type { CaseResult, ModelKind, PassKind, SweepResults } from "../../results.ts";

/** The lengths both frameworks run. */
export const FW_LENGTHS = [256, 1024, 4096];
/** The length of the checkpointed TensorFlow.js backward row (PyTorch: plain). */
export const CHECKPOINT_N = 16384;
/** The length where PyTorch's transformer forward equals TensorFlow.js's. */
export const SAME_N = 256;
/** TensorFlow.js time ÷ PyTorch time per model. */
export const TORCH_SPEEDUP: Record<string, number> = {
  "se3-hyena": 4,
  "equivariant-transformer": 2,
};

/** TensorFlow.js's median (ms) of a case of the fixture. */
export function tfjsMs(model: ModelKind, pass: PassKind, n: number): number {
  const k = pass === "backward" ? 2.5 : 1;
  return k * (model === "se3-hyena" ? 20 + 0.01 * n : 2 + 1e-5 * n * n);
}

/** PyTorch's median (ms) of a case of the fixture. */
export function torchMs(model: ModelKind, pass: PassKind, n: number): number {
  const same = model === "equivariant-transformer" && pass === "forward" && n === SAME_N;
  return tfjsMs(model, pass, n) / (same ? 1 : TORCH_SPEEDUP[model]);
}

function row(
  model: ModelKind,
  pass: PassKind,
  n: number,
  torch: boolean,
  checkpoint = false,
): CaseResult {
  const median = torch ? torchMs(model, pass, n) : tfjsMs(model, pass, n);
  return {
    id: `${torch ? "torch" : "tfjs"}-${model}-${pass}-${n}${checkpoint ? "-ckpt" : ""}`,
    case: {
      model,
      pass,
      seqLen: n,
      batch: 1,
      preset: "nbody",
      backend: "wasm",
      dtype: "float32",
      ...(model === "equivariant-transformer" ? { attention: "materialized" as const } : {}),
      ...(torch ? { framework: "torch" as const, device: "cpu" as const } : {}),
      ...(checkpoint ? { checkpoint: true } : {}),
      repeats: 5,
      warmup: 1,
      budgetMs: 2000,
      timeoutMs: 60000,
      seed: 1,
    },
    status: "ok",
    timeMs: {
      median,
      mean: median,
      min: median * 0.95,
      max: median * 1.05,
      p10: median * 0.96,
      p90: median * 1.04,
      n: 5,
      medianCI: [median * 0.97, median * 1.03],
    },
    memory: {
      peakBytes: torch ? null : 1e5 * n,
      rssPeakBytes: 1e5 * n + 80e6,
      deviceBytes: null,
      budgetBytes: null,
    },
    flops: null,
    worker: torch
      ? { host: "vm", device: "cpu", backend: "torch", framework: "torch 1.13.0 cpu" }
      : { host: "vm", device: "cpu", backend: "wasm", framework: "tfjs 4.22.0" },
  };
}

/** The sweep (see the module doc). */
export function frameworksSweep(): SweepResults {
  const rows: CaseResult[] = [];
  for (const torch of [false, true]) {
    for (const m of ["se3-hyena", "equivariant-transformer"] as ModelKind[]) {
      for (const pass of ["forward", "backward"] as PassKind[]) {
        for (const n of FW_LENGTHS) rows.push(row(m, pass, n, torch));
      }
    }
  }
  rows.push(row("se3-hyena", "backward", CHECKPOINT_N, false, true));
  rows.push(row("se3-hyena", "backward", CHECKPOINT_N, true));
  return {
    sweepId: "frameworks-fixture",
    createdAt: "2026-01-01T00:00:00.000Z",
    preset: "frameworks",
    environment: {
      host: "vm",
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
  };
}
