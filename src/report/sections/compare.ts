/**
 * Comparison with another sweep (`--compare`).
 *
 * @module
 */

import { html } from "../escape.ts";
import { fmtMs, fmtRatio } from "../format.ts";
import type { ReportSection } from "./types.ts";

/** The section. */
export const compareSection: ReportSection = {
  id: "compare",
  title: "Comparison with another sweep",
  render({ comparison: cmp }) {
    if (!cmp) return null;
    const count = (v: string) => cmp.matched.filter((d) => d.verdict === v).length;
    const rows = cmp.matched.map((d) =>
      html`
        <tr class="verdict-${d.verdict}">
          <td>${d.key}</td>
          <td>${d.a.status}</td>
          <td>${d.b.status}</td>
          <td class="num" data-v="${d.aMs ?? ""}">${fmtMs(d.aMs)}</td>
          <td class="num" data-v="${d.bMs ?? ""}">${fmtMs(d.bMs)}</td>
          <td class="num" data-v="${d.ratio ?? ""}">${fmtRatio(d.ratio)}</td>
          <td class="num" data-v="${d.memoryRatio ?? ""}">${fmtRatio(d.memoryRatio)}</td>
          <td>${d.verdict}${d.interval ? ` (${d.interval})` : ""}</td>
          <td>${d.matchedBy}</td>
        </tr>
      `
    );
    return {
      html: html`
        <p>A = this sweep (<code>${cmp.aId}</code>), B = <code>${cmp
          .bId}</code>. Ratio = B ÷ A median time (below ×1: B is faster). A difference counts as real when the two medians' ~95% confidence intervals do not overlap (p10–p90 ranges where a CI is missing); otherwise it is within the noise.</p>
        <p><b>${count("faster")}</b> faster in B, <b>${count("slower")}</b> slower, <b>${count(
          "same",
        )}</b> within the noise, <b>${count("n/a")}</b> not comparable; ${cmp.onlyA
          .length} only in A, ${cmp.onlyB.length} only in B.</p>
        <div class="table-wrap">
          <table class="sortable">
            <thead>
              <tr>
                <th>case</th>
                <th>A status</th>
                <th>B status</th>
                <th>A median</th>
                <th>B median</th>
                <th>time B ÷ A</th>
                <th>memory B ÷ A</th>
                <th>verdict</th>
                <th>matched by</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
      `,
    };
  },
};
