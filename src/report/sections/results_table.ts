/**
 * Every row of results.json in one sortable table.
 *
 * @module
 */

import type { CaseResult } from "../../results.ts";
import { modelName, platformName, platformOf } from "../analysis.ts";
import { caseNoise } from "../noise.ts";
import { pctText } from "./noise.ts";
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
      const train = c.pass === "train";
      // GFLOP/s only for single passes: a training row's time is an epoch, not one pass.
      const gflops = r.status === "ok" && !train && r.flops && t?.median
        ? r.flops / (t.median * 1e6)
        : null;
      const noise = caseNoise(r);
      return html`
        <tr class="status-${STATUS_ORDER.includes(r.status) ? r.status : "other"}">
          <td>${modelName(String(c.model))}${c.attention
            ? html`
              <span class="sub">${c.attention}</span>
            `
            : ""}</td>
          <td>${c.pass}${c.checkpoint === true
            ? html`
              <span class="sub">checkpointed</span>
            `
            : ""}</td>
          <td>${typeof c.task === "string" ? c.task : ""}</td>
          <td class="num" data-v="${c.seqLen}">${fmtInt(c.seqLen)}</td>
          <td class="num">${c.batch}</td>
          <td>${platformName(platformOf(c))}</td>
          <td>${platformOf(c) === "tfjs" ? c.backend : "–"}</td>
          <td>${c.preset}</td>
          <td>${c.label ?? ""}</td>
          <td><span class="status">${r.status}</span></td>
          <td class="num" data-v="${t?.median ?? ""}">${fmtMs(t?.median)}${t
            ? html`<span class="sub"> /${train ? "epoch" : "pass"}</span>`
            : ""}</td>
          <td class="num" data-v="${noise?.relHalfWidth ?? ""}">${noise
            ? html`${pctText(noise.relHalfWidth)}${
              noise.noisy
                ? html`
                  <span class="warn">noisy</span>
                `
                : ""
            }`
            : ""}</td>
          <td class="num" data-v="${t?.p10 ?? ""}">${fmtMs(t?.p10)}</td>
          <td class="num" data-v="${t?.p90 ?? ""}">${fmtMs(t?.p90)}</td>
          <td class="num">${Array.isArray(t?.samples) && t.samples.length
            ? html`<a href="#samples-${r.id}">${t.n}</a>`
            : t?.n ?? ""}</td>
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
          .length}), training rows included. Click a header to sort. Framework: TensorFlow.js (on the backend shown) or PyTorch on its device (the backend field does not apply to it). Times are per pass (forward, backward) or per epoch (training rows); CI ± is the median's ~95% confidence interval half-width as a share of it (<span class="warn">noisy</span> above 10%); n links to the samples; GFLOP/s from the analytic FLOP count (single passes only).</p>
        <div class="table-wrap">
          <table class="sortable" id="results-table">
            <thead>
              <tr>
                <th>model</th>
                <th>pass</th>
                <th>task</th>
                <th>N</th>
                <th>batch</th>
                <th>framework</th>
                <th>backend</th>
                <th>preset</th>
                <th>label</th>
                <th>status</th>
                <th>median</th>
                <th>CI ±</th>
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
