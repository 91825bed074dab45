/**
 * The HTML report of a sweep: one self-contained `index.html` (Chart.js and the data
 * inlined, no network requests), with `results.csv` (and `results.json`) beside it.
 *
 * @example
 * ```ts
 * const path = await writeReport(results, "reports/my-sweep");
 * ```
 *
 * @module
 */

import { CASE_STATUSES, type SweepResults } from "../results.ts";
import { analyse, modelName } from "./analysis.ts";
import type { ChartSpec } from "./charts.ts";
import { chartJsSource } from "./chartjs.ts";
import { CLIENT_SCRIPT } from "./client.ts";
import { compareSweeps } from "./compare.ts";
import { toCsv } from "./csv.ts";
import { ranSummary } from "./ran.ts";
import { html, inlineScriptSource, jsonForScript, SafeHtml } from "./escape.ts";
import { fmtInt } from "./format.ts";
import { DEFAULT_SECTIONS, type ReportContext, type ReportSection } from "./sections.ts";
import { pageHead } from "./page_head.ts";

/** Options of {@linkcode renderReport} and {@linkcode writeReport}. */
export interface RenderOptions {
  /** A second sweep to compare with (the report gets a comparison section). Default none. */
  compare?: SweepResults | null;
  /** Page title. Default {@linkcode defaultTitle}. */
  title?: string;
  /** Sections, in order. Default {@linkcode DEFAULT_SECTIONS}. */
  sections?: readonly ReportSection[];
  /** Chart.js UMD source to inline. Default: read from the `chart.js` npm package. */
  chartJs?: string;
  /** Time stamp printed in the footer. Default: now. */
  generatedAt?: Date;
}

/** Options of {@linkcode writeReport}. */
export interface WriteOptions extends RenderOptions {
  /** Overwrite an existing `results.csv`. Default false (written only if absent). */
  overwriteCsv?: boolean;
}

/**
 * The rows by status, in the order of {@linkcode CASE_STATUSES} (unknown ones last):
 * `29 ok, 3 oom, 12 skipped`. Cases never run (`skipped`) are not counted as `oom`.
 */
export function statusCounts(results: SweepResults): string {
  const counts = new Map<string, number>();
  for (const r of results.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const rank = (s: string) => {
    const i = (CASE_STATUSES as readonly string[]).indexOf(s);
    return i < 0 ? CASE_STATUSES.length : i;
  };
  return [...counts.entries()].sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([s, n]) => `${n} ${s}`).join(", ");
}

/**
 * The page title from what the sweep holds: `Sweep <id>: SE(3)-Hyena vs equivariant
 * transformer` for the two models' speed sweeps; `Sweep <id>: training, 4 models
 * (SE(3)-Hyena, …)` where every row trains; else the models listed.
 */
export function defaultTitle(sweep: SweepResults): string {
  const rows = Array.isArray(sweep.results) ? sweep.results : [];
  const models = [...new Set(rows.map((r) => String(r.case?.model)))];
  const names = models.map(modelName);
  const training = rows.length > 0 && rows.every((r) => r.case?.pass === "train");
  const what = training
    ? `training, ${models.length} model${models.length === 1 ? "" : "s"} (${names.join(", ")})`
    : names.length === 2
    ? names.join(" vs ")
    : names.join(", ");
  return `Sweep ${sweep.sweepId}: ${what || "no results"}`;
}

/**
 * Renders the report of a sweep as one HTML document (a string). Pure apart from
 * reading Chart.js from the npm package when `options.chartJs` is not given.
 */
export function renderReport(results: SweepResults, options: RenderOptions = {}): string {
  const rows = Array.isArray(results.results) ? results.results : [];
  const sweep: SweepResults = { ...results, results: rows };
  const other = options.compare ?? null;
  const ctx: ReportContext = {
    results: sweep,
    analysis: analyse(sweep),
    other,
    comparison: other ? compareSweeps(sweep, other) : null,
  };
  const title = options.title ?? defaultTitle(sweep);
  const charts: ChartSpec[] = [];
  const parts: { id: string; title: string; body: SafeHtml }[] = [];
  for (const section of options.sections ?? DEFAULT_SECTIONS) {
    const out = section.render(ctx);
    if (!out) continue;
    charts.push(...(out.charts ?? []));
    parts.push({ id: section.id, title: section.title, body: out.html });
  }
  const chartJs = inlineScriptSource(options.chartJs ?? chartJsSource());
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const env = sweep.environment ?? ({} as SweepResults["environment"]);
  const page = html`
    <!DOCTYPE html>
    <html lang="en">
      ${pageHead(title)}
      <body>
        <header>
          <h1>${title}</h1>
          <p
            class="meta">created ${sweep.createdAt}${sweep.preset
              ? html`
                · preset <b>${sweep.preset}</b>
              `
              : ""} · ${fmtInt(rows.length)} results (${statusCounts(sweep)}) · host ${env
              .host} · tfjs ${env.tfjs} · Deno ${env.deno}${env.gitCommit
              ? html`
                · commit <code>${String(env.gitCommit).slice(0, 12)}</code>${env.gitDirty === true
                  ? " with uncommitted changes"
                  : ""}
              `
              : ""}</p>
          <p class="meta">ran: ${ranSummary(sweep)}</p>
          <nav>${parts.map((p) => html`<a href="#${p.id}">${p.title}</a>`)}</nav>
        </header>
        <main>
    ${parts.map((p) => html`<section id="${p.id}"><h2>${p.title}</h2>${p.body}</section>\n`)}
        </main>
        <footer>Generated ${generated} by <code>deno task report</code>. Self-contained: Chart.js and the data are inlined; the page makes no network requests. Data: <code>results.json</code> and <code>results.csv</code> beside this file.</footer>
        <script id="report-data" type="application/json">${new SafeHtml(
          jsonForScript({ sweepId: sweep.sweepId, charts }),
        )}</script>
        <script>${new SafeHtml(chartJs)}</script>
        <script>${new SafeHtml(inlineScriptSource(CLIENT_SCRIPT))}</script>
      </body>
    </html>
  `;
  return page.value.trim() + "\n";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Writes `index.html` into `dir` (created if needed), plus `results.csv` and
 * `results.json` when they are absent there; returns the path of `index.html`.
 */
export async function writeReport(
  results: SweepResults,
  dir: string,
  options: WriteOptions = {},
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const index = `${dir.replace(/\/+$/, "")}/index.html`;
  await Deno.writeTextFile(index, renderReport(results, options));
  const csv = `${dir.replace(/\/+$/, "")}/results.csv`;
  if (options.overwriteCsv || !(await exists(csv))) await Deno.writeTextFile(csv, toCsv(results));
  const json = `${dir.replace(/\/+$/, "")}/results.json`;
  if (!(await exists(json))) {
    await Deno.writeTextFile(json, JSON.stringify(results, null, 2) + "\n");
  }
  return index;
}
