/**
 * Runs one training case (`pass: "train"`, issue 6): generates the task's data, builds
 * the model and its head, trains, and returns test MSE, the learning curve and timings.
 *
 * Training-case fields (validated here; the runner's schema passes them through):
 *
 * | field | meaning | default |
 * |---|---|---|
 * | `task` | `recall-fixed`, `recall-random` or `nbody` | required |
 * | `seqLen` | recall: tokens incl. the query (≥ 3); n-body: particles | required |
 * | `epochs`, `batch`, `lr` | training loop | 300, (case batch), 1e-3 |
 * | `weightDecay` | decoupled weight decay | 1e-5 |
 * | `warmupSteps` | linear warm-up before the cosine decay | 0 |
 * | `clipNorm` | global gradient-norm clip | none |
 * | `trainSize`, `valSize`, `testSize` | split sizes | the paper's (recall 2600/200/200, n-body 1000/2000/2000) |
 * | `dataSeed` | data generation seed | `seed` |
 * | `preset` | equivariant model size (design/model.md §6) | (case preset) |
 * | `width`, `layers`, `heads`, `mlpRatio` | baselines' width W (default 3·D of `preset`), blocks (default the preset's), attention heads (4), MLP ratio (2); see src/baselines/from_preset.ts | |
 * | `headHidden`, `headChannels` | head MLP width (64), pooled vector channels of the equivariant head (8) | |
 * | `burnInSteps`, `horizonSteps` | n-body simulation | 3000, 1000 |
 * | `evalBatch` | batch of validation/test passes | 100 |
 * | `maxWallMs` | stop training after this wall time (best model so far is tested) | none |
 * | `progress` | print one line per epoch to stderr | false |
 *
 * @module
 */
import { z } from "zod";
import { tf } from "../backend.ts";
import type { Case, CaseResult } from "../results.ts";
import { summarize } from "../stats.ts";
import { makeRecallData } from "../tasks/recall.ts";
import { DEFAULT_DT, linearMotionMse, makeNBodyData } from "../tasks/nbody.ts";
import type { TaskData } from "../tasks/dataset.ts";
import { createBaseline } from "../baselines/from_preset.ts";
import { baselineSize } from "../baselines/size.ts";
import { ATTENTION_KINDS } from "../case/schema.ts";
import { PRESET_NAMES, PRESETS } from "../models/presets.ts";
import {
  baselinePredictor,
  type EquivariantModel,
  equivariantPredictor,
  type Predictor,
} from "./heads.ts";
import { train, type TrainResult } from "./loop.ts";

const posInt = (max = 1e9) =>
  z.number({ error: "expected a number" }).int({ error: "expected an integer" })
    .min(1, { error: "expected a positive integer" }).max(max, {
      error: `expected an integer ≤ ${max}`,
    });
const nonNegInt = () =>
  z.number({ error: "expected a number" }).int({ error: "expected an integer" }).min(0, {
    error: "expected an integer ≥ 0",
  });
const posNum = () =>
  z.number({ error: "expected a number" }).positive({ error: "expected a positive number" });

