/**
 * Measures one case in this process: the numbers behind every row of `results.json`.
 *
 * Protocol (design/harness.md §2):
 * 1. Activate the backend; `tf.enableProdMode()` (no debug checks in timed code); set the
 *    thread count of our cpu/wasm kernels (the case's `threads`, src/runner/threads.ts).
 * 2. Create the model once (weights seeded by `case.seed`), then seeded random inputs
 *    `x: [B, N, 3]`, `f: [B, N, S]` (S = D of the preset), fresh for this case. The
 *    equivariant models come from `createModel` (src/models/create_model.ts); the
 *    non-equivariant baselines `hyena` and `transformer` from `createBaseline`
 *    (src/baselines/from_preset.ts: width 3·D and the preset's blocks, as in training),
 *    on the same inputs (concatenated per token), their output `[B, N, W]` taken as f̂.
 * 3. One step is: forward = `model.apply({x, f}, {tokenChunk})` reduced to the scalar
 *    `sum(x̂) + sum(f̂)`; backward = `tf.variableGrads` of the loss `mean(x̂²) + mean(f̂²)`
 *    over `model.trainableVariables`, reduced to `loss + Σ sum(grad)` (baselines have no
 *    x̂: their terms are left out). The clock stops after
 *    `await scalar.data()`, a read-back that depends on the whole output, so asynchronous
 *    backends (webgpu) are synced.
 * 4. Untimed warm-up steps (compilation, kernel caches, wasm heap growth, V8 optimising
 *    tfjs's JavaScript): at least `warmup`, and, when `warmup > 0`, more until
 *    {@link MIN_WARMUP_MS} have passed (at most {@link MAX_WARMUP_STEPS}).
 * 5. Timed steps: at least `repeats` (and never fewer than {@link MIN_REPEATS}, as
 *    design/harness.md §2 asks); then more while the median is not yet stable
 *    (95% CI of the median within ±5%, see `isMedianStable`) and the next step is expected
 *    to fit in `budgetMs`; at most {@link MAX_REPEATS}.
 * 6. One more, untimed step under `tf.profile`: framework peak bytes (`peakBytes`, the
 *    largest total of live tensor bytes after any kernel, weights and inputs included).
 * 7. Leak check: live tensors after all steps must equal the count before the first step
 *    (`leakedTensors`); a leak makes the case an `error`, numbers kept.
 *    On webgpu, an uncaptured WebGPU error during the case (src/webgpu/backend_factory.ts:
 *    tfjs does not throw; the failing command buffer is dropped, so the times are of work
 *    that did not run) makes it `oom` when the error says out of memory, else `error`,
 *    numbers kept but not `ok`.
 * 8. Memory: `rssPeakBytes` = the process's VmHWM (/proc/self/status; else the largest
 *    sampled `Deno.memoryUsage().rss`); `deviceBytes` = wasm heap size (wasm memory never
 *    shrinks, so this is its peak), or webgpu's allocated buffer bytes, else null.
 *
 * Forward cases of the equivariant models use `tokenChunk` (default
 * {@link DEFAULT_TOKEN_CHUNK}) so the per-token parts run in chunks of that many tokens;
 * backward cases with `checkpoint: true` apply the model with `{ checkpoint: true,
 * tokenChunk }` (gradient checkpointing, recomputation in chunks of that many tokens, default
 * {@link DEFAULT_CHECKPOINT_TOKEN_CHUNK});
 * other backward cases and the baselines run unchunked (their result says
 * `tokenChunk: null`).
 *
 * Training cases (`pass: "train"`) are delegated to `runTrainingCase` in src/train/run.ts.
 *
 * Test doubles: a case with `fault` (accepted only with `SE3_HYENA_TEST_FAULTS=1`, see
 * src/case/schema.ts) simulates an outcome instead of building a model: `noop` measures a
 * trivial op (status ok); `oom` throws `RangeError: Array buffer allocation failed`; `grow`
 * allocates and touches memory until the parent's budget kills the process (it stops
 * at 2 GiB and then waits); `hang` never finishes; `crash` exits with code 70 without a
 * result; `fatal-oom` exhausts the V8 heap (the parent starts such a child with a small
 * `--max-old-space-size`).
 *
 * @module
 */
