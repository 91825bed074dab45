/**
 * The report's training section (issue 6): the rows with `pass: "train"` — equivariant
 * associative recall (fixed and random vocabulary) and n-body — against the paper's
 * Figure 4 and Table 1.
 *
 * It shows: the scale of our runs beside the paper's (model sizes, data, epochs, batch,
 * optimiser, read from the rows' case fields and results); test MSE vs sequence length
 * per model for each recall vocabulary (log y), with the paper's values beside; the
 * n-body table with the linear-motion reference; the ranking of the models per task and
 * length, ours and the paper's; validation-MSE learning curves; every training row.
 * The section is left out when there are no training rows. Every string from the results
 * goes through `html```, which escapes it.
 *
 * @module
 */

import { baselineSize } from "../baselines/size.ts";
import { isPresetName, PRESETS } from "../models/presets.ts";
import type { CaseResult, SweepResults } from "../results.ts";
import { modelName } from "./analysis.ts";
import { chartBox } from "./chart_box.ts";
import type { ChartSpec, DatasetSpec } from "./charts.ts";
import { html, type SafeHtml } from "./escape.ts";
import { fmtInt, fmtMs, fmtNum, fmtRatio } from "./format.ts";
import {
  PAPER_FIG4,
  PAPER_FIG4_LABEL,
  PAPER_FIG4_LENGTHS,
  PAPER_TABLE1,
  PAPER_TABLE1_LABEL,
  PAPER_TRAIN_MODELS,
  PAPER_TRAIN_SETUP,
  paperTrainMse,
} from "./paper.ts";
import type { ReportSection } from "./sections/types.ts";

/** The training tasks the section knows, in page order. */
export const TRAIN_TASKS = ["recall-fixed", "recall-random", "nbody"] as const;

/** Display names of the tasks. */
export const TASK_NAMES: Record<string, string> = {
  "recall-fixed": "associative recall, fixed vocabulary",
  "recall-random": "associative recall, random vocabulary",
  nbody: "n-body",
};

/** A model's colour on every training chart (ours solid, the paper's dashed and hollow). */
export const MODEL_COLORS: Record<string, string> = {
  "se3-hyena": "#1f6fb4",
  "equivariant-transformer": "#e6550d",
  hyena: "#2ca02c",
  transformer: "#9467bd",
};
const OTHER_COLOR = "#7f7f7f";

/**
 * Test MSE of predicting the zero vector on associative recall: values have isotropic
 * directions and magnitudes r ~ U[1, 4], so each component's mean square is
 * E[r²]/3 = ((4³ − 1³)/(3·(4 − 1)))/3 = 7/3 ≈ 2.33. A model at this level recalls nothing.
 */
export const RECALL_ZERO_MSE = 7 / 3;

/** One point of a learning curve. */
export interface CurvePoint {
  epoch: number;
  trainMse: number;
  valMse: number;
  lr: number;
}

/** The training fields of one `pass: "train"` row, checked (null where absent). */
export interface TrainingRow {
  row: CaseResult;
  task: string;
  model: string;
  seqLen: number;
  status: string;
  testMse: number | null;
  bestValMse: number | null;
  bestEpoch: number | null;
  epochsRun: number | null;
  /** Planned epochs (the case's `epochs`). */
  epochs: number | null;
  curve: CurvePoint[];
  wallMs: number | null;
  parameterCount: number | null;
  linearMotionMse: number | null;
  /** The paper's test MSE for this task, model and length, where it has one. */
  paperMse: number | null;
  /** Label of the row's series: the model, plus the variant fields that differ. */
  label: string;
  /** Key of the row's series (model and variant). */
  seriesKey: string;
}

