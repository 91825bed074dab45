/**
 * The headline: SE(3)-Hyena against the equivariant transformer in a few cards, and a row
 * per pass. Every figure comes from `../claims.ts`, which states only what the data holds
 * (enough lengths, brackets, noise); the paper's figures are compared at the paper's N.
 *
 * @module
 */

import { type Comparison, type MemoryMetric, platformName } from "../analysis.ts";
import {
  atLength,
  type Claims,
  claimsOf,
  commonLengths,
  type ContextBracket,
  type CrossoverClaim,
  type ExponentClaim,
  MEMORY_METRICS,
  type MemoryRatios,
  memoryRatios,
  MIN_LENGTHS,
} from "../claims.ts";
import { counterparts } from "../frameworks.ts";
import { html, type SafeHtml } from "../escape.ts";
import { fmtBytes, fmtInt, fmtMs, fmtNum, fmtRatio } from "../format.ts";
import { PAPER_CLAIMS, PAPER_DEVICE, PAPER_LABEL } from "../paper.ts";
import { hasTrainRows } from "./common.ts";
import type { ReportSection } from "./types.ts";

/** Display names of the memory figures. */
export const METRIC_NAME: Record<MemoryMetric, string> = {
  peakBytes: "framework peak",
  rssPeakBytes: "process RSS",
  deviceBytes: "device memory",
};

/** A bracket `[last ok, first failure)` as text: `[2,866, 5,721)`, `≥ 524,288`, `none`. */
export function bracketText(b: ContextBracket): string {
  if (b.lastOk === null) return b.firstFailure === null ? "none" : `< ${fmtInt(b.firstFailure)}`;
  if (b.firstFailure === null) return `≥ ${fmtInt(b.lastOk)}`;
  return `[${fmtInt(b.lastOk)}, ${fmtInt(b.firstFailure)})`;
}

/** The guaranteed context ratio: `×16` (closed), `≥ ×92` (open above), `–` (unknown). */
export function contextRatioText(c: Claims): string {
  const r = c.contextRatio;
  if (r.kind === "unknown") return "–";
  return (r.kind === "at-least" ? "≥ " : "") + fmtRatio(r.low);
}

function contextDetail(c: Claims): string {
  const r = c.contextRatio;
  const brackets = `SE(3)-Hyena ${bracketText(c.hyenaContext)} vs transformer ${
    bracketText(c.transformerContext)
  } tokens ([last ok, first failure))`;
  if (r.kind === "unknown") {
    return `${brackets}; the transformer did not fail in this sweep, so no ratio is guaranteed`;
  }
  const how = `SE(3)-Hyena's last ok over the transformer's first failure`;
  return r.kind === "bounded"
    ? `${brackets}; guaranteed: ${how}; at most ${fmtRatio(r.high)}`
    : `${brackets}; guaranteed: ${how}; SE(3)-Hyena did not fail, so the ratio is open above`;
}

/** An exponent with its 95% CI, or why there is none. */
export function exponentText(e: ExponentClaim): string {
  return e.kind === "fit"
    ? `${fmtNum(e.exponent)} [${fmtNum(e.ci95[0])}, ${fmtNum(e.ci95[1])}]`
    : `not enough lengths (${e.points})`;
}

function exponentDetail(name: string, e: ExponentClaim): string {
  return e.kind === "fit"
    ? `${name}: N ${fmtInt(e.fromN)}–${fmtInt(e.toN)}, ${e.points} lengths, R² ${fmtNum(e.r2, 4)}`
    : `${name}: ${e.points} lengths ran ok, an exponent needs ${MIN_LENGTHS}`;
}

/** The crossover claim as a card value: a short figure and what it means. */
export function crossoverValue(c: CrossoverClaim): CardValue {
  switch (c.kind) {
    case "bracketed":
      return { value: `${fmtInt(c.low)}–${fmtInt(c.high)}`, sub: "tokens (bracket)" };
    case "hyena-faster":
      return {
        value: `below ${fmtInt(c.low)}`,
        sub: `if anywhere: SE(3)-Hyena is faster from ${fmtInt(c.low)} on, never slower`,
      };
    case "not-reached":
      return { value: `> ${fmtInt(c.high)}`, sub: "not reached: the transformer is faster there" };
    case "within-noise":
      return { value: "–", sub: "not established (within noise)" };
    default:
      return { value: "–", sub: `not enough common lengths (${c.lengths})` };
  }
}

