/**
 * The non-equivariant baselines sized from a model preset (design/model.md §6), built the
 * same way for training cases (src/train/run.ts) and for measured forward/backward cases
 * (src/runner/measure.ts); the sizing itself is src/baselines/size.ts.
 *
 * Width W = {@linkcode BASELINE_WIDTH_FACTOR}·D of the preset (the paper balances
 * parameters with about 3× wider layers), blocks = the preset's layers; both can be
 * overridden.
 *
 * @module
 */
import type { TokenEncoder } from "./encoder.ts";
import { createHyena } from "./hyena.ts";
import { createTransformer } from "./transformer.ts";
import { BASELINE_WIDTH_FACTOR, baselineSize } from "./size.ts";

export { BASELINE_WIDTH_FACTOR, baselineSize };

/** The two non-equivariant baseline kinds. */
export const BASELINE_KINDS = ["hyena", "transformer"] as const;
/** A baseline kind. */
export type BaselineKind = (typeof BASELINE_KINDS)[number];

/** Whether a model kind is one of the non-equivariant baselines. */
export function isBaselineKind(kind: unknown): kind is BaselineKind {
  return typeof kind === "string" && (BASELINE_KINDS as readonly string[]).includes(kind);
}

/** Options of {@linkcode createBaseline}. */
export interface BaselineFromPresetOptions {
  /** Which baseline. */
  kind: BaselineKind;
  /** Model-size preset the baseline is balanced against (`paper-runtime`, `recall`, `nbody`, `tiny`). */
  preset: string;
  /** Scalars per token, S. */
  scalarInputs: number;
  /** Extra vectors per token, m. Default 0. */
  vectorInputs?: number;
  /** Width W. Default {@linkcode BASELINE_WIDTH_FACTOR}·D of `preset`. */
  width?: number;
  /** Blocks. Default the preset's layers. */
  layers?: number;
  /** Transformer only: attention heads. Default 4 (the transformer's default). */
  heads?: number;
  /** Block MLP width as a multiple of W. Default 2 (the baselines' default). */
  mlpRatio?: number;
  /** Parameter seed. Default 0. */
  seed?: number;
}

/**
 * Builds the Hyena or transformer baseline sized from a preset.
 *
 * @example
 * ```ts
 * const enc = createBaseline({ kind: "hyena", preset: "tiny", scalarInputs: 4 });
 * enc.width; // 12 = 3 · D
 * ```
 * @throws Error naming the option and value when one is invalid.
 */
export function createBaseline(opts: BaselineFromPresetOptions): TokenEncoder {
  if (!isBaselineKind(opts.kind)) {
    throw new Error(
      `kind: expected one of ${BASELINE_KINDS.join(", ")}, got ${JSON.stringify(opts.kind)}`,
    );
  }
  const { width, layers } = baselineSize(opts.preset, opts);
  const common = {
    scalarInputs: opts.scalarInputs,
    vectorInputs: opts.vectorInputs,
    width,
    layers,
    mlpRatio: opts.mlpRatio,
    seed: opts.seed,
  };
  return opts.kind === "hyena"
    ? createHyena(common)
    : createTransformer({ ...common, heads: opts.heads });
}
