/**
 * The paper's Figure 5 table and its caveats, with ours beside each of the paper's lengths:
 * the headline comparison's curves interpolated in log-log between measured lengths, or
 * "not measured there" outside them. Where the sweep ran several frameworks, the headline's
 * is the primary one and the same comparison in each other framework gets a speed-up column.
 *
 * @module
 */

import { platformName } from "../analysis.ts";
import { atLength } from "../claims.ts";
import { counterparts } from "../frameworks.ts";
import { html } from "../escape.ts";
import { fmtInt, fmtRatio } from "../format.ts";
import { PAPER_CAVEATS, PAPER_DEVICE, PAPER_FIG5 } from "../paper.ts";
import { hasTrainRows } from "./common.ts";
import { METRIC_NAME } from "./headline.ts";
import type { ReportSection } from "./types.ts";

/** The section. */
export const paperSection: ReportSection = {
  id: "paper",
  title: `The paper's Figure 5 (${PAPER_DEVICE})`,
  render({ analysis, results }) {
    if (!analysis.series.length && hasTrainRows(results)) return null; // a training-only sweep
    const c = analysis.headline;
    const others = c ? counterparts(analysis, c) : [];
    const many = analysis.platforms.length > 1;
    const name = (p: string) => many ? ` (${platformName(p)})` : "";
    const rows = PAPER_FIG5.map((r) => {
      const ours = c ? atLength(c, r.seqLen) : null;
      const none = "not measured there";
      const otherCells = others.map((o) => {
        const sp = atLength(o, r.seqLen).speedup;
        return html`
          <td class="num">${sp != null ? fmtRatio(sp) : none}</td>
        `;
      });
      return html`
        <tr>
          <td class="num">${fmtInt(r.seqLen)}</td>
          <td class="num">${r.transformerMs}</td>
          <td class="num">${r.hyenaMs}</td>
          <td class="num">${fmtRatio(r.speedup)}</td>
          <td class="num">${r.transformerGB}</td>
          <td class="num">${r.hyenaGB}</td>
          <td class="num">${fmtRatio(r.memoryRatio)}</td>
          <td class="num">${ours?.speedup != null ? fmtRatio(ours.speedup) : none}</td>
          <td class="num">${ours?.memoryRatio != null
            ? `${fmtRatio(ours.memoryRatio)} (${METRIC_NAME[ours.memoryMetric!]})`
            : none}</td>${otherCells}
        </tr>
      `;
    });
    return {
      html: html`
        <p>Moskalev et al., “SE(3)-Hyena Operator for Scalable Equivariant Learning” (PMLR 251, arXiv 2407.01049), Figure 5: one layer each, forward pass, ${PAPER_DEVICE}, CUDA 12.2; values read from the plot. The last two columns are ours at the paper's lengths (${c
          ? c.pass + (many ? `, ${platformName(c.hyena.platform)}` : "")
          : "no comparison"}; our curves interpolated in log-log between the lengths we measured; memory by device memory or process RSS, the figures closest to the paper's total GPU memory).</p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>N</th>
                <th>transformer fwd ms</th>
                <th>SE(3)-Hyena fwd ms</th>
                <th>speed-up</th>
                <th>transformer GB</th>
                <th>SE(3)-Hyena GB</th>
                <th>memory ratio</th>
                <th>ours${c ? name(c.hyena.platform) : ""}: speed-up</th>
                <th>ours${c ? name(c.hyena.platform) : ""}: memory ratio</th>${others.map((o) =>
                  html`
                    <th>ours${name(o.hyena.platform)}: speed-up</th>
                  `
                )}
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
        <p>Caveats:</p>
        <ul>${PAPER_CAVEATS.map((c) => html`<li>${c}</li>`)}</ul>
      `,
    };
  },
};
