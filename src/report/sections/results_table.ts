/**
 * Every row of results.json in one sortable table.
 *
 * @module
 */

import type { CaseResult } from "../../results.ts";
import { modelName } from "../analysis.ts";
import { workerName } from "../charts.ts";
import { html } from "../escape.ts";
import { fmtBytes, fmtInt, fmtMs, fmtNum } from "../format.ts";
import type { ReportSection } from "./types.ts";

const STATUS_ORDER = ["ok", "oom", "timeout", "error", "failed", "skipped"];

/** The section. */
export const resultsTableSection: ReportSection = {
  id: "results",
  title: "All results",
  render({ results }) {
    const sorted = [...results.results].sort((a, b) =>
      String(a.case?.model).localeCompare(String(b.case?.model)) ||
      String(a.case?.pass).localeCompare(String(b.case?.pass)) ||
      (a.case?.seqLen ?? 0) - (b.case?.seqLen ?? 0)
    );
    const rows = sorted.map((r) => {
      const t = r.timeMs, m = r.memory ?? {}, c = r.case ?? ({} as CaseResult["case"]);
      const gflops = r.status === "ok" && r.flops && t?.median ? r.flops / (t.median * 1e6) : null;
      return html`
        <tr class="status-${STATUS_ORDER.includes(r.status) ? r.status : "other"}">
          <td>${modelName(String(c.model))}${c.attention
            ? html`
              <span class="sub">${c.attention}</span>
            `
            : ""}</td>
          <td>${c.pass}</td>
          <td class="num" data-v="${c.seqLen}">${fmtInt(c.seqLen)}</td>
          <td class="num">${c.batch}</td>
          <td>${c.backend}</td>
          <td>${c.preset}</td>
          <td>${c.label ?? ""}</td>
          <td><span class="status">${r.status}</span></td>
          <td class="num" data-v="${t?.median ?? ""}">${fmtMs(t?.median)}</td>
          <td class="num" data-v="${t?.p10 ?? ""}">${fmtMs(t?.p10)}</td>
          <td class="num" data-v="${t?.p90 ?? ""}">${fmtMs(t?.p90)}</td>
          <td class="num">${t?.n ?? ""}</td>
          <td class="num" data-v="${m.peakBytes ?? ""}">${fmtBytes(m.peakBytes)}</td>
          <td class="num" data-v="${m.rssPeakBytes ?? ""}">${fmtBytes(m.rssPeakBytes)}</td>
          <td class="num" data-v="${m.deviceBytes ?? ""}">${fmtBytes(m.deviceBytes)}</td>
          <td class="num" data-v="${gflops ?? ""}">${fmtNum(gflops)}</td>
          <td>${workerName(r)}</td>
          <td class="err">${r.error ?? ""}</td>
        </tr>
      `;
    });
    return {
      html: html`
        <p>Every row of results.json (${results.results
          .length}), training rows included. Click a header to sort. Times are per pass; GFLOP/s from the analytic FLOP count.</p>
        <div class="table-wrap">
          <table class="sortable" id="results-table">
            <thead>
              <tr>
                <th>model</th>
                <th>pass</th>
                <th>N</th>
                <th>batch</th>
                <th>backend</th>
                <th>preset</th>
                <th>label</th>
                <th>status</th>
                <th>median</th>
                <th>p10</th>
                <th>p90</th>
                <th>n</th>
                <th>framework peak</th>
                <th>RSS peak</th>
                <th>device</th>
                <th>GFLOP/s</th>
                <th>worker</th>
                <th>error</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
      `,
    };
  },
};