/** Both exponents as a card value: `1.02 vs 1.92`, CIs (or why none) under it. */
export function exponentsValue(h: ExponentClaim, t: ExponentClaim): CardValue {
  const v = (e: ExponentClaim) => e.kind === "fit" ? fmtNum(e.exponent) : "–";
  const ci = (e: ExponentClaim) =>
    e.kind === "fit"
      ? `[${fmtNum(e.ci95[0])}, ${fmtNum(e.ci95[1])}]`
      : `not enough lengths (${e.points})`;
  return { value: `${v(h)} vs ${v(t)}`, sub: `95% CI ${ci(h)} vs ${ci(t)}` };
}

/** The crossover claim as text. */
export function crossoverText(c: CrossoverClaim): string {
  switch (c.kind) {
    case "bracketed":
      return `between ${fmtInt(c.low)} and ${fmtInt(c.high)} tokens`;
    case "hyena-faster":
      return `faster from ${fmtInt(c.low)} (never slower beyond noise)`;
    case "not-reached":
      return `not reached (slower at ${fmtInt(c.high)})`;
    case "within-noise":
      return "not established (within noise)";
    default:
      return `not enough common lengths (${c.lengths})`;
  }
}

function crossoverDetail(c: CrossoverClaim): string {
  const noise = "faster or slower only where the two medians' ~95% CIs do not overlap";
  switch (c.kind) {
    case "bracketed":
      return `the transformer is faster at ${fmtInt(c.low)}, SE(3)-Hyena at ${
        fmtInt(c.high)
      } and above (${noise}); log-log interpolation ≈ ${fmtInt(c.estimate)}`;
    case "insufficient":
      return `a crossover needs ${MIN_LENGTHS} lengths where both models ran`;
    default:
      return `over ${c.lengths} common lengths (${noise})`;
  }
}

function memoryDetail(c: Comparison, m: MemoryRatios): SafeHtml {
  const L = c.largest;
  const h = c.hyena.points.find((p) => p.seqLen === L?.seqLen);
  const t = c.transformer.points.find((p) => p.seqLen === L?.seqLen);
  const parts = MEMORY_METRICS.filter((k) => m[k] !== null).map((k) =>
    `${METRIC_NAME[k]} ${fmtRatio(m[k])} (${fmtBytes(t?.[k])} vs ${fmtBytes(h?.[k])})`
  );
  return html`${parts.join("; ") || "no memory figure for both models"}`;
}

/** The total-memory ratio (device memory, else process RSS), comparable to the paper's. */
function totalMemory(m: MemoryRatios | null): { metric: MemoryMetric; ratio: number } | null {
  for (const k of ["deviceBytes", "rssPeakBytes", "peakBytes"] as const) {
    if (m?.[k] != null) return { metric: k, ratio: m[k]! };
  }
  return null;
}

/** A card's value: the figure, and under it in small type what the figure is. */
interface CardValue {
  value: string;
  sub?: string;
}

function card(
  title: string,
  { value, sub }: CardValue,
  detail: SafeHtml | string,
  paper: string,
  others: readonly OtherFigure[] = [],
): SafeHtml {
  return html`
    <div class="card">
      <div class="card-title">${title}</div>
      <div class="card-value">${value}</div>${sub ? html`<div class="card-sub">${sub}</div>` : ""}
      <div class="card-detail">${detail}</div>${others.map((o) =>
        html`
          <div class="card-other"><span class="tag">${o.name}</span> ${o.text}</div>
        `
      )}
      <div class="card-paper"><span class="tag">${PAPER_LABEL}</span> ${paper}</div>
    </div>
  `;
}

/** The same figure in another framework, shown beside the headline's own. */
export interface OtherFigure {
  /** The framework and device, e.g. `PyTorch cpu`. */
  name: string;
  text: string;
}

/** The total-memory ratio of a comparison at length `n` (null: not both ran there). */
function totalMemoryAt(c: Comparison, n: number | undefined) {
  const at = commonLengths(c.hyena, c.transformer).find((x) => x.seqLen === n);
  return at ? totalMemory(memoryRatios(at.hyena, at.transformer)) : null;
}

