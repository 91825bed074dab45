/**
 * The report's sections. A section is a function of the sweep (and its analysis) that
 * returns HTML and the charts it places, or `null` when it has nothing to show; the
 * page is the list {@linkcode DEFAULT_SECTIONS} in order. New kinds of results add a
 * section to the list, as training (issue 6) does (`training.ts`).
 *
 * Every string from the results goes through `html```, which escapes it.
 *
 * @module
 */

import type { CaseResult, SweepResults } from "../results.ts";
import { type Analysis, type Comparison, type LongestContext, modelName } from "./analysis.ts";
import {
  type ChartSpec,
  memoryChart,
  ratioChart,
  runtimeChart,
  scalingChart,
  scalingRows,
  timedRows,
  timelineChart,
  workerName,
} from "./charts.ts";
import { chartBox } from "./chart_box.ts";
import type { SweepComparison } from "./compare.ts";
import { compareSection } from "./compare_section.ts";
import { html, type SafeHtml } from "./escape.ts";
import { fmtBytes, fmtInt, fmtMs, fmtNum, fmtRatio } from "./format.ts";
import { PAPER_CAVEATS, PAPER_CLAIMS, PAPER_DEVICE, PAPER_FIG5, PAPER_LABEL } from "./paper.ts";
import { trainingSection } from "./training.ts";

export { chartBox };

/** What every section can read. */
export interface ReportContext {
  results: SweepResults;
  analysis: Analysis;
  /** The sweep given with `--compare`, and the comparison with it. */
  other: SweepResults | null;
  comparison: SweepComparison | null;
}

/** What a section produces. */
export interface SectionOutput {
  html: SafeHtml;
  /** Charts whose canvases (`chart-<id>`) the HTML contains. */
  charts?: ChartSpec[];
}

/** One section of the report. */
export interface ReportSection {
  /** Anchor id (also used in the navigation). */
  id: string;
  title: string;
  /** `null`: the section is left out (nothing to show). */
  render(ctx: ReportContext): SectionOutput | null;
}

function context(l: LongestContext): string {
  if (l.seqLen === null) return "none";
  return (l.limitFound ? "" : "≥ ") + fmtInt(l.seqLen);
}

/** The context ratio as text: `×4`, `≥ ×4` (a lower bound), or `–` (not measurable). */
function contextRatioText(c: Comparison): string {
  if (c.contextRatioKind === "unknown") return "–";
  return (c.contextRatioKind === "lower-bound" ? "≥ " : "") + fmtRatio(c.contextRatio);
}

const CONTEXT_NOTE: Record<Comparison["contextRatioKind"], string> = {
  "exact": "; both ran out of memory above these lengths",
  "lower-bound":
    "; SE(3)-Hyena did not run out of memory in this sweep, so the ratio is a lower bound",
  "unknown":
    "; the transformer did not run out of memory in this sweep, so the ratio is not measured",
};

function card(title: string, value: string, detail: SafeHtml | string, paper: string): SafeHtml {
  return html`
    <div class="card">
      <div class="card-title">${title}</div>
      <div class="card-value">${value}</div>
      <div class="card-detail">${detail}</div>
      <div class="card-paper"><span class="tag">${PAPER_LABEL}</span> ${paper}</div>
    </div>
  `;
}

/** A warning when an exponent rests on fewer than 3 lengths (two points fit any slope). */
function fewPoints(e: { points: number } | null | undefined): string {
  return e && e.points < 3 ? `, only ${e.points} lengths: a rough figure` : "";
}

function crossoverText(c: Comparison): string {
  switch (c.crossover.kind) {
    case "crossed":
      return `≈ ${fmtInt(c.crossover.length)} tokens`;
    case "always-faster":
      return `faster at every length (from ${fmtInt(c.points[0]?.seqLen)})`;
    case "never-faster":
      return `not reached (up to ${fmtInt(c.points.at(-1)?.seqLen)})`;
    case "faster-below":
      return `faster only below ≈ ${fmtInt(c.crossover.length)} tokens (slower above)`;
    default:
      return "no common length";
  }
}

/** Whether a sweep has training rows (their own section replaces the speed headline). */
function hasTrainRows(results: SweepResults): boolean {
  return results.results.some((r) => r.case?.pass === "train");
}

