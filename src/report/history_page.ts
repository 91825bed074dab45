/**
 * The history page (`deno task report --history …`): one self-contained `history.html`
 * with a chart per case group (each length a line over the sweeps, step changes marked),
 * the table of step changes (with what else changed between the two sweeps besides the
 * commit), the sweeps in order and every case's medians; and the terminal summary of the
 * step changes.
 *
 * @module
 */

import type { ChartSpec, DatasetSpec } from "./charts.ts";
import { chartBox } from "./chart_box.ts";
import { chartJsSource } from "./chartjs.ts";
import { CLIENT_SCRIPT } from "./client.ts";
import { medianText } from "./compare_text.ts";
import { html, inlineScriptSource, jsonForScript, SafeHtml } from "./escape.ts";
import { fmtInt, fmtMs, fmtNum, fmtRatio } from "./format.ts";
import type { History, HistorySeries, HistoryStep } from "./history.ts";
import { pageHead } from "./page_head.ts";
import { textTable } from "./text_table.ts";

/** Line colours, one per length of a group (cycled). */
const PALETTE = [
  "#1f6fb4",
  "#e6550d",
  "#2ca02c",
  "#9467bd",
  "#8c564b",
  "#17becf",
  "#bcbd22",
  "#e377c2",
  "#393b79",
  "#7f7f7f",
];
const SLOWER = "#c1121f";
const FASTER = "#17692f";

/**
 * The timed series of a history (those with a median in some sweep; training rows have
 * none), grouped by {@linkcode HistorySeries.group} (order kept).
 */
export function historyGroups(h: History): Map<string, HistorySeries[]> {
  const groups = new Map<string, HistorySeries[]>();
  for (const s of h.series) {
    if (s.points.some((p) => p.median !== null)) {
      groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
    }
  }
  return groups;
}

/**
 * The chart of one group: x = sweep (category, labelled by commit and date), y = median
 * ms (log); a line per length, and the step changes as red triangles (slower) and green
 * diamonds (faster) at the later sweep.
 */
export function historyChart(h: History, group: string, series: HistorySeries[], i: number) {
  const datasets: DatasetSpec[] = series.map((s, j) => ({
    label: `N = ${fmtInt(s.seqLen)}`,
    role: "median",
    color: PALETTE[j % PALETTE.length],
    data: s.points.filter((p) => p.median !== null).map((p) => ({ x: p.sweep, y: p.median! })),
  }));
  for (const dir of ["slower", "faster"] as const) {
    const data = series.flatMap((s) =>
      s.steps.filter((t) => t.direction === dir).map((t) => ({ x: t.to, y: t.toMs }))
    );
    if (!data.length) continue;
    datasets.push({
      label: `step: ${dir}`,
      role: "step",
      color: dir === "slower" ? SLOWER : FASTER,
      pointStyle: dir === "slower" ? "triangle" : "rectRot",
      data,
    });
  }
  const spec: ChartSpec = {
    id: `history-${i}`,
    title: group,
    type: "line",
    x: { title: "sweep (commit, date)", name: "sweep", labels: h.sweeps.map((s) => s.label) },
    y: { title: "median time", log: true, format: "ms" },
    datasets,
    height: 320,
  };
  return spec;
}

function stepRows(h: History): { s: HistorySeries; t: HistoryStep }[] {
  return h.series.flatMap((s) => s.steps.map((t) => ({ s, t })));
}

/** Options of {@linkcode renderHistory}. */
export interface HistoryPageOptions {
  /** Chart.js UMD source to inline. Default: read from the `chart.js` npm package. */
  chartJs?: string;
  /** Time stamp printed in the footer. Default: now. */
  generatedAt?: Date;
}

