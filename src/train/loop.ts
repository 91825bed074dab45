/**
 * The training loop: shuffled mini-batches, MSE loss, AdamW with a cosine schedule,
 * validation after every epoch, best-validation model selection, test MSE of the
 * selected weights, and the learning curve.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { gatherSplit, type Split, type TaskData } from "../tasks/dataset.ts";
import { Rng } from "../tasks/random.ts";
import type { ModelInputs } from "../baselines/encoder.ts";
import type { Predictor } from "./heads.ts";
import { AdamW, cosineLr } from "./adamw.ts";

/** Options of {@link train}. */
export interface TrainOptions {
  /** Passes over the training split. */
  epochs: number;
  /** Mini-batch size. */
  batch: number;
  /** Peak learning rate. */
  lr: number;
  /** Decoupled weight decay. Default 0. */
  weightDecay?: number;
  /** Warm-up steps of the cosine schedule. Default 0. */
  warmupSteps?: number;
  /** Shuffling seed. Default 0. */
  seed?: number;
  /** Batch size of validation and test passes. Default 100. */
  evalBatch?: number;
  /** Clip the global gradient norm at this value. Default none. */
  clipNorm?: number;
  /** Called after every epoch (progress logs). */
  onEpoch?: (point: CurvePoint) => void;
  /** Stop after this wall time (ms); the best model so far is tested. Default none. */
  maxWallMs?: number;
}

/** One point of the learning curve. */
export interface CurvePoint {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  trainMse: number;
  valMse: number;
  /** Learning rate at the end of the epoch. */
  lr: number;
  /** Wall time of the epoch's training steps, ms. */
  epochMs: number;
}

/** What {@link train} returns. */
export interface TrainResult {
  testMse: number;
  bestValMse: number;
  /** 1-based epoch of the selected weights (0: the untrained model). */
  bestEpoch: number;
  curve: CurvePoint[];
  /** Epochs actually run (fewer than asked when `maxWallMs` stopped the run). */
  epochsRun: number;
  wallMs: number;
}

/** A split's samples as model input tensors. */
export function toInputs(s: Split, data: TaskData): { inputs: ModelInputs; y: tf.Tensor } {
  const n = data.seqLen;
  const inputs: ModelInputs = {
    x: tf.tensor3d(s.x, [s.n, n, 3]),
    f: tf.tensor3d(s.f, [s.n, n, data.scalarInputs]),
  };
  if (s.w) inputs.w = tf.tensor4d(s.w, [s.n, n, data.vectorInputs, 3]);
  const y = data.target === "pooled" ? tf.tensor2d(s.y, [s.n, 3]) : tf.tensor3d(s.y, [s.n, n, 3]);
  return { inputs, y };
}

function disposeInputs(b: { inputs: ModelInputs; y: tf.Tensor }): void {
  b.inputs.x.dispose();
  b.inputs.f.dispose();
  b.inputs.w?.dispose();
  b.y.dispose();
}

/**
 * Mean squared error of `model` on a split (mean over every target element).
 * Reads back asynchronously: synchronous reads are unavailable on webgpu in Deno.
 */
export async function evaluateMse(
  model: Predictor,
  split: Split,
  data: TaskData,
  evalBatch = 100,
): Promise<number> {
  let sum = 0, count = 0;
  for (let start = 0; start < split.n; start += evalBatch) {
    const idx = Array.from({ length: Math.min(evalBatch, split.n - start) }, (_, i) => start + i);
    const b = toInputs(gatherSplit(split, data, idx), data);
    const se = tf.tidy(() => tf.sum(tf.squaredDifference(model.predict(b.inputs), b.y)));
    sum += (await se.data())[0];
    count += b.y.size;
    se.dispose();
    disposeInputs(b);
  }
  return sum / count;
}

/** Copies of the variables' values, kept on the device (no readback). */
function snapshot(vars: tf.Variable[]): tf.Tensor[] {
  return vars.map((v) => tf.clone(v));
}

function restore(vars: tf.Variable[], values: tf.Tensor[]): void {
  vars.forEach((v, i) => v.assign(values[i]));
}

