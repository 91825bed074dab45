/**
 * The headline: SE(3)-Hyena against the equivariant transformer in a few cards, and a row
 * per pass.
 *
 * @module
 */

import type { Comparison, LongestContext } from "../analysis.ts";
import { html, type SafeHtml } from "../escape.ts";
import { fmtBytes, fmtInt, fmtMs, fmtNum, fmtRatio } from "../format.ts";
import { PAPER_CLAIMS, PAPER_DEVICE, PAPER_LABEL } from "../paper.ts";
import { hasTrainRows } from "./common.ts";
import type { ReportSection } from "./types.ts";

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

/** The section. */
export const headlineSection: ReportSection = {
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
