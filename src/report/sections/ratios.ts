/**
 * Speed-up and memory ratio per common length.
 *
 * @module
 */

import { ratioChart } from "../charts.ts";
import { chartBox } from "../chart_box.ts";
import { html } from "../escape.ts";
import { fmtBytes, fmtInt, fmtMs, fmtRatio } from "../format.ts";
import type { ReportSection } from "./types.ts";

/** The section. */
export const ratiosSection: ReportSection = {
  id: "ratios",
  title: "Speed-up and memory ratio",
  render({ analysis }) {
    const spec = ratioChart(analysis);
    if (!spec) return null;
    const tables = analysis.comparisons.map((c) =>
      html`
        <h3>${c.pass}: ${c.hyena.label} vs ${c.transformer.label}</h3>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>N</th>
                <th>transformer</th>
                <th>SE(3)-Hyena</th>
                <th>speed-up</th>
                <th>transformer memory</th>
                <th>SE(3)-Hyena memory</th>
                <th>memory ratio</th>
              </tr>
            </thead>
            <tbody>${c.points.map((p) =>
              html`
                <tr>
                  <td class="num">${fmtInt(p.seqLen)}</td>
                  <td class="num">${fmtMs(p.transformerMs)}</td>
                  <td class="num">${fmtMs(p.hyenaMs)}</td>
                  <td class="num">${fmtRatio(p.speedup)}</td>
                  <td class="num">${fmtBytes(p.transformerBytes)}</td>
                  <td class="num">${fmtBytes(p.hyenaBytes)}</td>
                  <td class="num">${fmtRatio(p.memoryRatio)}</td>
                </tr>
              `
            )}</tbody>
          </table>
        </div>
      `
    );
    return {
      html:
        html`<p>Transformer ÷ SE(3)-Hyena at each length both ran (status ok): above ×1 SE(3)-Hyena is faster or smaller.</p>${
          chartBox(spec)
        }${tables}`,
      charts: [spec],
    };
  },
};
