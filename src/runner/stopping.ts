/**
 * When to stop timing a case (design/harness.md §2): at least `minRepeats` steps; then
 * stop as soon as the median is stable (95% CI of the median within ±`relTol`), or the
 * next step is not expected to fit in the time budget (`elapsed + elapsed / n >
 * budgetMs`), or `maxRepeats` steps are done. The clock is the caller's, so the rule is
 * tested with a fake one.
 *
 * @module
 */
import { isMedianStable } from "../stats.ts";

/** Why the timed steps stopped (stored as the result's `stopReason`). */
export type StopReason = "repeats" | "stable" | "budget" | "max-repeats";

/** Limits of {@link stopReason}. */
export interface StoppingRule {
  minRepeats: number;
  maxRepeats: number;
  /** Largest accepted CI half-width of the median, relative (e.g. 0.05). */
  relTol: number;
  /** Time budget for the timed steps, ms. */
  budgetMs: number;
}

/**
 * Whether to stop after the timed `samples` (ms), `elapsedMs` after the first began:
 * the reason to stop, or null to take another step.
 */
export function stopReason(
  samples: readonly number[],
  elapsedMs: number,
  rule: StoppingRule,
): StopReason | null {
  const n = samples.length;
  if (n < rule.minRepeats) return null;
  if (n >= rule.maxRepeats) return "max-repeats";
  if (isMedianStable([...samples], { relTol: rule.relTol })) {
    return n === rule.minRepeats ? "repeats" : "stable";
  }
  if (elapsedMs + elapsedMs / n > rule.budgetMs) {
    return n === rule.minRepeats ? "repeats" : "budget";
  }
  return null;
}