/**
 * The headline's figures in the other frameworks: for each comparison of the same case in
 * another framework ({@linkcode counterparts}), its speed-up and memory ratio at the
 * headline's length (else where it was measured), crossover, exponents and context ratio.
 * Each figure is computed within that framework.
 */
export function otherFigures(
  others: readonly Comparison[],
  n: number | undefined,
): Record<"speedup" | "memory" | "crossover" | "exponent" | "context", OtherFigure[]> {
  const out = { speedup: [], memory: [], crossover: [], exponent: [], context: [] } as Record<
    "speedup" | "memory" | "crossover" | "exponent" | "context",
    OtherFigure[]
  >;
  for (const o of others) {
    const name = platformName(o.hyena.platform);
    const k = claimsOf(o);
    const at = o.points.find((p) => p.seqLen === n && p.speedup !== null);
    out.speedup.push({
      name,
      text: at
        ? `${fmtRatio(at.speedup)} at N = ${fmtInt(n)}`
        : o.largest
        ? `not measured at ${fmtInt(n)}; ${fmtRatio(o.largest.speedup)} at N = ${
          fmtInt(o.largest.seqLen)
        }`
        : "no length where both ran",
    });
    const mem = totalMemoryAt(o, n);
    out.memory.push({
      name,
      text: mem
        ? `${fmtRatio(mem.ratio)} (${METRIC_NAME[mem.metric]})`
        : `not measured at ${fmtInt(n)}`,
    });
    // Beside another framework's tag, say whose the ordering is.
    const who = k.crossover.kind === "hyena-faster" || k.crossover.kind === "not-reached"
      ? "SE(3)-Hyena "
      : "";
    out.crossover.push({ name, text: who + crossoverText(k.crossover) });
    const e = exponentsValue(k.hyenaExponent, k.transformerExponent);
    out.exponent.push({ name, text: `${e.value} (${e.sub})` });
    out.context.push({
      name,
      text: `${contextRatioText(k)} (SE(3)-Hyena ${bracketText(k.hyenaContext)} vs transformer ${
        bracketText(k.transformerContext)
      })`,
    });
  }
  return out;
}

