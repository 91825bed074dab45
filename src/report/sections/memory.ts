/**
 * Memory section: framework peak, process RSS and device bytes per length, the budget.
 *
 * @module
 */

import { type ChartSpec, memoryChart } from "../charts.ts";
import { chartBox } from "../chart_box.ts";
import { html } from "../escape.ts";
import { fmtBytes } from "../format.ts";
import { PAPER_LABEL } from "../paper.ts";
import type { ReportSection } from "./types.ts";

/** The section. */
export const memorySection: ReportSection = {
  id: "memory",
  title: "Memory",
  render({ analysis }) {
    const specs = ["forward", "backward"].map((p) => memoryChart(analysis, p))
      .filter((s): s is ChartSpec => s !== null);
    if (!specs.length) return null;
    const budgets = Object.entries(analysis.budgets).map(([b, v]) =>
      html`<span>${b}: <b>${fmtBytes(v)}</b></span>`
    );
    return {
      html:
        html`<p>Which figure is which: <b>framework peak</b> (solid) is TensorFlow.js's own peak of live tensor bytes (<code>tf.profile().peakBytes</code>), from an untimed run separate from the timed ones; <b>process RSS peak</b> (dashed) is the peak resident set size of the case's process (runtime, code and heaps included); <b>device bytes</b> (dotted), where present, are WebGPU buffer bytes, nvidia-smi's per-process figure, or the wasm heap size. Memory ratios use the framework peak where both models have it. Red dashed line: the memory budget; ✕: lengths that ran out of memory (drawn on the budget line). Grey: ${PAPER_LABEL}, total GPU memory (GB = 10⁹ bytes).</p>${
          budgets.length ? html`<p class="budgets">Memory budget: ${budgets}</p>` : ""
        }${specs.map(chartBox)}`,
      charts: specs,
    };
  },
};