import { type StopReason, stopReason as decideStop } from "./stopping.ts";
import { type BackendName, tf, useBackend } from "../backend.ts";
import { cpuModel, hostName, TFJS_VERSION } from "../environment.ts";
import { emptyResult } from "./result.ts";
import { createModel, type CreateModelOptions } from "../models/create_model.ts";
import { type Preset, PRESETS } from "../models/presets.ts";
import type { Case, CaseResult, MemorySummary, TimeSummary, WorkerInfo } from "../results.ts";
import { summarize } from "../stats.ts";
import { setThreads } from "../kernels/pool/threads.ts";
import { isInferredWasmOom, isOomError, isOomMessage, WASM_TRAP_NOTE } from "./oom.ts";
import { clearWebgpuErrors, webgpuErrors } from "../webgpu/backend_factory.ts";
import { createBaseline, isBaselineKind } from "../baselines/from_preset.ts";
import type { TokenEncoder } from "../baselines/encoder.ts";

/** Tokens per chunk for forward cases when the case sets no `tokenChunk`. */
export const DEFAULT_TOKEN_CHUNK = 8192;
/**
 * Tokens per chunk of the recomputation in checkpointed backward cases when the case sets no
 * `tokenChunk`. Smaller than the forward default: SE(3)-Hyena, paper-runtime, N = 16,384 on
 * wasm took 15.1 s CPU with a 357 MiB heap at 2048 against 19.0 s and 1,390 MiB at 8192
 * (bench/profile_model.ts).
 */
export const DEFAULT_CHECKPOINT_TOKEN_CHUNK = 2048;
/** Warm-up continues past `case.warmup` steps until this many ms have passed (if warmup > 0). */
export const MIN_WARMUP_MS = 300;
/** Most warm-up steps of one case. */
export const MAX_WARMUP_STEPS = 50;
/** Most timed repeats of one case. */
export const MAX_REPEATS = 200;
/** Fewest timed repeats of one case, whatever `case.repeats` says (design/harness.md §2). */
export const MIN_REPEATS = 3;
export { MEMORY_BUDGET_ENV, WASM_HEAP_MAX_BYTES } from "./limits.ts";
import { MEMORY_BUDGET_ENV, WASM_HEAP_MAX_BYTES } from "./limits.ts";

/**
 * The model API this runner drives (src/models/create_model.ts). `x` of the output is
 * absent for the non-equivariant baselines, which output per-token features only.
 */
export interface BenchModel {
  apply(
    inputs: { x: tf.Tensor; f: tf.Tensor; w?: tf.Tensor },
    options?: { tokenChunk?: number; checkpoint?: boolean },
  ): { x?: tf.Tensor; f: tf.Tensor };
  trainableVariables: tf.Variable[];
  parameterCount(): number;
  dispose(): void;
}

/** The model factory this runner drives: src/models/create_model.ts, or a test double. */
export interface ModelModule {
  createModel(options: CreateModelOptions): BenchModel;
  PRESETS?: Record<string, { D: number }>;
}

const MODELS: ModelModule = { createModel, PRESETS };

/** Options of {@link measureCase}. */
export interface MeasureOptions {
  /** Largest accepted CI half-width of the median, relative; default 0.05. */
  relTol?: number;
  /** Most timed repeats; default {@link MAX_REPEATS}. */
  maxRepeats?: number;
  /** Model module to use instead of src/models/create_model.ts (tests). */
  modelModule?: ModelModule;
}