/** The zod schema of a training case's own fields. */
export const TrainCaseSchema = z.looseObject({
  model: z.enum(["se3-hyena", "equivariant-transformer", "hyena", "transformer"], {
    error: "expected one of se3-hyena, equivariant-transformer, hyena, transformer",
  }),
  pass: z.literal("train", { error: "expected train" }),
  task: z.enum(["recall-fixed", "recall-random", "nbody"], {
    error: "expected one of recall-fixed, recall-random, nbody",
  }),
  seqLen: posInt(1 << 20),
  epochs: posInt(100_000).default(300),
  batch: posInt(65_536).default(32),
  lr: posNum().default(1e-3),
  weightDecay: z.number({ error: "expected a number" }).min(0, { error: "expected a number ≥ 0" })
    .default(1e-5),
  warmupSteps: nonNegInt().default(0),
  clipNorm: posNum().optional(),
  trainSize: posInt().optional(),
  valSize: posInt().optional(),
  testSize: posInt().optional(),
  seed: nonNegInt().default(0),
  dataSeed: nonNegInt().optional(),
  preset: z.enum(PRESET_NAMES, { error: `expected one of ${PRESET_NAMES.join(", ")}` })
    .default("tiny"),
  attention: z.enum(ATTENTION_KINDS, { error: `expected one of ${ATTENTION_KINDS.join(", ")}` })
    .optional(),
  width: posInt(65_536).optional(),
  layers: posInt(1000).optional(),
  heads: posInt(1024).optional(),
  mlpRatio: posInt(64).optional(),
  headHidden: posInt(65_536).optional(),
  headChannels: posInt(1024).optional(),
  burnInSteps: nonNegInt().optional(),
  horizonSteps: posInt().optional(),
  evalBatch: posInt(65_536).optional(),
  maxWallMs: posInt(Number.MAX_SAFE_INTEGER).optional(),
  progress: z.boolean({ error: "expected true or false" }).optional(),
});

/** A validated training case. */
export type TrainCase = z.output<typeof TrainCaseSchema>;

/**
 * Validates a training case.
 *
 * @throws Error listing every invalid field with its value, e.g.
 *   `training case: task: expected one of recall-fixed, recall-random, nbody, got "recal"`.
 */
export function parseTrainCase(c: unknown): TrainCase {
  const r = TrainCaseSchema.safeParse(c);
  if (r.success) return r.data;
  const msgs = r.error.issues.map((iss) => {
    const path = iss.path.join(".");
    let value: unknown = c;
    for (const k of iss.path) {
      value = (value as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey];
    }
    return `${path}: ${iss.message}, got ${
      value === undefined ? "nothing" : JSON.stringify(value)
    }`;
  });
  throw new Error(`training case: ${msgs.join("; ")}`);
}

/** Generates the data of a validated training case. */
export function makeTaskData(c: TrainCase): TaskData {
  const seed = c.dataSeed ?? c.seed;
  if (c.task === "nbody") {
    return makeNBodyData({
      particles: c.seqLen,
      trainSize: c.trainSize,
      valSize: c.valSize,
      testSize: c.testSize,
      burnInSteps: c.burnInSteps,
      horizonSteps: c.horizonSteps,
      seed,
    });
  }
  return makeRecallData({
    seqLen: c.seqLen,
    vocabulary: c.task === "recall-fixed" ? "fixed" : "random",
    trainSize: c.trainSize,
    valSize: c.valSize,
    testSize: c.testSize,
    seed,
  });
}

/** The factory signature of src/models/create_model.ts. */
type CreateModel = (opts: {
  kind: "se3-hyena" | "equivariant-transformer";
  preset: string;
  scalarInputs?: number;
  vectorInputs?: number;
  attention?: (typeof ATTENTION_KINDS)[number];
  seed?: number;
}) => EquivariantModel | Promise<EquivariantModel>;

async function loadCreateModel(): Promise<CreateModel> {
  // A computed specifier: the module belongs to another engineer and is loaded on demand.
  const mod = await import(new URL("../models/create_model.ts", import.meta.url).href) as {
    createModel: CreateModel;
  };
  return mod.createModel;
}

