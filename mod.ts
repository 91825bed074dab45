/**
 * SE(3)-Hyena benchmarking harness: the SE(3)-Hyena operator (an equivariant
 * long-convolution model, O(N log N)) and its equivariant-transformer twin (O(N²)) in
 * TensorFlow.js, with our own FFT long-convolution kernels, a measurement engine, sweeps
 * distributed over NATS JetStream, and self-contained HTML reports.
 *
 * @example Run both models
 * ```ts
 * import { createModel, tf, useBackend } from "./mod.ts";
 * await useBackend("wasm");
 * const model = createModel({ kind: "se3-hyena", preset: "tiny" });
 * const x = tf.randomNormal([1, 128, 3]) as tf.Tensor3D;   // [B, N, 3] positions
 * const f = tf.randomNormal([1, 128, 4]) as tf.Tensor3D;   // [B, N, S] scalar features
 * const out = model.apply({ x, f });                       // { x: [B, N, 3], f: [B, N, D] }
 * ```
 *
 * @module
 */

// Backends and the TensorFlow.js namespace the project uses.
export {
  /** Names of the supported backends: cpu, wasm, webgpu, tensorflow. */
  BACKENDS,
  /** The active backend's name. */
  currentBackend,
  /** Whether a value names a supported backend. */
  isBackendName,
  /** The TensorFlow.js (tfjs-core) namespace, with cpu and wasm registered. */
  tf,
  /** Activates a backend (loading tfjs-node or WebGPU on demand) and waits until it is ready. */
  useBackend,
} from "./src/backend.ts";
export type { BackendName } from "./src/backend.ts";
export {
  /** Picks the best backend here: tensorflow if installed, a real WebGPU adapter, else wasm. */
  preferredBackend,
} from "./src/webgpu/preferred_backend.ts";
export {
  /** The WebGPU adapter here (name, vendor, limits, whether it is a software fallback). */
  webgpuAdapterSummary,
} from "./src/webgpu/adapter_info.ts";

// The long convolution (registers our cpu, wasm, webgpu and tensorflow kernels).
export {
  /** Circular depthwise long convolution of [B, N, D] tensors by FFT, O(N log N), with gradients. */
  fftConv,
} from "./src/fft_conv.ts";
export {
  /** Cross-product long convolution of [B, N, 3] vector sequences (centred, divided by N). */
  vectorLongConv,
} from "./src/vector_long_conv.ts";
export {
  /** Name of the kernel every backend registers for the long convolution. */
  FFT_CONV_KERNEL,
} from "./src/kernels/fft_conv_kernel.ts";
export type { FftConvAttrs } from "./src/kernels/fft_conv_kernel.ts";

// Models.
export {
  /** Builds an SE(3)-Hyena or equivariant-transformer model from a preset. */
  createModel,
  /** Size presets (layers, D, C, G): paper-runtime, recall, nbody, tiny. */
  PRESETS,
} from "./src/models/create_model.ts";
export type {
  ApplyOptions,
  CreateModelOptions,
  EquivariantModel,
  ModelConfig,
  ModelInputs,
  ModelOutputs,
  PresetName,
} from "./src/models/create_model.ts";
export {
  /**
   * Vector attention (materialized: our kernel holding the [B,N,N] weights; Gram-matrix;
   * flash: online softmax, O(N) memory; the paper's tf-ops formulation) and scalar attention.
   */
  ATTENTION_MODES,
  type AttentionMode,
  scalarAttention,
  scalarAttentionKernel,
  vectorAttention,
  vectorAttentionFlash,
  vectorAttentionGram,
  vectorAttentionMaterialized,
  vectorAttentionOps,
} from "./src/models/attention.ts";
/** Clifford-algebra Cl(3,0) layers (Ruhe et al. 2023), multivectors as [..., C, 8]. */
export { CliffordMLP } from "./src/clifford/clifford_mlp.ts";
export { GeometricProduct } from "./src/clifford/geometric_product.ts";
export { MVLayerNorm } from "./src/clifford/mv_layer_norm.ts";
export { MVLinear } from "./src/clifford/mv_linear.ts";
export { MVSiLU } from "./src/clifford/mv_silu.ts";
export { BLADES, CAYLEY, GRADES } from "./src/clifford/algebra.ts";
export {
  /** Switches the fused geometric-product / MVSiLU kernels on or off (returns the old setting). */
  setFusedKernels,
} from "./src/clifford/fused_kernels.ts";
// Our cpu/wasm kernels (fftConv, geometric product) on a pool of Deno workers.
export {
  /** Ends the kernels' worker pool now (a later kernel call starts a new one). */
  disposeKernelPool,
  /** How many threads our cpu/wasm kernels use (default: every core). */
  getThreads,
  /** Sets how many threads our cpu/wasm kernels use; 1 is single-threaded. */
  setThreads,
} from "./src/kernels/pool/threads.ts";

// The non-equivariant baselines (inputs: vectors flattened and concatenated with scalars).
export {
  /** A baseline (Hyena or transformer) sized from a preset (width 3·D). */
  createBaseline,
} from "./src/baselines/from_preset.ts";
export {
  /** Hyena operator with an implicit long filter, its convolution through fftConv. */
  createHyena,
} from "./src/baselines/hyena.ts";
export {
  /** A standard pre-norm transformer. */
  createTransformer,
} from "./src/baselines/transformer.ts";

