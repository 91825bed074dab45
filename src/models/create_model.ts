/**
 * `createModel`: the one entry point that builds either model from a preset
 * (design/model.md §6) with validated options.
 *
 * @module
 */
import { ATTENTION_MODES, type AttentionMode } from "./attention.ts";
import { createEquivariantTransformer } from "./equivariant_transformer.ts";
import { type EquivariantModel, MODEL_KINDS, type ModelKind } from "./equivariant_model.ts";
import { isPresetName, PRESET_NAMES, type PresetName, PRESETS } from "./presets.ts";
import { createSe3Hyena } from "./se3_hyena.ts";

export { PRESETS };
export type { EquivariantModel, ModelKind, PresetName };
export type { ApplyOptions, ModelConfig, ModelInputs, ModelOutputs } from "./equivariant_model.ts";

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Which model. */
  kind: ModelKind;
  /** Size preset (layers, D, C, G). */
  preset: PresetName;
  /** Scalar inputs per token S. Default: the preset's D. */
  scalarInputs?: number;
  /** Extra vector inputs per token m. Default 0. */
  vectorInputs?: number;
  /** Transformer only: vector attention implementation. Default `materialized`. */
  attention?: AttentionMode;
  /** Transformer with `gram` only: query row-block size; 0 (default) = unblocked. */
  attentionBlock?: number;
  /** Seed of the weight initialisation (integer). Default 0. */
  seed?: number;
}

const quote = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    const what = min === 0
      ? "a non-negative integer"
      : min === 1
      ? "a positive integer"
      : "an integer";
    throw new Error(`createModel: ${name}: expected ${what}, got ${quote(value)}`);
  }
  return value;
}

/**
 * Builds an SE(3)-Hyena or equivariant-transformer model.
 *
 * @example
 * ```ts
 * const model = createModel({ kind: "se3-hyena", preset: "tiny" });
 * const { x, f } = model.apply({ x: positions, f: features }); // [B, N, 3], [B, N, D]
 * ```
 * @throws Error naming the option and value when one is unknown or out of range.
 */
export function createModel(opts: CreateModelOptions): EquivariantModel {
  if (opts === null || typeof opts !== "object") {
    throw new Error(`createModel: options must be an object, got ${quote(opts)}`);
  }
  const { kind, preset } = opts;
  if (!(MODEL_KINDS as readonly unknown[]).includes(kind)) {
    throw new Error(
      `createModel: kind: expected one of ${MODEL_KINDS.join(", ")}, got ${quote(kind)}`,
    );
  }
  if (!isPresetName(preset)) {
    throw new Error(
      `createModel: preset: expected one of ${PRESET_NAMES.join(", ")}, got ${quote(preset)}`,
    );
  }
  const attention = opts.attention ?? "materialized";
  if (!(ATTENTION_MODES as readonly unknown[]).includes(attention)) {
    throw new Error(
      `createModel: attention: expected one of ${ATTENTION_MODES.join(", ")}, got ${
        quote(opts.attention)
      }`,
    );
  }
  const block = integer("attentionBlock", opts.attentionBlock ?? 0, 0);
  const seed = integer("seed", opts.seed ?? 0, -Infinity);
  const sizes = PRESETS[preset];
  const config = {
    ...sizes,
    S: integer("scalarInputs", opts.scalarInputs ?? sizes.D, 1),
    m: integer("vectorInputs", opts.vectorInputs ?? 0, 0),
  };
  return kind === "se3-hyena"
    ? createSe3Hyena(preset, config, seed)
    : createEquivariantTransformer(preset, config, seed, { attention, block });
}
