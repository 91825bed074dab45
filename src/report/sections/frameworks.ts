/**
 * The frameworks compared on the same cases: TensorFlow.js ÷ PyTorch per (model, attention,
 * pass, N), both medians with their CIs and whether the difference is beyond noise
 * (`../frameworks.ts`). Left out when the sweep ran one framework (and device) only.
 *
 * @module
 */

import { modelName, platformName, type Series } from "../analysis.ts";
import { html } from "../escape.ts";
import { type FrameworkRatio, frameworkRatios } from "../frameworks.ts";
import { fmtInt, fmtMs, fmtRatio } from "../format.ts";
import type { ReportSection } from "./types.ts";

/** A series' framework as a cell: `TensorFlow.js wasm`, `PyTorch cpu`, `(checkpointed)`. */
export function frameworkCell(s: Series): string {
  const name = platformName(s.platform) + (s.framework === "tfjs" ? ` ${s.backend}` : "");
  return name + (s.checkpoint ? " (checkpointed)" : "");
}

function ci(i: [number, number] | null): string {
  return i ? `[${fmtMs(i[0])}, ${fmtMs(i[1])}]` : "–";
}

/** The verdict as text, naming the faster framework. */
export function verdictText(r: FrameworkRatio): string {
  if (r.verdict === "within-noise") return "within noise";
  const faster = r.verdict === "primary-faster" ? r.primary : r.other;
  return `${platformName(faster.series.platform)} faster`;
}

/** The section. */
export const frameworksSection: ReportSection = {
  id: "frameworks",
  title: "Frameworks",
  render({ analysis }) {
    const rows = frameworkRatios(analysis);
    if (!rows.length) return null;
    const primary = platformName(analysis.platforms[0]);
    const others = analysis.platforms.slice(1).map(platformName).join(", ");
    const faster = rows.filter((r) => r.verdict === "other-faster").length;
    const slower = rows.filter((r) => r.verdict === "primary-faster").length;
    return {
      html: html`
        <p>The same cases in ${primary} and ${others}: ${primary}'s median ÷ the other's (above ×1 the other is faster). Beyond noise only where the two medians' ~95% CIs do not overlap; the range is what the CIs allow (low ÷ high, high ÷ low). Over ${rows
          .length} cases ${others} is faster beyond noise in ${faster}, slower in ${slower}, within noise in ${rows
          .length - faster -
          slower}. Each headline figure above is computed within one framework.</p>
        <div class="table-wrap">
          <table id="frameworks-table">
            <thead>
              <tr>
                <th>model</th>
                <th>pass</th>
                <th>N</th>
                <th>framework</th>
                <th>median [95% CI]</th>
                <th>framework</th>
                <th>median [95% CI]</th>
                <th>ratio</th>
                <th>range</th>
                <th>verdict</th>
              </tr>
            </thead>
            <tbody>${rows.map((r) =>
              html`
                <tr>
                  <td>${modelName(r.model)}${r.attention
                    ? html`
                      <span class="sub">${r.attention}</span>
                    `
                    : ""}</td>
                  <td>${r.pass}</td>
                  <td class="num">${fmtInt(r.seqLen)}</td>
                  <td>${frameworkCell(r.primary.series)}</td>
                  <td class="num">${fmtMs(r.primary.point.median)} <span class="sub">${ci(
                    r.primary.interval,
                  )}</span></td>
                  <td>${frameworkCell(r.other.series)}</td>
                  <td class="num">${fmtMs(r.other.point.median)} <span class="sub">${ci(
                    r.other.interval,
                  )}</span></td>
                  <td class="num">${fmtRatio(r.ratio)}</td>
                  <td class="num">${r.range
                    ? `${fmtRatio(r.range[0])}–${fmtRatio(r.range[1])}`
                    : "–"}</td>
                  <td>${verdictText(r)}</td>
                </tr>
              `
            )}</tbody>
          </table>
        </div>
      `,
    };
  },
};
