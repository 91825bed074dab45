/**
 * How wide and deep a non-equivariant baseline is next to a model-size preset, without
 * building it (no TensorFlow.js): shared by src/baselines/from_preset.ts, which builds
 * the baselines, and by reports, which state the sizes.
 *
 * @module
 */
import { isPresetName, PRESET_NAMES, PRESETS } from "../models/presets.ts";

/** Baseline width as a multiple of the preset's invariant width D. */
export const BASELINE_WIDTH_FACTOR = 3;

/**
 * Width and blocks of a baseline next to `preset`.
 *
 * @throws Error naming the preset when it is unknown.
 */
export function baselineSize(
  preset: string,
  overrides: { width?: number; layers?: number } = {},
): { width: number; layers: number } {
  if (!isPresetName(preset)) {
    throw new Error(
      `preset: expected one of ${PRESET_NAMES.join(", ")}, got ${JSON.stringify(preset)}`,
    );
  }
  const p = PRESETS[preset];
  return {
    width: overrides.width ?? BASELINE_WIDTH_FACTOR * p.D,
    layers: overrides.layers ?? p.layers,
  };
}
