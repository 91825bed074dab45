/**
 * The definition of a sweep: the preset and the command-line filters that chose its
 * cases. It is stored as `definition` in results.json, so `--resume <id>` rebuilds the
 * same cases without being told the preset again, and refuses options that would change
 * them (a resume with another preset or filter would run, and record, another sweep under
 * the same id).
 *
 * @module
 */
import type { SweepResults } from "../results.ts";

/** What chose a sweep's cases (stored as `definition` in results.json). */
export interface SweepDefinition {
  /** `--preset`: a built-in name or a sweep file's path. */
  preset: string;
  /** `--models`. */
  models?: string[];
  /** `--passes`. */
  passes?: string[];
  /** `--lengths`. */
  lengths?: number[];
  /** `--max-seq-len`. */
  maxSeqLen?: number;
  /** `--backend`. */
  backend?: string;
  /** The backend given to cases that name none (chosen for this machine at the start). */
  defaultBackend?: string;
  /** `--timeout-ms`. */
  timeoutMs?: number;
  /** `--repeats`. */
  repeats?: number;
  /** `--memory-budget`, bytes. */
  memoryBudget?: number;
  /** `--framework`. */
  framework?: "tfjs" | "torch";
  /** `--device` (torch cases). */
  device?: "cpu" | "cuda";
  /** `--threads`. */
  threads?: number;
}

/** The command-line flag of each field (for messages). */
export const DEFINITION_FLAGS: Record<keyof SweepDefinition, string> = {
  preset: "--preset",
  models: "--models",
  passes: "--passes",
  lengths: "--lengths",
  maxSeqLen: "--max-seq-len",
  backend: "--backend",
  defaultBackend: "(default backend)",
  timeoutMs: "--timeout-ms",
  repeats: "--repeats",
  memoryBudget: "--memory-budget",
  framework: "--framework",
  device: "--device",
  threads: "--threads",
};

/** A definition without its undefined fields. */
export function compactDefinition(d: SweepDefinition): SweepDefinition {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) if (v !== undefined) out[k] = v;
  return out as unknown as SweepDefinition;
}

/**
 * The definition a resumed sweep runs with: the stored one, checked against what the
 * command line gives (`given`: its fields are undefined where the flag was not given).
 * `fallbackPreset` is used for a results.json written before definitions were stored
 * (its `preset` field, when that names a built-in preset).
 * @throws Error naming the conflicting flag, the stored value and the given one.
 */
export function resumeDefinition(
  stored: SweepResults,
  given: Partial<SweepDefinition>,
  isBuiltinPreset: (name: string) => boolean,
): SweepDefinition {
  let def = stored.definition as SweepDefinition | undefined;
  if (!def || typeof def !== "object" || typeof def.preset !== "string") {
    const preset = given.preset ??
      (typeof stored.preset === "string" && isBuiltinPreset(stored.preset)
        ? stored.preset
        : undefined);
    if (preset === undefined) {
      throw new Error(
        `--resume: ${stored.sweepId}'s results.json does not record how its cases were chosen ` +
          `(written by an older version); give the original --preset and filters`,
      );
    }
    return compactDefinition({ ...given, preset });
  }
  for (const k of Object.keys(DEFINITION_FLAGS) as (keyof SweepDefinition)[]) {
    const g = given[k];
    if (g === undefined || k === "defaultBackend") continue;
    if (JSON.stringify(g) !== JSON.stringify(def[k])) {
      throw new Error(
        `${DEFINITION_FLAGS[k]}: sweep ${stored.sweepId} was started with ${
          def[k] === undefined ? "no " + DEFINITION_FLAGS[k] : JSON.stringify(def[k])
        }, got ${JSON.stringify(g)}; drop the option to resume it as it was, or start a new sweep`,
      );
    }
  }
  def = compactDefinition(def);
  return def;
}