const headline: ReportSection = {
  id: "headline",
  title: "Headline",
  render({ analysis, results }) {
    const c = analysis.headline;
    if (!analysis.series.length && hasTrainRows(results)) return null; // a training-only sweep
    if (!c) {
      return {
        html: html`
          <p
            class="note">No length where both SE(3)-Hyena and the equivariant transformer ran (status ok, forward or backward): no ratios to show. See the full table below.</p>
        `,
      };
    }
    const L = c.largest;
    const where = html`${c.pass} pass, ${c.hyena.backend}, batch ${c.hyena.batch}${
      c.transformer.attention ? `, ${c.transformer.attention} attention` : ""
    }`;
    const metric = c.memoryMetric === "peakBytes"
      ? "framework peak"
      : c.memoryMetric === "rssPeakBytes"
      ? "process RSS peak"
      : c.memoryMetric === "deviceBytes"
      ? "device bytes"
      : "no memory figure";
    const cards = [
      card(
        `Speed-up at N = ${fmtInt(L?.seqLen)}`,
        fmtRatio(L?.speedup),
        html`${fmtMs(L?.transformerMs)} transformer vs ${fmtMs(L?.hyenaMs)} SE(3)-Hyena`,
        `×${PAPER_CLAIMS.speedup} at ${fmtInt(PAPER_CLAIMS.atSeqLen)}`,
      ),
      card(
        `Memory ratio at N = ${fmtInt(L?.seqLen)}`,
        fmtRatio(L?.memoryRatio),
        html`${fmtBytes(L?.transformerBytes)} vs ${fmtBytes(L?.hyenaBytes)} (${metric})`,
        `×${PAPER_CLAIMS.memoryRatio} at ${fmtInt(PAPER_CLAIMS.atSeqLen)}`,
      ),
      card(
        "Crossover length",
        crossoverText(c),
        "where SE(3)-Hyena becomes faster (log-log interpolation)",
        `≈ ${fmtInt(PAPER_CLAIMS.crossover)} tokens`,
      ),
      card(
        "Scaling exponent (time ∝ Nᵏ)",
        `${fmtNum(c.hyenaExponent?.exponent)} vs ${fmtNum(c.transformerExponent?.exponent)}`,
        html`SE(3)-Hyena (N ${fmtInt(c.hyenaExponent?.fromN)}–${fmtInt(c.hyenaExponent?.toN)}${
          fewPoints(c.hyenaExponent)
        }) vs transformer (N ${fmtInt(c.transformerExponent?.fromN)}–${
          fmtInt(c.transformerExponent?.toN)
        }${fewPoints(c.transformerExponent)}); upper half of the lengths`,
        "expected ≈ 1 (FFT convolution, N log N) vs ≈ 2 (attention)",
      ),
      card(
        "Longest context within the memory budget",
        contextRatioText(c),
        html`SE(3)-Hyena ${context(c.longestHyena)} vs transformer ${
          context(c.longestTransformer)
        } tokens${CONTEXT_NOTE[c.contextRatioKind]}`,
        `×${PAPER_CLAIMS.contextRatio} (${fmtInt(PAPER_CLAIMS.hyenaContext)} vs ${
          fmtInt(PAPER_CLAIMS.transformerContext)
        })`,
      ),
    ];
    const rows = analysis.comparisons.map((k) =>
      html`
        <tr>
          <td>${k.pass}</td>
          <td>${k.transformer.label}</td>
          <td class="num">${fmtInt(k.largest?.seqLen)}</td>
          <td class="num">${fmtRatio(k.largest?.speedup)}</td>
          <td class="num">${fmtRatio(k.largest?.memoryRatio)}</td>
          <td>${crossoverText(k)}</td>
          <td class="num">${fmtNum(k.hyenaExponent?.exponent)}</td>
          <td class="num">${fmtNum(k.transformerExponent?.exponent)}</td>
          <td class="num">${context(k.longestHyena)}</td>
          <td class="num">${context(k.longestTransformer)}</td>
          <td class="num">${contextRatioText(k)}</td>
        </tr>
      `
    );
    return {
      html: html`
        <p
          class="lead">SE(3)-Hyena against the equivariant transformer, ${where}. Ours are measured here; the grey tags are the paper's claims on an ${PAPER_DEVICE} GPU, for reference only (different hardware and framework).</p>
        <div class="cards">${cards}</div>
        <h3>Every pass</h3>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>pass</th>
                <th>baseline</th>
                <th>largest common N</th>
                <th>speed-up</th>
                <th>memory ratio</th>
                <th>crossover</th>
                <th>exponent SE(3)-Hyena</th>
                <th>exponent transformer</th>
                <th>longest SE(3)-Hyena</th>
                <th>longest transformer</th>
                <th>context ratio</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
      `,
    };
  },
};