/** Peak resident set size of this process (VmHWM), or null when /proc is unavailable. */
export function processPeakRss(): number | null {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const m = status.match(/^VmHWM:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Bytes the active backend holds on its device, or null when it does not say. */
export function deviceBytes(backend: string): number | null {
  try {
    if (backend === "wasm") {
      const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
      return wasm?.HEAPU8?.buffer.byteLength ?? null;
    }
    if (backend === "webgpu") {
      const m = tf.memory() as { numBytesInGPUAllocated?: number; numBytesInGPU?: number };
      return m.numBytesInGPUAllocated ?? m.numBytesInGPU ?? null;
    }
  } catch {
    // backend not initialised
  }
  return null;
}

/** The memory budget of this process: wasm's ceiling, else what the parent set, else null. */
function budgetBytes(backend: string): number | null {
  let fromParent: number | null = null;
  try {
    const v = Number(Deno.env.get(MEMORY_BUDGET_ENV));
    if (Number.isFinite(v) && v > 0) fromParent = v;
  } catch {
    // no env permission
  }
  if (backend === "wasm") {
    return fromParent === null ? WASM_HEAP_MAX_BYTES : Math.min(fromParent, WASM_HEAP_MAX_BYTES);
  }
  return fromParent;
}

/** Where this case runs. */
export function workerInfo(backend: string): WorkerInfo {
  let device: string;
  if (backend === "cpu" || backend === "wasm") device = cpuModel();
  else if (backend === "webgpu") {
    const info =
      (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } })
        .adapterInfo;
    device = info
      ? `WebGPU ${info.vendor ?? ""} ${info.architecture ?? ""}`.trim()
      : "WebGPU adapter";
  } else device = `TensorFlow C (${backend})`;
  return { host: hostName(), device, backend, framework: `tfjs ${TFJS_VERSION}` };
}

/**
 * A baseline token encoder as a {@link BenchModel}: its `[B, N, W]` features are `f`;
 * there is no `x` output (and `tokenChunk` does not apply).
 */
export function baselineBenchModel(encoder: TokenEncoder): BenchModel {
  return {
    apply: ({ x, f, w }) => ({ f: encoder.apply({ x, f, w }) }), // f: [B, N, W]
    trainableVariables: encoder.trainableVariables,
    parameterCount: () => encoder.parameterCount(),
    dispose: () => encoder.dispose(),
  };
}

/** One step: runs the pass and returns a scalar that depends on all of its outputs. */
type Step = () => tf.Scalar;

/** Runs one step and returns its wall time in ms, synced by reading the scalar back. */
async function timeStep(step: Step): Promise<number> {
  const t0 = performance.now();
  const s = step();
  await s.data();
  const ms = performance.now() - t0;
  s.dispose();
  return ms;
}

/** The forward and backward steps of a model on fixed inputs. */
function makeStep(
  c: Case,
  model: BenchModel,
  x: tf.Tensor,
  f: tf.Tensor,
  tokenChunk: number,
): Step {
  if (c.pass === "forward") {
    return () =>
      tf.tidy(() => {
        const out = model.apply({ x, f }, { tokenChunk });
        const s = tf.sum(out.f);
        return (out.x ? tf.add(tf.sum(out.x), s) : s) as tf.Scalar;
      });
  }
  // Checkpointed backward cases recompute the per-token parts in chunks of `tokenChunk`.
  const options = c.checkpoint === true ? { checkpoint: true, tokenChunk } : undefined;
  return () => {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const out = model.apply({ x, f }, options);
        const l = tf.mean(tf.square(out.f));
        return (out.x ? tf.add(tf.mean(tf.square(out.x)), l) : l) as tf.Scalar;
      }), model.trainableVariables);
    const gradList = Object.values(grads);
    const s = tf.tidy(() => tf.addN([value, ...gradList.map((g) => tf.sum(g))]) as tf.Scalar);
    value.dispose();
    tf.dispose(gradList);
    return s;
  };
}

/** Simulated outcomes for runner tests (see the module doc); returns the step for `noop`. */
async function runFault(c: Case): Promise<{ step: Step; cleanup: () => void }> {
  switch (c.fault) {
    case "noop": {
      const x = tf.randomNormal([c.batch, Math.min(c.seqLen, 1024), 3], 0, 1, "float32", c.seed);
      return {
        step: () => tf.tidy(() => tf.sum(tf.square(x)) as tf.Scalar),
        cleanup: () => x.dispose(),
      };
    }
    case "oom":
      throw new RangeError("Array buffer allocation failed (simulated by fault: oom)");
    case "grow": {
      const chunks: Uint8Array[] = [];
      while (chunks.length < 64) { // 64 × 32 MiB = 2 GiB at most
        chunks.push(new Uint8Array(32 << 20).fill(1));
        await new Promise((r) => setTimeout(r, 10));
      }
      return await new Promise<never>(() => setInterval(() => chunks.length, 1000));
    }
    case "hang":
      return await new Promise<never>(() => setInterval(() => {}, 1000));
    case "crash":
      console.error("simulated crash (fault: crash)");
      Deno.exit(70);
      break;
    case "fatal-oom": {
      const hoard: unknown[] = [];
      while (true) hoard.push(new Array(10_000).fill({ v: Math.random() }));
    }
  }
  throw new Error(`fault: unknown fault ${JSON.stringify(c.fault)}`);
}

