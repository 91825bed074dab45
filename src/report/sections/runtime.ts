/**
 * Runtime section: median time per length, p10–p90 bands, the paper's forward times.
 *
 * @module
 */

import { runtimeChart } from "../charts.ts";
import { chartBox } from "../chart_box.ts";
import { html } from "../escape.ts";
import { PAPER_LABEL } from "../paper.ts";
import type { ReportSection } from "./types.ts";

/** The section. */
export const runtimeSection: ReportSection = {
  id: "runtime",
  title: "Runtime",
  render({ analysis }) {
    if (!analysis.series.length) return null;
    const spec = runtimeChart(analysis);
    return {
      html:
        html`<p>Median time of one pass per length (lines), p10–p90 of the timed repeats (bands); forward solid, backward dashed. Grey: ${PAPER_LABEL}, forward pass, one layer each.</p>${
          chartBox(spec)
        }`,
      charts: [spec],
    };
  },
};
