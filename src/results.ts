/**
 * The results contract (`results.json`): what workers produce, what the coordinator
 * stores and what reports read. Other tools read this file; add fields, never rename.
 *
 * The case itself is validated by the schema in `src/case/schema.ts`; this file holds
 * only the TypeScript shapes shared by runner, coordinator and report.
 *
 * @module
 */

/** Model kinds a case can measure. */
export type ModelKind = "se3-hyena" | "equivariant-transformer" | "hyena" | "transformer";
/** What a case runs: a forward pass, forward + gradients of every trainable variable, or training. */
export type PassKind = "forward" | "backward" | "train";
/**
 * How a case ended. `failed`: the work queue gave up after its delivery limit.
 * `skipped`: not run, because a smaller length of its group ran out of memory or timed
 * out (`skippedAfter` says which; `oomAt` the length that ran out of memory).
 */
export type CaseStatus = "ok" | "oom" | "timeout" | "error" | "failed" | "skipped";

/** Every {@link CaseStatus}, for validation. */
export const CASE_STATUSES: readonly CaseStatus[] = [
  "ok",
  "oom",
  "timeout",
  "error",
  "failed",
  "skipped",
];

/** One measurement request (validated form; see `src/case/schema.ts` for defaults). */
export interface Case {
  model: ModelKind;
  pass: PassKind;
  seqLen: number;
  batch: number;
  preset: "paper-runtime" | "recall" | "nbody" | "tiny" | string;
  backend: "cpu" | "wasm" | "webgpu" | "tensorflow";
  dtype: "float32";
  /** Transformer attention implementation (only for equivariant-transformer; tfjs flash: cpu, wasm). */
  attention?: "materialized" | "gram" | "flash";
  /** Framework: TensorFlow.js (default) or PyTorch (python/child.py). Not in the case id when tfjs. */
  framework?: "tfjs" | "torch";
  /** Torch cases: where they run. */
  device?: "cpu" | "cuda";
  /** Threads of our kernels' pool (tfjs) or of PyTorch; absent: every core. */
  threads?: number;
  /** Minimum timed repeats (the runner may do more, adaptively). */
  repeats: number;
  warmup: number;
  /** Time budget for the timed repeats, ms. */
  budgetMs: number;
  /** Wall-clock limit of the whole case (child process killed after), ms. */
  timeoutMs: number;
  seed: number;
  /** Free-form label shown in reports (escaped there). */
  label?: string;
  /** Tokens per chunk of the per-token parts (forward; backward with `checkpoint`). */
  tokenChunk?: number;
  /** Backward cases: gradient checkpointing of the per-token sub-networks (default false). */
  checkpoint?: boolean;
  /** Training cases (issue 6) add `task`, `epochs`, … */
  [extra: string]: unknown;
}

/** Timing summary of the timed repeats, milliseconds. */
export interface TimeSummary {
  median: number;
  mean: number;
  min: number;
  max: number;
  p10: number;
  p90: number;
  n: number;
  /** ~95% confidence interval of the median (order-statistic / binomial method). */
  medianCI?: [number, number];
  /** Samples outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR]. */
  outliers?: number;
  /** The raw samples. */
  samples?: number[];
}

/** Memory figures; each is null where the backend does not know it. */
export interface MemorySummary {
  /** TensorFlow.js framework peak (`tf.profile().peakBytes`), from a separate untimed run. */
  peakBytes: number | null;
  /** Peak resident set size of the case's process. */
  rssPeakBytes: number | null;
  /** Device bytes (WebGPU buffers; nvidia-smi for tensorflow GPU; wasm heap size for wasm). */
  deviceBytes: number | null;
  /** The memory budget this backend/device has (e.g. 4 GiB for wasm), where known. */
  budgetBytes?: number | null;
}

/** Where a case ran. */
export interface WorkerInfo {
  host: string;
  device: string;
  backend: string;
  id?: string;
  /** The framework that ran the case and its version, e.g. `tfjs 4.22.0`, `torch 1.13.0 cpu`. */
  framework?: string;
}

/** Load averages over 1, 5 and 15 minutes (`Deno.loadavg()`; zeros where unsupported). */
export interface LoadAverages {
  before: [number, number, number];
  after: [number, number, number];
}

/** One result row. */
export interface CaseResult {
  /** Stable case id: hash of the case's canonical JSON. */
  id: string;
  case: Case;
  status: CaseStatus;
  timeMs: TimeSummary | null;
  memory: MemorySummary;
  /** Analytic FLOPs of one pass. */
  flops: number | null;
  /** Threads the case ran with (its `threads`, else every core; src/runner/threads.ts). */
  threads?: number;
  worker: WorkerInfo;
  error?: string;
  /** For `oom` (and `skipped` after one): the size that failed (e.g. seqLen). */
  oomAt?: number;
  startedAt?: string;
  finishedAt?: string;
  /** `skipped` rows: the status of the smaller length that made this one not run. */
  skippedAfter?: "oom" | "timeout";
  /** `skipped` rows: true (older sweeps marked such rows `oom` with this flag). */
  skipped?: boolean;
  /** The machine's load averages just before and just after the case ran (absent in older sweeps). */
  loadAvg?: LoadAverages;
  /** Training cases: test MSE, learning curve, … */
  [extra: string]: unknown;
}

/** The environment a sweep ran in. */
export interface Environment {
  host: string;
  os: string;
  cpus: number;
  memoryBytes: number;
  deno: string;
  v8: string;
  typescript: string;
  tfjs: string;
  gitCommit: string | null;
  [extra: string]: unknown;
}

/** The whole `results.json`. */
export interface SweepResults {
  sweepId: string;
  createdAt: string;
  preset?: string;
  environment: Environment;
  results: CaseResult[];
  /** Distributed sweeps: workers seen, timeline, scaling runs (issue 4). */
  [extra: string]: unknown;
}