/** Delegates a training case to src/train/run.ts. */
async function runTraining(c: Case): Promise<Partial<CaseResult>> {
  // Imported on demand: speed cases need none of the task generators and training code.
  const { runTrainingCase } = await import("../train/run.ts");
  return await runTrainingCase(c);
}

/**
 * Measures case `c` in this process and returns its result. Never throws for a case
 * failure: errors become `status: "error"`, allocation failures `status: "oom"` with
 * `oomAt = seqLen`.
 */
export async function measureCase(c: Case, options: MeasureOptions = {}): Promise<CaseResult> {
  const startedAt = new Date().toISOString();
  const base = emptyResult(c, "error", { rssPeakBytes: processPeakRss() });
  base.startedAt = startedAt;
  const finish = (r: CaseResult): CaseResult => ({ ...r, finishedAt: new Date().toISOString() });

  if (c.framework === "torch") {
    return finish({
      ...base,
      error: "framework torch: this process runs TensorFlow.js; torch cases run in " +
        "python/child.py (src/runner/isolated.ts starts it)",
    });
  }
  try {
    await useBackend(c.backend as BackendName);
    tf.enableProdMode();
  } catch (e) {
    return finish({ ...base, error: `backend: ${(e as Error).message}` });
  }
  setThreads(base.threads!); // our cpu/wasm kernels' pool (src/kernels/pool)
  if (c.backend === "webgpu") clearWebgpuErrors();
  base.worker = workerInfo(c.backend);
  base.memory.budgetBytes = budgetBytes(c.backend);

  if (c.pass === "train") {
    try {
      const partial = await runTraining(c);
      return finish({ ...base, status: "ok", ...partial, id: base.id, case: c });
    } catch (e) {
      return finish(failure(base, c, e));
    }
  }

  const tokenChunk = typeof c.tokenChunk === "number"
    ? c.tokenChunk
    : c.checkpoint === true
    ? DEFAULT_CHECKPOINT_TOKEN_CHUNK
    : DEFAULT_TOKEN_CHUNK;
  let model: BenchModel | undefined;
  let inputs: tf.Tensor[] = [];
  let cleanup = () => {};
  let stage = "setup";
  try {
    let step: Step;
    let parameterCount: number | null = null;
    if (c.fault !== undefined) {
      ({ step, cleanup } = await runFault(c));
    } else {
      const baseline = isBaselineKind(c.model);
      const mod = baseline ? undefined : options.modelModule ?? MODELS;
      const d = mod?.PRESETS?.[c.preset]?.D ?? (PRESETS as Record<string, Preset>)[c.preset]?.D;
      if (d === undefined) throw new Error(`preset: unknown preset ${JSON.stringify(c.preset)}`);
      stage = "model";
      model = mod
        ? mod.createModel({
          kind: c.model as CreateModelOptions["kind"],
          preset: c.preset as CreateModelOptions["preset"],
          attention: c.attention as CreateModelOptions["attention"],
          seed: c.seed,
        })
        : baselineBenchModel(createBaseline({
          kind: c.model as "hyena" | "transformer",
          preset: c.preset,
          scalarInputs: d,
          seed: c.seed,
        }));
      parameterCount = model.parameterCount();
      stage = "inputs";
      const x = tf.randomNormal([c.batch, c.seqLen, 3], 0, 1, "float32", c.seed + 1); // [B, N, 3]
      const f = tf.randomNormal([c.batch, c.seqLen, d], 0, 1, "float32", c.seed + 2); // [B, N, S]
      inputs = [x, f];
      step = makeStep(c, model, x, f, tokenChunk);
    }

    const tensorsBefore = tf.memory().numTensors;
    let rssSampled = Deno.memoryUsage().rss;
    let device = deviceBytes(c.backend);
    const sample = () => {
      rssSampled = Math.max(rssSampled, Deno.memoryUsage().rss);
      const d = deviceBytes(c.backend);
      if (d !== null) device = Math.max(device ?? 0, d);
    };

    stage = "warmup";
    const warmupMs: number[] = [];
    // At least `warmup` steps, and more (up to MAX_WARMUP_STEPS) until MIN_WARMUP_MS have
    // passed: V8 needs several runs to optimise tfjs's JavaScript on small cases.
    const warmupStart = performance.now();
    while (
      warmupMs.length < c.warmup ||
      (c.warmup > 0 && performance.now() - warmupStart < MIN_WARMUP_MS &&
        warmupMs.length < MAX_WARMUP_STEPS)
    ) {
      warmupMs.push(await timeStep(step));
      sample();
    }

    stage = "timed";
    const relTol = options.relTol ?? 0.05;
    const minRepeats = Math.max(MIN_REPEATS, c.repeats);
    const maxRepeats = Math.max(minRepeats, options.maxRepeats ?? MAX_REPEATS);
    const samples: number[] = [];
    const t0 = performance.now();
    let stopReason: StopReason | null = null;
    const rule = { minRepeats, maxRepeats, relTol, budgetMs: c.budgetMs };
    while (stopReason === null) {
      samples.push(await timeStep(step));
      sample();
      stopReason = decideStop(samples, performance.now() - t0, rule);
    }
    const timeMs: TimeSummary = summarize(samples);

    stage = "profile";
    const profile = await tf.profile(async () => {
      const s = step();
      await s.data();
      s.dispose();
    });
    sample();

    const leakedTensors = tf.memory().numTensors - tensorsBefore;
    const memory: MemorySummary = {
      peakBytes: Number.isFinite(profile.peakBytes) ? profile.peakBytes : null,
      rssPeakBytes: processPeakRss() ?? rssSampled,
      deviceBytes: device,
      budgetBytes: base.memory.budgetBytes,
    };
    const result: CaseResult = {
      ...base,
      status: leakedTensors === 0 ? "ok" : "error",
      timeMs,
      memory,
      parameterCount,
      tokenChunk: (c.pass === "forward" || c.checkpoint === true) && c.fault === undefined &&
          !isBaselineKind(c.model)
        ? tokenChunk
        : null,
      leakedTensors,
      warmupMs,
      stopReason,
    };
    if (leakedTensors !== 0) {
      result.error = `leak: ${leakedTensors} tensors alive after the case that were not before it`;
    }
    const gpuErrors = c.backend === "webgpu" ? await uncapturedWebgpuErrors() : [];
    if (gpuErrors.length > 0) {
      const oom = gpuErrors.some((m) => isOomMessage(m));
      result.status = oom ? "oom" : "error";
      if (oom) result.oomAt = c.seqLen;
      result.error = `webgpu: ${gpuErrors.length} uncaptured error(s) during the case, ` +
        `its commands did not all run: ${gpuErrors[0]}`;
    }
    return finish(result);
  } catch (e) {
    return finish({ ...failure(base, c, e), stage });
  } finally {
    try {
      tf.dispose(inputs);
      model?.dispose();
      cleanup();
    } catch {
      // the backend may be dead after a wasm abort; the process ends anyway
    }
  }
}

/** WebGPU errors raised since the case began (after letting pending error events arrive). */
async function uncapturedWebgpuErrors(): Promise<readonly string[]> {
  await new Promise((r) => setTimeout(r, 0));
  return webgpuErrors();
}

/** Turns a thrown error into an `oom` or `error` result. */
function failure(base: CaseResult, c: Case, e: unknown): CaseResult {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const memory = {
    ...base.memory,
    rssPeakBytes: processPeakRss(),
    deviceBytes: deviceBytes(c.backend),
  };
  if (isOomError(e, c.backend)) {
    // A bare wasm trap is classified by inference (src/runner/oom.ts): say so, so that a
    // real bug behind one stays visible in the report.
    const error = isInferredWasmOom(e, c.backend) ? `${message} (${WASM_TRAP_NOTE})` : message;
    return { ...base, memory, status: "oom", oomAt: c.seqLen, error };
  }
  return { ...base, memory, status: "error", error: message };
}