const runtime: ReportSection = {
  id: "runtime",
  title: "Runtime",
  render({ analysis }) {
    if (!analysis.series.length) return null;
    const spec = runtimeChart(analysis);
    return {
      html:
        html`<p>Median time of one pass per length (lines), p10–p90 of the timed repeats (bands); forward solid, backward dashed. Grey: ${PAPER_LABEL}, forward pass, one layer each.</p>${
          chartBox(spec)
        }`,
      charts: [spec],
    };
  },
};

const memory: ReportSection = {
  id: "memory",
  title: "Memory",
  render({ analysis }) {
    const specs = ["forward", "backward"].map((p) => memoryChart(analysis, p))
      .filter((s): s is ChartSpec => s !== null);
    if (!specs.length) return null;
    const budgets = Object.entries(analysis.budgets).map(([b, v]) =>
      html`<span>${b}: <b>${fmtBytes(v)}</b></span>`
    );
    return {
      html:
        html`<p>Which figure is which: <b>framework peak</b> (solid) is TensorFlow.js's own peak of live tensor bytes (<code>tf.profile().peakBytes</code>), from an untimed run separate from the timed ones; <b>process RSS peak</b> (dashed) is the peak resident set size of the case's process (runtime, code and heaps included); <b>device bytes</b> (dotted), where present, are WebGPU buffer bytes, nvidia-smi's per-process figure, or the wasm heap size. Memory ratios use the framework peak where both models have it. Red dashed line: the memory budget; ✕: lengths that ran out of memory (drawn on the budget line). Grey: ${PAPER_LABEL}, total GPU memory (GB = 10⁹ bytes).</p>${
          budgets.length ? html`<p class="budgets">Memory budget: ${budgets}</p>` : ""
        }${specs.map(chartBox)}`,
      charts: specs,
    };
  },
};

