/**
 * The report's comparison section (`deno task report <baseline> --compare <candidate>`):
 * which sweep is which, the medians with their 95% CIs, the ratio candidate ÷ baseline
 * (above ×1: slower) and the verdict beyond the noise per case, the cases one side only
 * ran, and the configuration and environment differences.
 *
 * @module
 */

import type { SweepResults } from "../../results.ts";
import { caseKey, type SweepComparison } from "../compare.ts";
import { medianText } from "../compare_text.ts";
import { html, type SafeHtml } from "../escape.ts";
import { fmtRatio } from "../format.ts";

/** What the section reads (a subset of the report's context). */
export interface CompareContext {
  results: SweepResults;
  other: SweepResults | null;
  comparison: SweepComparison | null;
}

function sideText(r: SweepResults | null, id: string): SafeHtml {
  const env = (r?.environment ?? {}) as Record<string, unknown>;
  const commit = typeof env.gitCommit === "string" ? env.gitCommit.slice(0, 12) : "?";
  return html`<code>${id}</code> (created ${r?.createdAt ?? "?"}, commit <code>${commit}</code>${
    env
        .gitDirty === true
      ? ", dirty"
      : ""
  })`;
}

/** The section (`id` `compare`); left out without `--compare`. */
export const compareSection = {
  id: "compare",
  title: "Comparison: baseline vs candidate",
  render({ results, other, comparison: cmp }: CompareContext): { html: SafeHtml } | null {
    if (!cmp) return null;
    const count = (v: string) => cmp.matched.filter((d) => d.verdict === v).length;
    const rows = cmp.matched.map((d) =>
      html`
        <tr class="verdict-${d.verdict}">
          <td>${d.key}</td>
          <td>${d.a.status}</td>
          <td>${d.b.status}</td>
          <td class="num" data-v="${d.aMs ?? ""}">${medianText(d.a)}</td>
          <td class="num" data-v="${d.bMs ?? ""}">${medianText(d.b)}</td>
          <td class="num" data-v="${d.ratio ?? ""}">${fmtRatio(d.ratio)}</td>
          <td class="num" data-v="${d.memoryRatio ?? ""}">${fmtRatio(d.memoryRatio)}</td>
          <td>${d.verdict}${d.interval ? ` (${d.interval})` : ""}</td>
          <td>${d.matchedBy}</td>
        </tr>
      `
    );
    const only = cmp.onlyA.length + cmp.onlyB.length
      ? ([["baseline", cmp.onlyA], ["candidate", cmp.onlyB]] as const).map(([side, list]) =>
        list.length
          ? html`
            <h3>Only in the ${side} (${list.length})</h3>
            <ul class="only-${side}">${list.map((r) =>
              html`<li><code>${caseKey(r)}</code> (${r.status})</li>`
            )}</ul>
          `
          : ""
      )
      : html`<p>Both sweeps ran the same cases.</p>`;
    const diffs = cmp.differences.length
      ? html`
        <div class="table-wrap">
          <table id="compare-differences">
            <thead>
              <tr>
                <th>field</th>
                <th>baseline</th>
                <th>candidate</th>
                <th>cases</th>
              </tr>
            </thead>
            <tbody>${cmp.differences.map((d) =>
              html`
                <tr>
                  <td>${d.field}</td>
                  <td>${d.baseline}</td>
                  <td>${d.candidate}</td>
                  <td class="num">${d.cases ?? ""}</td>
                </tr>
              `
            )}</tbody>
          </table>
        </div>
      `
      : html`<p>No differences in configuration or environment.</p>`;
    return {
      html: html`
        <p><b>Baseline</b> = this sweep, ${sideText(
          results,
          cmp.aId,
        )}; <b>candidate</b> = ${sideText(
          other,
          cmp.bId,
        )}. Ratio = candidate ÷ baseline median time: above ×1 the candidate is slower, below ×1 faster. A difference is beyond the noise when the two medians' ~95% confidence intervals do not overlap (p10–p90 ranges where a CI is missing); otherwise the verdict is <i>same</i>.</p>
        <p><b>${count("slower")}</b> slower in the candidate, <b>${count(
          "faster",
        )}</b> faster, <b>${count("same")}</b> within the noise, <b>${count(
          "n/a",
        )}</b> not comparable; ${cmp.onlyA.length} only in the baseline, ${cmp.onlyB
          .length} only in the candidate.</p>
        <div class="table-wrap">
          <table class="sortable" id="compare-table">
            <thead>
              <tr>
                <th>case</th>
                <th>baseline status</th>
                <th>candidate status</th>
                <th>baseline median [95% CI]</th>
                <th>candidate median [95% CI]</th>
                <th>time candidate ÷ baseline</th>
                <th>memory candidate ÷ baseline</th>
                <th>verdict</th>
                <th>matched by</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
        ${only}
        <h3>Configuration and environment differences</h3>
        ${diffs}
      `,
    };
  },
};
