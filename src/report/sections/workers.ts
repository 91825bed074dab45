/**
 * Workers, timeline and throughput of a (distributed) sweep.
 *
 * @module
 */

import type { CaseResult } from "../../results.ts";
import {
  type ChartSpec,
  scalingChart,
  scalingRows,
  timedRows,
  timelineChart,
  workerName,
} from "../charts.ts";
import { chartBox } from "../chart_box.ts";
import { html } from "../escape.ts";
import { fmtMs, fmtNum } from "../format.ts";
import { fieldValue } from "./common.ts";
import type { ReportSection } from "./types.ts";

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

/** The section. */
export const workersSection: ReportSection = {
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
                      html`<td>${fieldValue(k, (w as Record<string, unknown>)?.[k])}</td>`
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