// Cases, measurement and sweeps.
export {
  CaseError,
  /** The zod schema of a case. */
  CaseSchema,
  /** Validates one case (throws a CaseError naming the field and value). */
  parseCase,
} from "./src/case/schema.ts";
export {
  /** Stable case id: hash of the case's canonical JSON. */
  caseId,
} from "./src/case/id.ts";
export {
  expandSweep,
  /** Loads a preset name or sweep file into a list of validated cases. */
  loadSweep,
  parseSweepFile,
} from "./src/case/expand.ts";
export {
  medianCI,
  /** Timing summary: median, mean, min, max, p10, p90, n, median CI, outliers. */
  summarize,
} from "./src/stats.ts";
export {
  /** Analytic FLOPs of one forward or backward pass. */
  passFlops,
} from "./src/flops.ts";
export {
  /** Measures one case in this process. */
  measureCase,
} from "./src/runner/measure.ts";
export {
  /** Runs one case in a fresh child process (time limit, memory budget, OOM as a result). */
  runCaseIsolated,
} from "./src/runner/isolated.ts";
export {
  /** Validates a result row against the results contract (every framework's rows). */
  validateResult,
} from "./src/runner/result_schema.ts";
export {
  /** Makes sure torch cases can run: PyTorch importable, OpenBLAS and jemalloc for CPU timing. */
  ensureTorchRuntime,
  /** The Python interpreter of torch cases (`--python`, `SE3_HYENA_PYTHON`, Debian's, PATH). */
  resolvePython,
} from "./src/torch/python.ts";
export {
  /** Host, OS, CPUs, memory, Deno/V8/TypeScript/tfjs versions and git commit. */
  collectEnvironment,
} from "./src/environment.ts";
export {
  /** The engine's local executor (child processes, one at a time). */
  localExecutor,
  /** Runs a list of cases on this machine, one child process each, skipping past OOM. */
  runLocalSweep,
} from "./src/sweep/local.ts";
export {
  /** Orders cases: grouped, ascending, largest-first or given. */
  orderCases,
  /** A sweep's results: resume, dedup by case id, the first valid result wins. */
  ResultsSink,
  /** The sweep engine: orders the pending cases and hands them to an executor. */
  runSweep,
} from "./src/sweep/engine.ts";
export type { SweepExecutor, SweepOrder } from "./src/sweep/engine.ts";

// Distribution over NATS JetStream.
export {
  /** Runs a sweep over NATS workers (embedded nats-server and local workers by default). */
  runDistributedSweep,
  /** Runs the same cases with 1, 2, … workers and reports makespan, throughput, efficiency. */
  runScalingStudy,
} from "./src/nats/coordinator.ts";
export type { DistributedSweepOptions, ScalingRow, SweepEvent } from "./src/nats/coordinator.ts";
export {
  /** The worker loop: pull cases, run, publish results, ack. */
  runWorker,
} from "./src/nats/worker.ts";
export {
  /** Finds nats-server, installing Debian's package when root. */
  ensureNatsServer,
  /** Starts a local nats-server with JetStream (loopback, free port, temp storage). */
  startNatsServer,
} from "./src/nats/server.ts";
export {
  /** Connects to NATS with token / user+password / credentials / TLS options. */
  connectNats,
} from "./src/nats/connection.ts";
export {
  /** Terminal live view of a distributed sweep: progress, ETA, workers and their cases. */
  createLiveView,
} from "./src/nats/live_view.ts";
export type { NatsAuth } from "./src/nats/connection.ts";

// Reports.
export {
  /** Renders a sweep's self-contained HTML report. */
  renderReport,
  /** Writes index.html (and results.csv) for a sweep; returns the HTML path. */
  writeReport,
} from "./src/report/render.ts";
export {
  /** Series per model and pass, speed-up and memory ratio per length, longest contexts. */
  analyse,
} from "./src/report/analysis.ts";
export {
  /**
   * What a report may claim from a comparison: exponents with 95% CIs (≥ 3 lengths), the
   * crossover bracket beyond noise, context brackets and the guaranteed context ratio,
   * memory ratios by each figure.
   */
  claimsOf,
} from "./src/report/claims.ts";
export {
  /** Per-case noise (CI half-width vs median, load average) and non-monotone lengths. */
  noiseReport,
} from "./src/report/noise.ts";
export {
  /** Two sweeps side by side: ratio per case and whether it exceeds the noise. */
  compareSweeps,
  /** The cases a `--fail-if-slower` gate fails on: slower beyond noise and a threshold. */
  regressions,
} from "./src/report/compare.ts";
export {
  /** Each case's median across sweeps ordered by commit date, with asv-style step changes. */
  buildHistory,
} from "./src/report/history.ts";
export {
  /** Writes history.html for a {@linkcode buildHistory} result; returns its path. */
  writeHistory,
} from "./src/report/history_page.ts";
export {
  /** Reads and validates a results.json. */
  loadResults,
} from "./src/report/load.ts";
export {
  /** The paper's Figure 5 (NVIDIA A10G) and its claims; Figure 4 (recall) and Table 1 (n-body). */
  PAPER_CLAIMS,
  PAPER_FIG4,
  PAPER_FIG5,
  PAPER_TABLE1,
} from "./src/report/paper.ts";

// Training tasks (the paper's associative recall and n-body experiments).
export {
  /** Runs a training case: data, model, Adam + cosine schedule, best-validation test MSE. */
  runTrainingCase,
} from "./src/train/run.ts";
export {
  /** Equivariant associative recall data (fixed or random vocabulary). */
  makeRecallData,
} from "./src/tasks/recall.ts";
export {
  /** Charged n-body simulation data. */
  makeNBodyData,
} from "./src/tasks/nbody.ts";

export type {
  Case,
  CaseResult,
  CaseStatus,
  Environment,
  MemorySummary,
  ModelKind,
  PassKind,
  SweepResults,
  TimeSummary,
  WorkerInfo,
} from "./src/results.ts";