function num(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function curveOf(x: unknown): CurvePoint[] {
  if (!Array.isArray(x)) return [];
  return x.flatMap((p) => {
    const epoch = num(p?.epoch), valMse = num(p?.valMse);
    if (epoch === null || valMse === null) return [];
    return [{ epoch, valMse, trainMse: num(p?.trainMse) ?? NaN, lr: num(p?.lr) ?? NaN }];
  });
}

/** Case fields that tell apart two runs of the same model on the same task. */
const VARIANT_FIELDS = [
  "preset",
  "attention",
  "width",
  "layers",
  "epochs",
  "batch",
  "lr",
  "trainSize",
  "seed",
  "backend",
] as const;

function variantOf(r: CaseResult): Record<string, string> {
  const c = (r.case ?? {}) as Record<string, unknown>;
  return Object.fromEntries(VARIANT_FIELDS.map((f) => [f, c[f] === undefined ? "" : String(c[f])]));
}

/**
 * The training rows of a sweep (`case.pass === "train"`), with their fields checked and
 * their series labels: the model's name, plus `(field value, …)` for the variant fields
 * (preset, width, epochs, seed, …) in which rows of the same task and model differ.
 */
export function trainingRows(results: SweepResults): TrainingRow[] {
  const rows = (Array.isArray(results.results) ? results.results : [])
    .filter((r) => r?.case?.pass === "train");
  const out = rows.map((row): TrainingRow => {
    const c = row.case as Record<string, unknown>;
    const task = String(row.task ?? c.task ?? "");
    const model = String(c.model ?? "");
    const seqLen = num(c.seqLen) ?? NaN;
    return {
      row,
      task,
      model,
      seqLen,
      status: String(row.status),
      testMse: num(row.testMse),
      bestValMse: num(row.bestValMse),
      bestEpoch: num(row.bestEpoch),
      epochsRun: num(row.epochsRun),
      epochs: num(c.epochs),
      curve: curveOf(row.curve),
      wallMs: num(row.wallMs),
      parameterCount: num(row.parameterCount),
      linearMotionMse: num(row.linearMotionMse),
      paperMse: paperTrainMse(task, model, seqLen),
      label: modelName(model),
      seriesKey: model,
    };
  });
  // Variant fields that differ between rows of the same task and model.
  const groups = new Map<string, TrainingRow[]>();
  for (const t of out) {
    const k = `${t.task}|${t.model}`;
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  for (const group of groups.values()) {
    const variants = group.map((t) => variantOf(t.row));
    const differing = VARIANT_FIELDS.filter((f) => new Set(variants.map((v) => v[f])).size > 1);
    group.forEach((t, i) => {
      const extra = differing.map((f) => `${f} ${variants[i][f] || "–"}`);
      t.seriesKey = [t.model, ...differing.map((f) => variants[i][f])].join("|");
      if (extra.length) t.label += ` (${extra.join(", ")})`;
    });
  }
  return out;
}

const ok = (t: TrainingRow) => t.status === "ok" && t.testMse !== null;

function colorOf(model: string): string {
  return MODEL_COLORS[model] ?? OTHER_COLOR;
}

/**
 * The model's colour for its `i`-th of `count` lengths: the model's own hue, darker for the
 * shorter and lighter for the longer lengths, so the lines and legend swatches of one
 * model at several N differ (a dash alone does not show in a legend box).
 */
export function shadeOf(model: string, i: number, count: number): string {
  const base = colorOf(model);
  if (count <= 1) return base;
  const t = -0.35 + (0.8 * i) / (count - 1); // −0.35 (darker) … +0.45 (lighter)
  const rgb = [1, 3, 5].map((k) => parseInt(base.slice(k, k + 2), 16));
  const mixed = rgb.map((c) => Math.round(t < 0 ? c * (1 + t) : c + (255 - c) * t));
  return "#" + mixed.map((c) => c.toString(16).padStart(2, "0")).join("");
}

/** Series of rows (same task, model and variant), in the paper's model order. */
function seriesOf(rows: readonly TrainingRow[]): TrainingRow[][] {
  const by = new Map<string, TrainingRow[]>();
  for (const t of rows) by.set(t.seriesKey, [...(by.get(t.seriesKey) ?? []), t]);
  const order = (m: string) => {
    const i = (PAPER_TRAIN_MODELS as readonly string[]).indexOf(m);
    return i < 0 ? PAPER_TRAIN_MODELS.length : i;
  };
  return [...by.values()].sort((a, b) =>
    order(a[0].model) - order(b[0].model) || a[0].seriesKey.localeCompare(b[0].seriesKey)
  );
}

/** Per length, the last `ok` row (a repeated case's later result wins). */
function lastOkByLength(rows: readonly TrainingRow[]): TrainingRow[] {
  const by = new Map<number, TrainingRow>();
  for (const t of rows) if (ok(t) && t.testMse! > 0) by.set(t.seqLen, t);
  return [...by.values()].sort((a, b) => a.seqLen - b.seqLen);
}

/** Dash patterns for the 2nd, 3rd, … variant of the same model. */
const VARIANT_DASH = [undefined, [6, 3], [2, 2], [10, 3, 2, 3]];

/**
 * Test MSE vs sequence length on one recall task (log-log): one line per model and
 * variant (status ok), the paper's Figure 4 per model (dashed, hollow markers), and the
 * zero-vector reference ({@linkcode RECALL_ZERO_MSE}). `null` when the sweep has no row
 * of that task.
 */
export function recallMseChart(rows: readonly TrainingRow[], task: string): ChartSpec | null {
  const mine = rows.filter((t) => t.task === task);
  const paper = PAPER_FIG4[task as keyof typeof PAPER_FIG4];
  if (!mine.length || !paper) return null;
  const datasets: DatasetSpec[] = [];
  const seen = new Map<string, number>();
  for (const s of seriesOf(mine)) {
    const i = seen.get(s[0].model) ?? 0;
    seen.set(s[0].model, i + 1);
    const pts = lastOkByLength(s);
    if (!pts.length) continue;
    datasets.push({
      label: `ours: ${s[0].label}`,
      role: "median",
      color: colorOf(s[0].model),
      dash: VARIANT_DASH[i % VARIANT_DASH.length],
      data: pts.map((t) => ({ x: t.seqLen, y: t.testMse! })),
    });
  }
  for (const m of PAPER_TRAIN_MODELS) {
    datasets.push({
      label: `${PAPER_FIG4_LABEL}: ${modelName(m)}`,
      role: "paper",
      color: colorOf(m),
      dash: [4, 3],
      pointStyle: "rectRot",
      data: PAPER_FIG4_LENGTHS.map((n, i) => ({ x: n, y: paper[m][i] })),
    });
  }
  const xs = [...PAPER_FIG4_LENGTHS, ...mine.map((t) => t.seqLen).filter(Number.isFinite)];
  const ys = [
    RECALL_ZERO_MSE,
    ...datasets.flatMap((d) => d.data.map((p) => p.y as number)),
  ];
  datasets.push({
    label: `predicting the zero vector (${fmtNum(RECALL_ZERO_MSE)}): no recall`,
    role: "parity",
    color: "#444444",
    dash: [3, 3],
    data: [{ x: Math.min(...xs), y: RECALL_ZERO_MSE }, { x: Math.max(...xs), y: RECALL_ZERO_MSE }],
  });
  return {
    id: `train-mse-${task}`,
    title: `${
      TASK_NAMES[task] ?? task
    }: test MSE vs sequence length (ours solid, ${PAPER_FIG4_LABEL} dashed)`,
    type: "line",
    x: {
      title: "sequence length N (tokens, log scale)",
      log: true,
      format: "int",
      ticks: [...new Set(xs)].sort((a, b) => a - b),
      // Room around the first and last length, so their markers are not cut.
      min: Math.min(...xs) / 1.2,
      max: Math.max(...xs) * 1.2,
    },
    y: {
      title: "test MSE (log scale)",
      log: true,
      format: "plain",
      min: Math.min(...ys) / 1.6,
      max: Math.max(...ys) * 1.6,
    },
    datasets,
    height: 400,
  };
}

/**
 * Validation MSE per epoch on one task (log y): one line per training row that has a
 * learning curve; for n-body, the linear-motion reference on the test split.
 * `null` when no row of the task has a curve.
 */
export function learningCurveChart(rows: readonly TrainingRow[], task: string): ChartSpec | null {
  const mine = rows.filter((t) => t.task === task && t.curve.some((p) => p.valMse > 0));
  if (!mine.length) return null;
  const lengths = new Set(mine.map((t) => t.seqLen));
  const datasets: DatasetSpec[] = [];
  const seen = new Map<string, number>();
  for (const s of seriesOf(mine)) {
    const i = seen.get(s[0].model) ?? 0;
    seen.set(s[0].model, i + 1);
    const ns = [...lengths].sort((a, b) => a - b);
    for (const t of [...s].sort((a, b) => a.seqLen - b.seqLen)) {
      datasets.push({
        label: `${t.label} · N = ${fmtInt(t.seqLen)}${t.status === "ok" ? "" : ` (${t.status})`}`,
        role: "median",
        color: shadeOf(t.model, ns.indexOf(t.seqLen), ns.length),
        dash: VARIANT_DASH[
          (i + (lengths.size > 1 ? [...lengths].indexOf(t.seqLen) : 0)) %
          VARIANT_DASH.length
        ],
        data: t.curve.filter((p) => p.valMse > 0).map((p) => ({ x: p.epoch, y: p.valMse })),
      });
    }
  }
  const epochs = mine.flatMap((t) => t.curve.map((p) => p.epoch));
  const ys = datasets.flatMap((d) => d.data.map((p) => p.y as number));
  const linear = [...new Set(mine.map((t) => t.linearMotionMse).filter((v) => v !== null))];
  ys.push(...linear.map((v) => v!));
  // Log scale where the curves span a decade or more; within one, a linear axis reads better.
  const log = Math.max(...ys) / Math.min(...ys) >= 10;
  linear.forEach((v, i) => {
    datasets.push({
      label: `linear motion p0 + t·v0, test split${linear.length > 1 ? ` #${i + 1}` : ""} (${
        fmtNum(v)
      })`,
      role: "parity",
      color: "#444444",
      dash: [3, 3],
      data: [{ x: Math.min(...epochs), y: v! }, { x: Math.max(...epochs), y: v! }],
    });
  });
  return {
    id: `train-curves-${task}`,
    title: `Learning curves, ${TASK_NAMES[task] ?? task}: validation MSE per epoch`,
    type: "line",
    x: { title: "epoch", format: "int", name: "epoch" },
    y: log
      ? { title: "validation MSE (log scale)", log: true, format: "plain" }
      : { title: "validation MSE", format: "plain" },
    datasets,
    height: 360,
  };
}

/** Distinct values, in first-seen order, joined. */
function distinct(values: readonly string[], sep = "; "): string {
  const u = [...new Set(values.filter((v) => v !== ""))];
  return u.length ? u.join(sep) : "–";
}

function range(values: readonly (number | null)[], fmt = fmtInt): string {
  const v = values.filter((x): x is number => x !== null);
  if (!v.length) return "–";
  const lo = Math.min(...v), hi = Math.max(...v);
  return lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`;
}

function field(t: TrainingRow, name: string): unknown {
  return (t.row.case as Record<string, unknown>)[name];
}

const EQUIVARIANT = new Set(["se3-hyena", "equivariant-transformer"]);

function equivariantSize(t: TrainingRow): string {
  const preset = String(field(t, "preset") ?? "");
  const size = t.row.modelSize as Record<string, unknown> | undefined;
  const p = size && num(size.D) !== null
    ? size
    : isPresetName(preset)
    ? PRESETS[preset] as unknown as Record<string, unknown>
    : null;
  if (!p) return preset || "–";
  return `${preset}: ${p.layers} layer${p.layers === 1 ? "" : "s"}, D ${p.D}, C ${p.C}, G ${p.G}`;
}

function baselineSizeText(t: TrainingRow): string {
  const size = t.row.modelSize as Record<string, unknown> | undefined;
  let s: { width: number; layers: number } | null = null;
  if (size && num(size.width) !== null && num(size.layers) !== null) {
    s = { width: size.width as number, layers: size.layers as number };
  } else {
    try {
      s = baselineSize(String(field(t, "preset") ?? ""), {
        width: num(field(t, "width")) ?? undefined,
        layers: num(field(t, "layers")) ?? undefined,
      });
    } catch {
      s = null;
    }
  }
  return s ? `width ${s.width}, ${s.layers} layer${s.layers === 1 ? "" : "s"}` : "–";
}

function splitsText(t: TrainingRow): string {
  const s = t.row.splits as Record<string, unknown> | undefined;
  const part = (k: "train" | "val" | "test", caseField: string) =>
    num(s?.[k]) ?? num(field(t, caseField)) ?? "task default";
  return `${part("train", "trainSize")} / ${part("val", "valSize")} / ${part("test", "testSize")}`;
}

function optimiserText(t: TrainingRow): string {
  const lr = num(field(t, "lr")) ?? 1e-3;
  const wd = num(field(t, "weightDecay")) ?? 1e-5;
  const warm = num(field(t, "warmupSteps"));
  const clip = num(field(t, "clipNorm"));
  return `AdamW, lr ${lr}, cosine schedule${warm ? `, ${warm} warm-up steps` : ""}, ` +
    `weight decay ${wd}${clip !== null ? `, gradient-norm clip ${clip}` : ""}`;
}

function epochsText(rows: readonly TrainingRow[]): string {
  const planned = distinct(rows.map((t) => String(t.epochs ?? 300)));
  const early = rows.filter((t) =>
    t.epochsRun !== null && t.epochs !== null && t.epochsRun < t.epochs
  );
  if (!early.length) return planned;
  return `${planned}; stopped early by the wall-time cap: ${
    early.map((t) => `${t.label} N ${t.seqLen} after ${t.epochsRun}`).join(", ")
  }`;
}

/** Our setting and the paper's, one row of the scale table. */
interface ScaleRow {
  setting: string;
  ours: string;
  paper: string;
}

/** The scale of our runs of one task family beside the paper's setup. */
export function scaleRows(rows: readonly TrainingRow[], family: "recall" | "nbody"): ScaleRow[] {
  const eq = rows.filter((t) => EQUIVARIANT.has(t.model));
  const base = rows.filter((t) => !EQUIVARIANT.has(t.model));
  const params = (rs: readonly TrainingRow[]) =>
    rs.some((t) => t.parameterCount !== null)
      ? ` (${range(rs.map((t) => t.parameterCount))} parameters incl. head)`
      : "";
  const ours: Record<string, string> = {
    "equivariant models": eq.length ? distinct(eq.map(equivariantSize)) + params(eq) : "–",
    baselines: base.length ? distinct(base.map(baselineSizeText)) + params(base) : "–",
    "sequence lengths": distinct(
      [...rows].sort((a, b) => a.seqLen - b.seqLen).map((t) => fmtInt(t.seqLen)),
      ", ",
    ),
    particles: distinct(rows.map((t) => fmtInt(t.seqLen)), ", "),
    "data (train / val / test)": distinct(rows.map(splitsText)),
    epochs: epochsText(rows),
    batch: distinct(rows.map((t) => String(field(t, "batch") ?? "–"))),
    optimiser: distinct(rows.map(optimiserText)),
  };
  const out: ScaleRow[] = PAPER_TRAIN_SETUP[family].map((s) => ({
    setting: s.setting,
    ours: ours[s.setting] ?? "–",
    paper: s.paper,
  }));
  const devices = distinct(
    rows.map((t) =>
      `${field(t, "backend") ?? "?"}${t.row.worker?.device ? ` (${t.row.worker.device})` : ""}`
    ),
  );
  const wall = rows.map((t) => t.wallMs).filter((v): v is number => v !== null);
  out.push({ setting: "backend (device)", ours: devices, paper: "GPU (not stated)" });
  out.push({
    setting: "training wall time",
    ours: wall.length
      ? `${fmtMs(wall.reduce((a, b) => a + b, 0))} in all (${range(wall, fmtMs)} per case)`
      : "–",
    paper: "not stated",
  });
  return out;
}

function scaleTable(rows: readonly TrainingRow[], family: "recall" | "nbody"): SafeHtml {
  return html`
    <div class="table-wrap">
      <table class="kv scale">
        <thead>
          <tr>
            <th>setting</th>
            <th>ours</th>
            <th>${family === "recall" ? PAPER_FIG4_LABEL : PAPER_TABLE1_LABEL}</th>
          </tr>
        </thead>
        <tbody>${scaleRows(rows, family).map((r) =>
          html`
            <tr>
              <th scope="row">${r.setting}</th>
              <td>${r.ours}</td>
              <td>${r.paper}</td>
            </tr>
          `
        )}</tbody>
      </table>
    </div>
  `;
}

/** One group of the ranking table: a task and length with at least two ok rows. */
export interface Ranking {
  task: string;
  seqLen: number;
  /** Ours, best (lowest test MSE) first. */
  ours: TrainingRow[];
  /** The same models by the paper's value, best first; empty where the paper has none. */
  paper: { model: string; mse: number }[];
  /** Whether both orders agree (null when the paper's is missing or variants repeat models). */
  sameOrder: boolean | null;
}

/** The models ranked by test MSE per task and length (ours and the paper's). */
export function rankings(rows: readonly TrainingRow[]): Ranking[] {
  const groups = new Map<string, TrainingRow[]>();
  for (const t of rows) {
    if (!ok(t)) continue;
    const k = `${t.task}|${t.seqLen}`;
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  const taskOrder = (t: string) => {
    const i = (TRAIN_TASKS as readonly string[]).indexOf(t);
    return i < 0 ? TRAIN_TASKS.length : i;
  };
  return [...groups.values()].filter((g) => g.length >= 2).map((g) => {
    const ours = [...g].sort((a, b) => a.testMse! - b.testMse!);
    const models = ours.map((t) => t.model);
    const unique = new Set(models).size === models.length;
    const paperVals = ours.map((t) => ({ model: t.model, mse: t.paperMse }));
    const paper = unique && paperVals.every((p) => p.mse !== null)
      ? (paperVals as { model: string; mse: number }[]).sort((a, b) => a.mse - b.mse)
      : [];
    return {
      task: g[0].task,
      seqLen: g[0].seqLen,
      ours,
      paper,
      sameOrder: paper.length ? paper.every((p, i) => p.model === models[i]) : null,
    };
  }).sort((a, b) => taskOrder(a.task) - taskOrder(b.task) || a.seqLen - b.seqLen);
}

function rankText(items: { name: string; mse: number }[]): string {
  return items.map((i) => `${i.name} ${fmtNum(i.mse)}`).join(" < ");
}

function rankingTable(rows: readonly TrainingRow[]): SafeHtml {
  const rs = rankings(rows);
  if (!rs.length) {
    return html`<p class="note">No task and length with two or more finished (ok) models: no ranking.</p>`;
  }
  return html`
    <div class="table-wrap">
      <table class="ranking">
        <thead>
          <tr>
            <th>task</th>
            <th>N</th>
            <th>ours, best → worst (test MSE)</th>
            <th>paper, best → worst</th>
            <th>same order</th>
          </tr>
        </thead>
        <tbody>${rs.map((r) =>
          html`
            <tr>
              <td>${TASK_NAMES[r.task] ?? r.task}</td>
              <td class="num">${fmtInt(r.seqLen)}</td>
              <td>${rankText(r.ours.map((t) => ({ name: t.label, mse: t.testMse! })))}</td>
              <td>${r.paper.length
                ? rankText(r.paper.map((p) => ({ name: modelName(p.model), mse: p.mse })))
                : "–"}</td>
              <td>${r.sameOrder === null ? "–" : r.sameOrder ? "yes" : "no"}</td>
            </tr>
          `
        )}</tbody>
      </table>
    </div>
  `;
}

/** The paper's headline on the random vocabulary, and ours at the lengths we ran. */
function randomVocabularyClaim(rows: readonly TrainingRow[]): SafeHtml {
  const mine = rows.filter((t) => t.task === "recall-random" && ok(t));
  const lengths = [...new Set(mine.map((t) => t.seqLen))].sort((a, b) => a - b);
  const pick = (model: string, n: number) =>
    mine.filter((t) => t.model === model && t.seqLen === n).at(-1)?.testMse ?? null;
  const ours = lengths.map((n) => {
    const p = PAPER_FIG4_LENGTHS.indexOf(n);
    const paper = p >= 0
      ? ` (paper ${fmtNum(PAPER_FIG4["recall-random"]["se3-hyena"][p])} vs ${
        fmtNum(PAPER_FIG4["recall-random"]["equivariant-transformer"][p])
      })`
      : "";
    return `N = ${fmtInt(n)}: SE(3)-Hyena ${
      fmtNum(pick("se3-hyena", n))
    } vs equivariant transformer ${fmtNum(pick("equivariant-transformer", n))}${paper}`;
  });
  const r = PAPER_FIG4["recall-random"];
  return html`
    <p>The paper's headline to check: with a random vocabulary SE(3)-Hyena reaches ~0.002 test MSE (${fmtNum(
      r["se3-hyena"][2],
    )} at N = 128, ${fmtNum(
      r["se3-hyena"][3],
    )} at N = 256) while the equivariant transformer stays above 1 (${range(
      r["equivariant-transformer"],
      fmtNum,
    )}). Ours: ${ours.length ? ours.join("; ") : "no finished random-vocabulary run"}.</p>
  `;
}

function nbodyTable(rows: readonly TrainingRow[]): SafeHtml {
  const mine = rows.filter((t) => t.task === "nbody");
  const linear = [...new Set(mine.map((t) => t.linearMotionMse).filter((v) => v !== null))];
  const oursLinear = linear.length === 1 ? linear[0] : null;
  const rel = (v: number | null, ref: number | null) =>
    v !== null && ref !== null && ref > 0 ? fmtRatio(v / ref) : "–";
  const order = (m: string) => {
    const i = (PAPER_TRAIN_MODELS as readonly string[]).indexOf(m);
    return i < 0 ? PAPER_TRAIN_MODELS.length : i;
  };
  const sorted = [...mine].sort((a, b) => order(a.model) - order(b.model) || a.seqLen - b.seqLen);
  const paperOf = (t: TrainingRow) => t.paperMse;
  return html`
    <div class="table-wrap">
      <table class="nbody">
        <thead>
          <tr>
            <th>method</th>
            <th>ours: test MSE</th>
            <th>ours ÷ linear motion</th>
            <th>${PAPER_TABLE1_LABEL}: test MSE</th>
            <th>paper ÷ linear motion</th>
            <th>ours ÷ paper</th>
            <th>parameters</th>
            <th>best epoch / run</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>linear motion <code>p0 + t·v0</code></td>
            <td class="num">${linear.length ? linear.map((v) => fmtNum(v)).join(", ") : "–"}</td>
            <td class="num">${oursLinear !== null ? "×1" : "–"}</td>
            <td class="num">${PAPER_TABLE1.linearMotion}</td>
            <td class="num">×1</td>
            <td class="num">${rel(oursLinear, PAPER_TABLE1.linearMotion)}</td>
            <td></td>
            <td></td>
          </tr>
          ${sorted.map((t) =>
            html`
              <tr class="status-${t.status}">
                <td>${t.label}${t.seqLen === 5 ? "" : ` (${fmtInt(t.seqLen)} particles)`}</td>
                <td class="num">${t.status === "ok"
                  ? fmtNum(t.testMse)
                  : html`<span class="status">${t.status}</span>`}</td>
                <td class="num">${rel(t.testMse, t.linearMotionMse)}</td>
                <td class="num">${paperOf(t) ?? "–"}</td>
                <td class="num">${rel(paperOf(t), PAPER_TABLE1.linearMotion)}</td>
                <td class="num">${rel(t.testMse, paperOf(t))}</td>
                <td class="num">${fmtInt(t.parameterCount)}</td>
                <td class="num">${t.bestEpoch ?? "–"} / ${t.epochsRun ?? "–"}</td>
              </tr>
            `
          )}
        </tbody>
      </table>
    </div>
  `;
}

function allRowsTable(rows: readonly TrainingRow[]): SafeHtml {
  const taskOrder = (t: string) => {
    const i = (TRAIN_TASKS as readonly string[]).indexOf(t);
    return i < 0 ? TRAIN_TASKS.length : i;
  };
  const sorted = [...rows].sort((a, b) =>
    taskOrder(a.task) - taskOrder(b.task) || a.seqLen - b.seqLen ||
    (a.testMse ?? Infinity) - (b.testMse ?? Infinity)
  );
  return html`
    <div class="table-wrap">
      <table class="sortable" id="training-table">
        <thead>
          <tr>
            <th>task</th>
            <th>model</th>
            <th>N</th>
            <th>status</th>
            <th>test MSE</th>
            <th>paper</th>
            <th>ours ÷ paper</th>
            <th>best val MSE</th>
            <th>best epoch</th>
            <th>epochs run / planned</th>
            <th>parameters</th>
            <th>wall time</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>${sorted.map((t) =>
          html`
            <tr class="status-${t.status}">
              <td>${t.task}</td>
              <td>${t.label}</td>
              <td class="num" data-v="${t.seqLen}">${fmtInt(t.seqLen)}</td>
              <td><span class="status">${t.status}</span></td>
              <td class="num" data-v="${t.testMse ?? ""}">${fmtNum(t.testMse)}</td>
              <td class="num" data-v="${t.paperMse ?? ""}">${fmtNum(t.paperMse)}</td>
              <td class="num">${t.testMse !== null && t.paperMse
                ? fmtRatio(t.testMse / t.paperMse)
                : "–"}</td>
              <td class="num" data-v="${t.bestValMse ?? ""}">${fmtNum(t.bestValMse)}</td>
              <td class="num">${t.bestEpoch ?? "–"}</td>
              <td class="num">${t.epochsRun ?? "–"} / ${t.epochs ?? "–"}</td>
              <td class="num" data-v="${t.parameterCount ?? ""}">${fmtInt(t.parameterCount)}</td>
              <td class="num" data-v="${t.wallMs ?? ""}">${fmtMs(t.wallMs)}</td>
              <td class="err">${t.row.error ?? ""}</td>
            </tr>
          `
        )}</tbody>
      </table>
    </div>
  `;
}

/** The recall part: scale, charts, claim. */
function recallPart(rows: readonly TrainingRow[]): { html: SafeHtml; charts: ChartSpec[] } {
  const recall = rows.filter((t) => t.task === "recall-fixed" || t.task === "recall-random");
  if (!recall.length) return { html: html``, charts: [] };
  const charts = ["recall-fixed", "recall-random"].map((task) => recallMseChart(rows, task))
    .filter((c): c is ChartSpec => c !== null);
  return {
    html: html`
      <h3>Associative recall (paper Figure 4)</h3>
      <p>Test MSE of the best-validation model per sequence length; ours solid, ${PAPER_FIG4_LABEL} dashed with hollow markers (read from the plot), same colour per model. The dotted line is the MSE of predicting the zero vector (${fmtNum(
        RECALL_ZERO_MSE,
      )}): a model near it has not learned to recall. Scale of our runs against the paper's:</p>
      ${scaleTable(recall, "recall")}${charts.map(chartBox)}${randomVocabularyClaim(rows)}
    `,
    charts,
  };
}

/** The n-body part: scale and table. */
function nbodyPart(rows: readonly TrainingRow[]): SafeHtml {
  const nbody = rows.filter((t) => t.task === "nbody");
  if (!nbody.length) return html``;
  return html`
    <h3>N-body (paper Table 1)</h3>
    <p>Test MSE of the predicted positions (5 particles unless stated). The linear-motion reference <code>p0 + t·v0</code> (no learning) is computed on the same test split; our simulated data and the paper's differ in scale (compare the two linear-motion values), so the ratios to it are the comparable numbers. Scale of our runs against the paper's:</p>
    ${scaleTable(nbody, "nbody")}${nbodyTable(rows)}
  `;
}

/** The training section (`id: "training"`); left out when the sweep has no training rows. */
export const trainingSection: ReportSection = {
  id: "training",
  title: "Training: associative recall and n-body",
  render({ results }) {
    const rows = trainingRows(results);
    if (!rows.length) return null;
    const recall = recallPart(rows);
    const curves = TRAIN_TASKS.map((task) => learningCurveChart(rows, task))
      .filter((c): c is ChartSpec => c !== null);
    return {
      html: html`
        <p
          class="lead">Training cases (<code>pass: "train"</code>, ${rows
            .length} rows): the paper's two learning experiments, run here with the same runner as the speed cases. Our runs are <b>much smaller than the paper's</b> (fewer layers, channels, samples and epochs; each part below lists ours beside the paper's), so compare the ranking of the models and their distance from the no-learning references, not absolute MSE values. The paper's numbers are its own (different scale, hardware and framework), for reference only.</p>
        ${recall.html}${nbodyPart(rows)}
        <h3>Ranking per task</h3>
        <p>Models ordered by test MSE at each task and length where two or more finished. One run (one seed) per model: differences of a few percent may be run-to-run variation.</p>
        ${rankingTable(rows)}
        <h3>Learning curves</h3>
        <p>Validation MSE after each epoch (the model with the lowest one is tested).</p>
        ${curves.map(chartBox)}
        <h3>Every training row</h3>
        <p>Rows of other tasks, and rows that did not finish (status oom, timeout, error), are listed here only.</p>
        ${allRowsTable(rows)}
      `,
      charts: [...recall.charts, ...curves],
    };
  },
};
