/**
 * Noise section: how far each median can be trusted. The median's ~95% CI half-width as a
 * share of the median (flagged above 10%), the machine's load average before and after
 * each case, and lengths slower than the next longer one beyond both CIs.
 *
 * @module
 */

import { html } from "../escape.ts";
import { fmtInt, fmtMs, fmtNum } from "../format.ts";
import { noiseReport, NOISY_CI } from "../noise.ts";
import type { ReportSection } from "./types.ts";

/** `±12.3%`, or `–` without a CI. */
export function pctText(rel: number | null): string {
  return rel === null ? "–" : `±${fmtNum(100 * rel)}%`;
}

/** The section. */
export const noiseSection: ReportSection = {
  id: "noise",
  title: "Noise",
  render({ results, analysis }) {
    const n = noiseReport(results, analysis);
    if (!n.cases.length) return null;
    const noisy = n.cases.filter((c) => c.noisy);
    const loaded = n.cases.filter((c) => c.loaded);
    const noCi = n.cases.filter((c) => c.relHalfWidth === null);
    const load = n.loadRange
      ? html`load average (1 min) between <b>${fmtNum(n.loadRange[0])}</b> and <b>${
        fmtNum(n.loadRange[1])
      }</b> around the cases${n.cpus ? ` on ${n.cpus} cores` : ""}${
        loaded.length
          ? html`; <b class="warn">${loaded.length}</b> cases ran above the core count`
          : ""
      }`
      : html`no load average recorded (sweeps before it was)`;
    const rows = [...n.cases].sort((a, b) => (b.relHalfWidth ?? -1) - (a.relHalfWidth ?? -1))
      .map((c) =>
        html`
          <tr class="${c.noisy ? "flag" : ""}">
            <td><a href="#samples-${c.row.id}">${c.label}</a></td>
            <td class="num" data-v="${c.median}">${fmtMs(c.median)}</td>
            <td class="num">${c.ci ? `${fmtMs(c.ci[0])} – ${fmtMs(c.ci[1])}` : "–"}</td>
            <td class="num" data-v="${c.relHalfWidth ?? ""}">${pctText(c.relHalfWidth)}${c.noisy
              ? html`
                <span class="warn">noisy</span>
              `
              : ""}</td>
            <td class="num">${c.row.timeMs?.n ?? ""}</td>
            <td class="num" data-v="${c.loadBefore ?? ""}">${fmtNum(c.loadBefore)}</td>
            <td class="num" data-v="${c.loadAfter ?? ""}">${fmtNum(c.loadAfter)}${c.loaded
              ? html`
                <span class="warn">loaded</span>
              `
              : ""}</td>
          </tr>
        `
      );
    const mono = n.nonMonotone.map((m) =>
      html`
        <li><span class="warn">non-monotone</span> ${m.series}: N = ${fmtInt(
          m.shorter.seqLen,
        )} took ${fmtMs(m.shorter.median)} (CI ${fmtMs(m.shorter.ci[0])} – ${fmtMs(
          m.shorter.ci[1],
        )}), more than N = ${fmtInt(m.longer.seqLen)} at ${fmtMs(m.longer.median)} (CI ${fmtMs(
          m.longer.ci[0],
        )} – ${fmtMs(m.longer.ci[1])})</li>
      `
    );
    return {
      html: html`
        <p>A median is flagged <span class="warn">noisy</span> when its ~95% confidence interval's half-width exceeds ${fmtNum(
          100 * NOISY_CI,
        )}% of it: <b>${noisy.length}</b> of ${n.cases.length} timed cases${noCi.length
          ? `, ${noCi.length} without a CI`
          : ""}; ${load}. Times should grow with N: a shorter length slower than the next longer one beyond both CIs is flagged <span class="warn">non-monotone</span> (${n
          .nonMonotone.length}).</p>
        ${mono.length ? html`<ul class="flags">${mono}</ul>` : ""}
        <div class="table-wrap">
          <table class="sortable" id="noise-table">
            <thead>
              <tr>
                <th>case</th>
                <th>median</th>
                <th>~95% CI</th>
                <th>CI half-width</th>
                <th>n</th>
                <th>load before</th>
                <th>load after</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
      `,
    };
  },
};