const ratios: ReportSection = {
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

const paper: ReportSection = {
  id: "paper",
  title: `The paper's Figure 5 (${PAPER_DEVICE})`,
  render({ analysis, results }) {
    if (!analysis.series.length && hasTrainRows(results)) return null; // a training-only sweep
    const rows = PAPER_FIG5.map((r) =>
      html`
        <tr>
          <td class="num">${fmtInt(r.seqLen)}</td>
          <td class="num">${r.transformerMs}</td>
          <td class="num">${r.hyenaMs}</td>
          <td class="num">${fmtRatio(r.speedup)}</td>
          <td class="num">${r.transformerGB}</td>
          <td class="num">${r.hyenaGB}</td>
          <td class="num">${fmtRatio(r.memoryRatio)}</td>
        </tr>
      `
    );
    return {
      html: html`
        <p>Moskalev et al., “SE(3)-Hyena Operator for Scalable Equivariant Learning” (PMLR 251, arXiv 2407.01049), Figure 5: one layer each, forward pass, ${PAPER_DEVICE}, CUDA 12.2; values read from the plot.</p>
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

interface WorkerStats {
  name: string;
  device: string;
  backend: string;
  cases: number;
  ok: number;
  busyMs: number;
  firstStart: number;
  lastEnd: number;
}

/** Total length of the union of intervals (overlapping cases count once). */
export function unionLength(intervals: readonly [number, number][]): number {
  const sorted = [...intervals].sort((x, y) => x[0] - y[0]);
  let total = 0, end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

function workerStats(rows: readonly CaseResult[]): WorkerStats[] {
  const by = new Map<string, WorkerStats>();
  const intervals = new Map<string, [number, number][]>();
  for (const r of rows) {
    const name = workerName(r);
    const s = by.get(name) ?? {
      name,
      device: String(r.worker?.device ?? ""),
      backend: String(r.worker?.backend ?? ""),
      cases: 0,
      ok: 0,
      busyMs: 0,
      firstStart: Infinity,
      lastEnd: -Infinity,
    };
    s.cases++;
    if (r.status === "ok") s.ok++;
    const a = Date.parse(String(r.startedAt ?? "")), b = Date.parse(String(r.finishedAt ?? ""));
    if (Number.isFinite(a) && Number.isFinite(b) && b >= a) {
      intervals.set(name, [...(intervals.get(name) ?? []), [a, b]]);
      s.firstStart = Math.min(s.firstStart, a);
      s.lastEnd = Math.max(s.lastEnd, b);
    }
    by.set(name, s);
  }
  for (const s of by.values()) s.busyMs = unionLength(intervals.get(s.name) ?? []);
  return [...by.values()];
}

function plainValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

const workers: ReportSection = {
  id: "workers",
  title: "Workers, timeline and throughput",
  render({ results }) {
    const stats = workerStats(results.results);
    if (!stats.length) return null;
    const timeline = timelineChart(results);
    const scaling = scalingChart(results);
    const timed = timedRows(results);
    const span = timed.length
      ? Math.max(...timed.map((r) => Date.parse(String(r.finishedAt)))) -
        Math.min(...timed.map((r) => Date.parse(String(r.startedAt))))
      : null;
    const rows = stats.map((s) => {
      const spanMs = s.lastEnd - s.firstStart;
      const perMin = spanMs > 0 ? s.cases / (spanMs / 60000) : null;
      return html`
        <tr>
          <td>${s.name}</td>
          <td>${s.device}</td>
          <td>${s.backend}</td>
          <td class="num">${s.cases}</td>
          <td class="num">${s.ok}</td>
          <td class="num" data-v="${s.busyMs}">${fmtMs(s.busyMs)}</td>
          <td class="num">${spanMs > 0 ? fmtMs(spanMs) : "–"}</td>
          <td class="num">${spanMs > 0 ? fmtNum((100 * s.busyMs) / spanMs) + " %" : "–"}</td>
          <td class="num">${fmtNum(perMin)}</td>
        </tr>
      `;
    });
    const announced = Array.isArray(results.workers) ? results.workers : [];
    const announcedKeys = [
      ...new Set(announced.flatMap((w) => w && typeof w === "object" ? Object.keys(w) : [])),
    ];
    const srows = scalingRows(results);
    return {
      html: html`
        <div class="table-wrap">
          <table class="sortable">
            <thead>
              <tr>
                <th>worker</th>
                <th>device</th>
                <th>backend</th>
                <th>cases</th>
                <th>ok</th>
                <th>busy</th>
                <th>span</th>
                <th>utilisation</th>
                <th>cases / min</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
        ${span !== null
          ? html`<p>Sweep makespan (first start to last finish): ${
            fmtMs(span)
          }; overall throughput ${fmtNum(timed.length / (span / 60000))} cases / min.</p>`
          : html`<p class="note">No case carries startedAt/finishedAt: no timeline.</p>`}${chartBox(
            timeline,
          )}${announcedKeys.length
          ? html`
            <h3>Workers announced</h3>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>${announcedKeys.map((k) => html`<th>${k}</th>`)}</tr>
                </thead>
                <tbody>${announced.map((w) =>
                  html`<tr>${
                    announcedKeys.map((k) =>
                      html`<td>${plainValue((w as Record<string, unknown>)?.[k])}</td>`
                    )
                  }</tr>`
                )}</tbody>
              </table>
            </div>
          `
          : ""}${srows.length
          ? html`
            <h3>Scaling</h3><div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>workers</th>
                    <th>makespan</th>
                    <th>cases / min</th>
                    <th>efficiency</th>
                  </tr>
                </thead>
                <tbody>${srows.map((r) =>
                  html`
                    <tr>
                      <td class="num">${r.workers}</td>
                      <td class="num">${fmtMs(r.makespanMs)}</td>
                      <td class="num">${fmtNum(r.throughputCasesPerMin)}</td>
                      <td class="num">${fmtNum(100 * r.efficiency)} %</td>
                    </tr>
                  `
                )}</tbody>
              </table>
            </div>${chartBox(scaling)}
          `
          : ""}
      `,
      charts: [timeline, srows.length ? scaling : null].filter((c): c is ChartSpec => c !== null),
    };
  },
};

const environment: ReportSection = {
  id: "environment",
  title: "Environment and versions",
  render({ results }) {
    const env = (results.environment ?? {}) as Record<string, unknown>;
    const fmt = (k: string, v: unknown) =>
      k === "memoryBytes" && typeof v === "number" ? fmtBytes(v) : plainValue(v);
    const rows = Object.entries(env).map(([k, v]) =>
      html`
        <tr>
          <th scope="row">${k}</th>
          <td>${fmt(k, v)}</td>
        </tr>
      `
    );
    const top = Object.entries(results).filter(([k, v]) =>
      !["results", "environment", "workers", "scaling"].includes(k) && typeof v !== "object"
    ).map(([k, v]) =>
      html`
        <tr>
          <th scope="row">${k}</th>
          <td>${plainValue(v)}</td>
        </tr>
      `
    );
    return {
      html: html`
        <div class="table-wrap">
          <table class="kv">
            <tbody>${top}${rows}</tbody>
          </table>
        </div>
      `,
    };
  },
};

const STATUS_ORDER = ["ok", "oom", "timeout", "error", "failed"];

const table: ReportSection = {
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

/** The sections of a report, in page order. */
export const DEFAULT_SECTIONS: readonly ReportSection[] = [
  headline,
  runtime,
  memory,
  ratios,
  paper,
  trainingSection,
  workers,
  compareSection,
  environment,
  table,
];
