/**
 * Model size presets (design/model.md §6).
 *
 * @module
 */

/** Widths of a preset. */
export interface Preset {
  /** Number of blocks (operator/attention + block MLP). */
  layers: number;
  /** Invariant (scalar) width D. */
  D: number;
  /** Multivector channels C inside the Clifford MLPs. */
  C: number;
  /** Gating width G. */
  G: number;
}

/** Preset names. */
export const PRESET_NAMES = ["paper-runtime", "recall", "nbody", "tiny"] as const;
/** A preset name. */
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * The presets: `paper-runtime` (paper Fig. 5, one layer), `recall` (associative recall),
 * `nbody` (n-body) and `tiny` (tests).
 */
export const PRESETS: Readonly<Record<PresetName, Readonly<Preset>>> = {
  "paper-runtime": { layers: 1, D: 16, C: 128, G: 8 },
  recall: { layers: 3, D: 16, C: 128, G: 8 },
  nbody: { layers: 2, D: 8, C: 16, G: 8 },
  tiny: { layers: 1, D: 4, C: 8, G: 4 },
};

/** Whether `name` is a preset name. */
export function isPresetName(name: unknown): name is PresetName {
  return typeof name === "string" && (PRESET_NAMES as readonly string[]).includes(name);
}
