/**
 * Drill-down per case: every timed row's samples as a strip plot and in the order taken,
 * folded (`<details>`) under one line with the median, its CI and the noise flags. The
 * noise and results tables link here (`#samples-<case id>`).
 *
 * @module
 */

import { html } from "../escape.ts";
import { fmtMs } from "../format.ts";
import { noiseReport } from "../noise.ts";
import { orderSvg, stripSvg } from "../samples_svg.ts";
import { pctText } from "./noise.ts";
import type { ReportSection } from "./types.ts";

/** The section. */
export const samplesSection: ReportSection = {
  id: "samples",
  title: "Samples per case",
  render({ results, analysis }) {
    const cases = noiseReport(results, analysis).cases.filter((c) =>
      Array.isArray(c.row.timeMs?.samples) && c.row.timeMs!.samples!.length > 0
    );
    if (!cases.length) return null;
    const items = cases.map((c) => {
      const s = c.row.timeMs!.samples!;
      return html`
        <details class="case-samples" id="samples-${c.row.id}">
          <summary>${c.label}: median ${fmtMs(c.median)}, CI ${c.ci
            ? `${fmtMs(c.ci[0])} – ${fmtMs(c.ci[1])}`
            : "–"} (${pctText(c.relHalfWidth)}), ${s.length} samples${c.noisy
            ? html`
              <span class="warn">noisy</span>
            `
            : ""}</summary>
          <div class="sample-plots">${stripSvg(s, c.median, c.ci)}${orderSvg(
            s,
            c.median,
            c.ci,
          )}</div>
        </details>
      `;
    });
    return {
      html: html`
        <p>Each timed case's samples (ms): left, a strip plot with the median (line) and its ~95% CI (band); right, the samples in the order they were taken, where a trend shows warm-up, drift or a busy machine. Click a case to open it.</p>
        ${items}
      `,
    };
  },
};
