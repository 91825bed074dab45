/**
 * Inline SVG drawings of one case's timed samples, for the report's drill-down: a strip
 * plot (each sample a dot along the time axis, the median and its ~95% CI marked) and the
 * samples in the order they were taken (drift, warm-up or a noisy neighbour show as a
 * trend). Static markup: no script, so it works in any viewer.
 *
 * @module
 */

import { html, type SafeHtml } from "./escape.ts";
import { fmtMs } from "./format.ts";

const W = 480, H = 110, PAD = { l: 64, r: 12, t: 10, b: 22 };

/** The scale of the time axis: a little wider than the samples and the CI. */
function extent(values: readonly number[]): [number, number] {
  const lo = Math.min(...values), hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.max(Math.abs(lo) * 0.05, 1e-3);
  return [lo - pad, hi + pad];
}

const f1 = (x: number) => Number(x.toFixed(1));

/** Strip plot: samples along x (time), jittered in y; median line and CI band. */
export function stripSvg(
  samples: readonly number[],
  median: number,
  ci: [number, number] | null,
): SafeHtml {
  const [lo, hi] = extent([...samples, median, ...(ci ?? [])]);
  const x = (v: number) => f1(PAD.l + ((v - lo) / (hi - lo)) * (W - PAD.l - PAD.r));
  const mid = (H - PAD.b + PAD.t) / 2;
  // Deterministic jitter (golden-ratio sequence), so re-rendering gives the same page.
  const y = (i: number) => f1(mid + (((i * 0.6180339887) % 1) - 0.5) * (H - PAD.t - PAD.b) * 0.8);
  return html`
    <svg class="samples" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"
      role="img"
      aria-label="samples (strip plot)">${ci
        ? html`
          <rect class="ci" x="${x(ci[0])}" y="${PAD.t}" width="${f1(
            x(ci[1]) - x(ci[0]),
          )}" height="${H - PAD.t - PAD.b}" />
        `
        : ""}<line class="median" x1="${x(median)}" x2="${x(median)}" y1="${PAD.t}" y2="${H -
        PAD.b}"/>${samples.map((s, i) =>
          html`
            <circle cx="${x(s)}" cy="${y(i)}" r="3" />
          `
        )}<text x="${PAD.l}" y="${H - 6}">${fmtMs(lo)}</text><text x="${W - PAD.r}" y="${H -
        6}" text-anchor="end">${fmtMs(hi)}</text><text x="4" y="${mid + 4}">strip</text></svg>
  `;
}

/** Samples in the order taken: index along x, time along y; median line and CI band. */
export function orderSvg(
  samples: readonly number[],
  median: number,
  ci: [number, number] | null,
): SafeHtml {
  const [lo, hi] = extent([...samples, median, ...(ci ?? [])]);
  const n = samples.length;
  const x = (i: number) => f1(PAD.l + (n > 1 ? i / (n - 1) : 0.5) * (W - PAD.l - PAD.r));
  const y = (v: number) => f1(H - PAD.b - ((v - lo) / (hi - lo)) * (H - PAD.t - PAD.b));
  return html`
    <svg class="samples" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"
      role="img"
      aria-label="samples in the order taken">${ci
        ? html`
          <rect class="ci" x="${PAD.l}" y="${y(ci[1])}" width="${W - PAD.l - PAD.r}" height="${f1(
            y(ci[0]) - y(ci[1]),
          )}" />
        `
        : ""}<line class="median" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(median)}" y2="${y(
          median,
        )}"/><polyline points="${samples.map((s, i) => `${x(i)},${y(s)}`).join(" ")}"/>${samples
        .map((s, i) =>
          html`
            <circle cx="${x(i)}" cy="${y(s)}" r="2.5" />
          `
        )}<text x="${PAD.l - 4}" y="${PAD.t + 8}" text-anchor="end">${fmtMs(
          hi,
        )}</text><text x="${PAD.l - 4}" y="${H - PAD.b}" text-anchor="end">${fmtMs(
          lo,
        )}</text><text x="${PAD.l}" y="${H - 6}">1st</text><text x="${W - PAD.r}" y="${H -
        6}" text-anchor="end">${n}th sample</text></svg>
  `;
}