/** Builds the model and head of a validated case for `data`. */
export async function buildPredictor(c: TrainCase, data: TaskData): Promise<Predictor> {
  const head = {
    target: data.target,
    hidden: c.headHidden,
    channels: c.headChannels,
    seed: c.seed,
  };
  if (c.model === "hyena" || c.model === "transformer") {
    // Sized from the preset (W = 3·D, the preset's blocks) unless the case says otherwise.
    const enc = createBaseline({
      kind: c.model,
      preset: c.preset,
      scalarInputs: data.scalarInputs,
      vectorInputs: data.vectorInputs,
      width: c.width,
      layers: c.layers,
      heads: c.heads,
      mlpRatio: c.mlpRatio,
      seed: c.seed,
    });
    return baselinePredictor(enc, head);
  }
  const createModel = await loadCreateModel();
  const model = await createModel({
    kind: c.model,
    preset: c.preset,
    scalarInputs: data.scalarInputs,
    vectorInputs: data.vectorInputs,
    attention: c.attention,
    seed: c.seed,
  });
  // Probe the width D of the scalar output once.
  const n = data.seqLen;
  const probe = tf.tidy(() =>
    model.apply({
      x: tf.zeros([1, n, 3]),
      f: tf.zeros([1, n, data.scalarInputs]),
      ...(data.vectorInputs > 0 ? { w: tf.zeros([1, n, data.vectorInputs, 3]) } : {}),
    }).f
  );
  const d = probe.shape[2] as number;
  probe.dispose();
  return equivariantPredictor(model, d, head);
}

/**
 * Runs a training case end to end.
 *
 * @returns `{ status: "ok", testMse, bestValMse, bestEpoch, curve, wallMs, parameterCount,
 *   timeMs }` with `timeMs` summarising the per-epoch training wall times, plus
 *   `task`, `epochsRun`, `dataMs`, `flops: null`, `splits` (`{ train, val, test }`
 *   sample counts), `modelSize` (`{ width, layers }` of a baseline, `{ layers, D, C, G }`
 *   of an equivariant model) and, for n-body, `linearMotionMse` (the `p0 + t·v0`
 *   reference on the same test split).
 * @throws Error naming the field and value when the case is invalid.
 */
export async function runTrainingCase(c: Case): Promise<Partial<CaseResult>> {
  const tc = parseTrainCase(c);
  const t0 = performance.now();
  const data = makeTaskData(tc);
  const dataMs = performance.now() - t0;
  const model = await buildPredictor(tc, data);
  let result: TrainResult;
  try {
    result = await train(model, data, {
      epochs: tc.epochs,
      batch: tc.batch,
      lr: tc.lr,
      weightDecay: tc.weightDecay,
      warmupSteps: tc.warmupSteps,
      clipNorm: tc.clipNorm,
      seed: tc.seed,
      evalBatch: tc.evalBatch,
      maxWallMs: tc.maxWallMs,
      onEpoch: tc.progress
        ? (p) =>
          console.error(
            `[train ${tc.model} ${tc.task} N=${tc.seqLen}] epoch ${p.epoch}/${tc.epochs} ` +
              `train ${p.trainMse.toPrecision(4)} val ${p.valMse.toPrecision(4)} ` +
              `lr ${p.lr.toExponential(2)} ${(p.epochMs / 1000).toFixed(1)} s`,
          )
        : undefined,
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const parameterCount = model.parameterCount();
  model.dispose();
  const extra: Record<string, unknown> = {
    // What actually ran, for reports that state the scale against the paper's.
    splits: { train: data.train.n, val: data.val.n, test: data.test.n },
    modelSize: tc.model === "hyena" || tc.model === "transformer"
      ? baselineSize(tc.preset, { width: tc.width, layers: tc.layers })
      : { ...PRESETS[tc.preset] },
  };
  if (tc.task === "nbody") {
    extra.linearMotionMse = linearMotionMse(data.test, (tc.horizonSteps ?? 1000) * DEFAULT_DT);
  }
  return {
    status: "ok",
    task: tc.task,
    testMse: result.testMse,
    bestValMse: result.bestValMse,
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    curve: result.curve.map((p) => ({
      epoch: p.epoch,
      trainMse: p.trainMse,
      valMse: p.valMse,
      lr: p.lr,
    })),
    wallMs: performance.now() - t0,
    dataMs,
    parameterCount,
    timeMs: result.curve.length > 0
      ? summarize(result.curve.map((p) => p.epochMs), { keepSamples: false })
      : null,
    flops: null,
    ...extra,
  };
}