/** Ours at the paper's N, as the paper card's second half. */
function oursAtPaperN(value: number | null, what: string): string {
  const n = fmtInt(PAPER_CLAIMS.atSeqLen);
  return value === null
    ? `; ours: not measured at ${n}`
    : `; ours at ${n}: ${fmtRatio(value)} (${what}, interpolated in log-log)`;
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
    const k = claimsOf(c);
    const L = c.largest;
    const many = analysis.platforms.length > 1;
    const framework = many ? `${platformName(c.hyena.platform)}, ` : "";
    const backend = c.hyena.framework === "tfjs" ? `${c.hyena.backend}, ` : "";
    const where = html`${c.pass} pass, ${framework}${backend}batch ${c.hyena.batch}${
      c.transformer.attention ? `, ${c.transformer.attention} attention` : ""
    }${c.hyena.checkpoint ? ", checkpointed" : ""}`;
    const other = otherFigures(counterparts(analysis, c), L?.seqLen);
    const at = atLength(c, PAPER_CLAIMS.atSeqLen);
    const atLargest = commonLengths(c.hyena, c.transformer).find((x) => x.seqLen === L?.seqLen);
    const total = totalMemory(k.memory);
    const cards = [
      card(
        `Speed-up at N = ${fmtInt(L?.seqLen)}`,
        {
          value: fmtRatio(L?.speedup),
          sub: `transformer time ÷ SE(3)-Hyena time${
            atLargest?.ordering === "within-noise" ? "; within noise (the CIs overlap)" : ""
          }`,
        },
        html`${fmtMs(L?.transformerMs)} transformer vs ${
          fmtMs(L?.hyenaMs)
        } SE(3)-Hyena (the largest length both ran)`,
        `×${PAPER_CLAIMS.speedup} at ${fmtInt(PAPER_CLAIMS.atSeqLen)}${
          oursAtPaperN(at.speedup, "speed-up")
        }`,
        other.speedup,
      ),
      card(
        `Memory ratio at N = ${fmtInt(L?.seqLen)}`,
        total ? { value: fmtRatio(total.ratio), sub: METRIC_NAME[total.metric] } : { value: "–" },
        k.memory ? memoryDetail(c, k.memory) : "no memory figure",
        `×${PAPER_CLAIMS.memoryRatio} total GPU memory at ${fmtInt(PAPER_CLAIMS.atSeqLen)}${
          oursAtPaperN(at.memoryRatio, at.memoryMetric ? METRIC_NAME[at.memoryMetric] : "")
        }`,
        other.memory,
      ),
      card(
        "Crossover length",
        crossoverValue(k.crossover),
        crossoverDetail(k.crossover),
        `≈ ${fmtInt(PAPER_CLAIMS.crossover)} tokens`,
        other.crossover,
      ),
      card(
        "Scaling exponent (time ∝ Nᵏ, 95% CI)",
        exponentsValue(k.hyenaExponent, k.transformerExponent),
        html`${exponentDetail("SE(3)-Hyena", k.hyenaExponent)}; ${
          exponentDetail("transformer", k.transformerExponent)
        }; upper half of the lengths`,
        "expected ≈ 1 (FFT convolution, N log N) vs ≈ 2 (attention)",
        other.exponent,
      ),
      card(
        "Longest context within the memory budget",
        {
          value: contextRatioText(k),
          sub: k.contextRatio.kind === "unknown" ? "no ratio guaranteed" : "guaranteed ratio",
        },
        contextDetail(k),
        `×${PAPER_CLAIMS.contextRatio} (${fmtInt(PAPER_CLAIMS.hyenaContext)} vs ${
          fmtInt(PAPER_CLAIMS.transformerContext)
        })`,
        other.context,
      ),
    ];
    const rows = analysis.comparisons.map((x) => {
      const kx = claimsOf(x);
      const tm = totalMemory(kx.memory);
      return html`
        <tr>
          <td>${x.pass}</td>${many
            ? html`
              <td>${platformName(x.hyena.platform)}</td>
            `
            : ""}
          <td>${x.transformer.label}</td>
          <td class="num">${fmtInt(x.largest?.seqLen)}</td>
          <td class="num">${fmtRatio(x.largest?.speedup)}</td>
          <td class="num">${fmtRatio(kx.memory?.peakBytes)}</td>
          <td class="num">${tm && tm.metric !== "peakBytes" ? fmtRatio(tm.ratio) : "–"}</td>
          <td>${crossoverText(kx.crossover)}</td>
          <td class="num">${exponentText(kx.hyenaExponent)}</td>
          <td class="num">${exponentText(kx.transformerExponent)}</td>
          <td class="num">${bracketText(kx.hyenaContext)}</td>
          <td class="num">${bracketText(kx.transformerContext)}</td>
          <td class="num">${contextRatioText(kx)}</td>
        </tr>
      `;
    });
    return {
      html: html`
        <p
          class="lead">SE(3)-Hyena against the equivariant transformer, ${where}.${many
            ? ` Every figure is computed within ${
              platformName(c.hyena.platform)
            }; the other framework's figure for the same case stands beside it.`
            : ""} Ours are measured here; the grey tags are the paper's claims on an ${PAPER_DEVICE} GPU, for reference only (different hardware and framework), with ours at the paper's N where we measured around it.</p>
        <div class="cards">${cards}</div>
        <h3>Every pass</h3>
        <div class="table-wrap">
          <table id="passes-table">
            <thead>
              <tr>
                <th>pass</th>${many
                  ? html`
                    <th>framework</th>
                  `
                  : ""}
                <th>baseline</th>
                <th>largest common N</th>
                <th>speed-up</th>
                <th>memory ratio (framework peak)</th>
                <th>memory ratio (RSS / device)</th>
                <th>crossover</th>
                <th>exponent SE(3)-Hyena [95% CI]</th>
                <th>exponent transformer [95% CI]</th>
                <th>context SE(3)-Hyena [ok, fail)</th>
                <th>context transformer [ok, fail)</th>
                <th>context ratio (guaranteed)</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        </div>
      `,
    };
  },
};