/** The history page as one HTML document. */
export function renderHistory(h: History, options: HistoryPageOptions = {}): string {
  const title = `History of ${h.sweeps.length} sweeps`;
  const groups = [...historyGroups(h).entries()];
  const charts = groups.map(([g, s], i) => historyChart(h, g, s, i));
  const pct = `${fmtNum(h.threshold * 100)}%`;
  const steps = stepRows(h);
  const label = (i: number) => h.sweeps[i]?.label ?? String(i);
  const stepTable = steps.length
    ? html`
      <div class="table-wrap">
        <table class="sortable" id="steps-table">
          <thead>
            <tr>
              <th>case</th>
              <th>from sweep</th>
              <th>to sweep</th>
              <th>from median</th>
              <th>to median</th>
              <th>ratio</th>
              <th>change</th>
              <th>also changed</th>
            </tr>
          </thead>
          <tbody>${steps.map(({ s, t }) =>
            html`
              <tr class="step-${t.direction}">
                <td>${s.key}</td>
                <td>${label(t.from)}</td>
                <td>${label(t.to)}</td>
                <td class="num" data-v="${t.fromMs}">${fmtMs(t.fromMs)}</td>
                <td class="num" data-v="${t.toMs}">${fmtMs(t.toMs)}</td>
                <td class="num" data-v="${t.ratio}">${fmtRatio(t.ratio)}</td>
                <td>${t.direction}</td>
                <td>${t.changed.map((d) =>
                  html`<div><code>${d.field}</code> ${d.baseline} → ${d.candidate}</div>`
                )}</td>
              </tr>
            `
          )}</tbody>
        </table>
      </div>
    `
    : html`<p class="note">No step changes beyond the noise and ±${pct}.</p>`;
  const sweepTable = html`
    <div class="table-wrap">
      <table id="sweeps-table">
        <thead>
          <tr>
            <th>#</th>
            <th>label</th>
            <th>sweep</th>
            <th>ordered by</th>
            <th>file</th>
          </tr>
        </thead>
        <tbody>${h.sweeps.map((s, i) =>
          html`
            <tr>
              <td class="num">${i + 1}</td>
              <td>${s.label}</td>
              <td><code>${s.sweepId}</code></td>
              <td>${s.dateSource === "commit" ? "commit date" : "created"} ${s.date}</td>
              <td><code>${s.path}</code></td>
            </tr>
          `
        )}</tbody>
      </table>
    </div>
  `;
  const medians = html`
    <div class="table-wrap">
      <table class="sortable" id="medians-table">
        <thead>
          <tr><th>case</th>${h.sweeps.map((s) => html`<th>${s.label}</th>`)}</tr>
        </thead>
        <tbody>${h.series.map((s) => {
          const at = new Map(s.points.map((p) => [p.sweep, p]));
          return html`
            <tr>
              <td>${s.key}</td>${h.sweeps.map((_, i) => {
                const p = at.get(i);
                return html`<td class="num" data-v="${p?.median ?? ""}">${
                  p ? medianText(p.row) : "–"
                }</td>`;
              })}
            </tr>
          `;
        })}</tbody>
      </table>
    </div>
  `;
  const page = html`
    <!DOCTYPE html>
    <html lang="en">
      ${pageHead(title)}
      <body>
        <header>
          <h1>${title}</h1>
          <p
            class="meta">${h.sweeps[0]?.label ?? ""} … ${h.sweeps.at(-1)?.label ?? ""} · ${fmtInt(
              h.series.length,
            )} cases · a step is a change between consecutive sweeps where the medians' 95% CIs do not overlap and the ratio differs from ×1 by more than ${pct}</p>
          <nav><a href="#steps">Step changes</a><a href="#charts">Charts</a><a href="#sweeps">Sweeps</a><a href="#medians">Medians</a></nav>
        </header>
        <main>
          <section id="steps"><h2>Step changes (${steps.length})</h2>${stepTable}</section>
          <section id="charts"><h2>Median time per sweep</h2>${charts.map(chartBox)}</section>
          <section id="sweeps"><h2>Sweeps, in order</h2>${sweepTable}</section>
          <section id="medians"><h2>Medians [95% CI] per sweep</h2>${medians}</section>
        </main>
        <footer>Generated ${(options.generatedAt ?? new Date())
          .toISOString()} by <code>deno task report --history</code>. Self-contained: Chart.js and the data are inlined; the page makes no network requests.</footer>
        <script id="report-data" type="application/json">${new SafeHtml(
          jsonForScript({ charts }),
        )}</script>
        <script>${new SafeHtml(inlineScriptSource(options.chartJs ?? chartJsSource()))}</script>
        <script>${new SafeHtml(inlineScriptSource(CLIENT_SCRIPT))}</script>
      </body>
    </html>
  `;
  return page.value.trim() + "\n";
}

/** Writes `history.html` into `dir` (created if needed); returns its path. */
export async function writeHistory(
  h: History,
  dir: string,
  options: HistoryPageOptions = {},
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir.replace(/\/+$/, "")}/history.html`;
  await Deno.writeTextFile(path, renderHistory(h, options));
  return path;
}

/** The terminal summary: the sweeps in order, then the step changes (or that there are none). */
export function historyText(h: History): string {
  const pct = `${fmtNum(h.threshold * 100)}%`;
  const out = [
    `${h.sweeps.length} sweeps, ordered by commit date (else creation time):`,
    textTable(
      ["#", "label", "sweep", "file"],
      h.sweeps.map((s, i) => [String(i + 1), s.label, s.sweepId, s.path]),
      ["r"],
    ),
    "",
  ];
  const steps = stepRows(h);
  if (!steps.length) {
    out.push(`No step changes beyond noise and ±${pct} across ${h.series.length} cases.`);
    return out.join("\n");
  }
  out.push(
    `Step changes (${steps.length}; beyond noise = 95% CIs apart, and |ratio − 1| > ${pct}):`,
    textTable(
      ["case", "from", "to", "from median", "to median", "ratio", "change", "also changed"],
      steps.map(({ s, t }) => [
        s.key,
        `#${t.from + 1}`,
        `#${t.to + 1}`,
        fmtMs(t.fromMs),
        fmtMs(t.toMs),
        fmtRatio(t.ratio),
        t.direction,
        t.changed.map((d) => d.field).join(", "),
      ]),
      ["l", "r", "r", "r", "r", "r", "l", "l"],
    ),
  );
  return out.join("\n");
}