/**
 * Trains `model` on `data.train`, selects the epoch with the lowest validation MSE and
 * reports that model's test MSE.
 *
 * @throws Error naming the option and value when an option is invalid, or when the loss
 *   becomes non-finite.
 */
export async function train(
  model: Predictor,
  data: TaskData,
  opts: TrainOptions,
): Promise<TrainResult> {
  for (const k of ["epochs", "batch"] as const) {
    if (!Number.isInteger(opts[k]) || opts[k] < 1) {
      throw new Error(`${k}: expected a positive integer, got ${opts[k]}`);
    }
  }
  if (!(opts.lr > 0)) throw new Error(`lr: expected a positive number, got ${opts.lr}`);
  const t0 = performance.now();
  const vars = model.trainableVariables;
  const opt = new AdamW(vars, { weightDecay: opts.weightDecay ?? 0 });
  const rng = new Rng(opts.seed ?? 0);
  const nTrain = data.train.n;
  const stepsPerEpoch = Math.ceil(nTrain / opts.batch);
  const total = stepsPerEpoch * opts.epochs;
  const evalBatch = opts.evalBatch ?? 100;
  const curve: CurvePoint[] = [];
  let bestVal = await evaluateMse(model, data.val, data, evalBatch);
  let bestEpoch = 0;
  let best = snapshot(vars);
  let epochsRun = 0;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const te = performance.now();
      const order = Array.from({ length: nTrain }, (_, i) => i);
      for (let i = nTrain - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      let lr = opts.lr;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const idx = order.slice(s * opts.batch, (s + 1) * opts.batch);
        const b = toInputs(gatherSplit(data.train, data, idx), data);
        const { value, grads } = tf.variableGrads(
          () => tf.mean(tf.squaredDifference(model.predict(b.inputs), b.y)) as tf.Scalar,
          vars,
        );
        let list: (tf.Tensor | null)[] = vars.map((v) => grads[v.name] ?? null);
        if (opts.clipNorm !== undefined) list = await clipByGlobalNorm(list, opts.clipNorm);
        lr = cosineLr(opt.step, total, opts.lr, opts.warmupSteps ?? 0);
        opt.apply(list, lr);
        const loss = (await value.data())[0];
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
        for (const g of list) if (g && !Object.values(grads).includes(g)) g.dispose();
        disposeInputs(b);
        if (!Number.isFinite(loss)) {
          tf.dispose(best);
          throw new Error(`training loss became ${loss} at epoch ${epoch}, step ${s} (lr ${lr})`);
        }
        lossSum += loss;
      }
      const epochMs = performance.now() - te;
      const valMse = await evaluateMse(model, data.val, data, evalBatch);
      const point = { epoch, trainMse: lossSum / stepsPerEpoch, valMse, lr, epochMs };
      curve.push(point);
      opts.onEpoch?.(point);
      epochsRun = epoch;
      if (valMse < bestVal) {
        bestVal = valMse;
        bestEpoch = epoch;
        tf.dispose(best);
        best = snapshot(vars);
      }
      // Let timers and signal handlers run between epochs.
      await new Promise((r) => setTimeout(r, 0));
      if (opts.maxWallMs !== undefined && performance.now() - t0 > opts.maxWallMs) break;
    }
  } finally {
    opt.dispose();
  }
  restore(vars, best);
  tf.dispose(best);
  const testMse = await evaluateMse(model, data.test, data, evalBatch);
  return {
    testMse,
    bestValMse: bestVal,
    bestEpoch,
    curve,
    epochsRun,
    wallMs: performance.now() - t0,
  };
}

/** Scales the gradients so that their global L2 norm is at most `maxNorm` (new tensors when scaled). */
async function clipByGlobalNorm(
  grads: (tf.Tensor | null)[],
  maxNorm: number,
): Promise<(tf.Tensor | null)[]> {
  const sq = tf.tidy(() =>
    tf.addN(grads.filter((g): g is tf.Tensor => g !== null).map((g) => tf.sum(tf.square(g))))
  );
  const norm = Math.sqrt((await sq.data())[0]);
  sq.dispose();
  if (!(norm > maxNorm)) return grads;
  const scale = maxNorm / norm;
  return grads.map((g) => (g ? tf.mul(g, scale) : null));
}
