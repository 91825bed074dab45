/**
 * The SE(3)-Hyena paper's numbers (Moskalev et al., PMLR 251, arXiv 2407.01049),
 * transcribed from `shared/reference/paper-results.md`: Figure 5 (forward time and GPU
 * memory of one SE(3)-Hyena layer against one equivariant transformer layer on an NVIDIA
 * A10G, plotted values) and the claims of its text; Figure 4 (associative recall test
 * MSE, plotted values), Table 1 (n-body test MSE) and the training setups behind them.
 * Shown in reports as a reference, never mixed with our measurements.
 *
 * @module
 */

/** The GPU the paper measured on; every overlay is labelled with it. */
export const PAPER_DEVICE = "NVIDIA A10G";

/** The legend label of the paper's overlays. */
export const PAPER_LABEL = `paper, ${PAPER_DEVICE}`;

/** One length of the paper's Figure 5. Times in ms; memory in GB (10⁹ bytes). */
export interface PaperRow {
  seqLen: number;
  transformerMs: number;
  hyenaMs: number;
  speedup: number;
  transformerGB: number;
  hyenaGB: number;
  memoryRatio: number;
}

/** Figure 5, forward pass, plotted values (lengths ≈ `linspace(10, 20000, 8)`). */
export const PAPER_FIG5: readonly PaperRow[] = [
  row(10, 51.5, 79.0, 0.65, 0.002, 0.003, 0.7),
  row(2860, 57.7, 78.3, 0.74, 0.93, 0.287, 3.2),
  row(5720, 73.5, 81.7, 0.90, 3.32, 0.586, 5.7),
  row(8580, 99.2, 83.8, 1.18, 7.17, 0.864, 8.3),
  row(11430, 137.3, 85.5, 1.61, 12.46, 1.159, 10.7),
  row(14290, 185.6, 87.5, 2.12, 19.23, 1.470, 13.1),
  row(17140, 244.6, 92.8, 2.63, 27.42, 1.736, 15.8),
  row(20000, 340.6, 95.6, 3.56, 37.11, 2.014, 18.4),
];

function row(
  seqLen: number,
  transformerMs: number,
  hyenaMs: number,
  speedup: number,
  transformerGB: number,
  hyenaGB: number,
  memoryRatio: number,
): PaperRow {
  return { seqLen, transformerMs, hyenaMs, speedup, transformerGB, hyenaGB, memoryRatio };
}

/** The paper's headline claims (text of the paper), for the report's headline. */
export const PAPER_CLAIMS = {
  /** At this length … */
  atSeqLen: 20000,
  /** … SE(3)-Hyena is this many times faster … */
  speedup: 3.5,
  /** … and uses this many times less memory. */
  memoryRatio: 18,
  /** Speed-up crosses 1 near this length. */
  crossover: 8000,
  /** Longest-context ratio in the same memory (3.5M tokens vs 20k). */
  contextRatio: 175,
  /** SE(3)-Hyena's claimed longest context on one GPU. */
  hyenaContext: 3_500_000,
  /** The transformer's longest context (runs out of memory above it). */
  transformerContext: 20000,
} as const;

/** Caveats the reference notes about the paper's numbers; the report repeats them. */
export const PAPER_CAVEATS: readonly string[] = [
  "The plotted 37 GB for the transformer at 20k tokens exceeds the A10G's 24 GB.",
  "SE(3)-Hyena's plotted ~0.1 GB per 1k tokens would need ~350 GB at 3.5M tokens, " +
  "so the 3.5M-token (×175) figure must come from a different, unreported configuration.",
  "Batch size, widths, precision, gradient mode and repeats are not stated.",
];

/** The training tasks of the paper's learning experiments (issue 6). */
export type PaperTask = "recall-fixed" | "recall-random" | "nbody";

/** The four models of the paper's learning experiments, in the paper's table order. */
export const PAPER_TRAIN_MODELS = [
  "transformer",
  "hyena",
  "equivariant-transformer",
  "se3-hyena",
] as const;

/** A model of the paper's learning experiments. */
export type PaperTrainModel = (typeof PAPER_TRAIN_MODELS)[number];

/** The sequence lengths of the paper's Figure 4. */
export const PAPER_FIG4_LENGTHS: readonly number[] = [32, 64, 128, 256];

/**
 * Figure 4: equivariant associative recall, test MSE (plotted values) per vocabulary,
 * model and sequence length ({@linkcode PAPER_FIG4_LENGTHS}, same order).
 */
export const PAPER_FIG4: Readonly<
  Record<"recall-fixed" | "recall-random", Readonly<Record<PaperTrainModel, readonly number[]>>>
> = {
  "recall-fixed": {
    transformer: [2.47, 1.42, 2.50, 2.47],
    hyena: [2.47, 2.43, 2.42, 2.53],
    "equivariant-transformer": [0.0124, 0.0138, 0.0182, 0.0164],
    "se3-hyena": [0.0518, 0.0380, 0.0198, 0.0296],
  },
  "recall-random": {
    transformer: [2.39, 2.42, 2.29, 1.99],
    hyena: [2.32, 2.32, 2.21, 2.36],
    "equivariant-transformer": [1.38, 1.74, 1.74, 1.52],
    "se3-hyena": [0.271, 0.00691, 0.00193, 0.00217],
  },
};

/** The paper's Figure 4 test MSE of `model` on `task` at `seqLen`, or null where it has none. */
export function paperRecallMse(task: string, model: string, seqLen: number): number | null {
  const byModel = PAPER_FIG4[task as "recall-fixed" | "recall-random"];
  const i = PAPER_FIG4_LENGTHS.indexOf(seqLen);
  if (!byModel || i < 0) return null;
  return byModel[model as PaperTrainModel]?.[i] ?? null;
}

/** Table 1: n-body (5 charged particles, positions 1000 steps later), test MSE. */
export const PAPER_TABLE1: Readonly<Record<PaperTrainModel, number>> & {
  readonly linearMotion: number;
} = {
  linearMotion: 0.0322,
  transformer: 0.0163,
  hyena: 0.0150,
  "equivariant-transformer": 0.0019,
  "se3-hyena": 0.0018,
};

/** The paper's test MSE for a training row's task, model and length, or null. */
export function paperTrainMse(task: string, model: string, seqLen: number): number | null {
  if (task === "nbody") {
    return seqLen === 5 ? PAPER_TABLE1[model as PaperTrainModel] ?? null : null;
  }
  return paperRecallMse(task, model, seqLen);
}

/** One setting of a paper training setup, as the report's scale table shows it. */
export interface PaperSetting {
  /** What it is, e.g. `epochs`. */
  setting: string;
  /** The paper's value, as text. */
  paper: string;
}

/**
 * The paper's training setups (shared/reference/paper-results.md), by task family; the
 * report puts ours beside them to state the scale difference.
 */
export const PAPER_TRAIN_SETUP: Readonly<Record<"recall" | "nbody", readonly PaperSetting[]>> = {
  recall: [
    { setting: "equivariant models", paper: "3 layers, D 16, C 128, G 8 (~800k parameters)" },
    { setting: "baselines", paper: "about 3× wider layers, to balance parameters" },
    { setting: "sequence lengths", paper: "32, 64, 128, 256" },
    { setting: "data (train / val / test)", paper: "2600 / 200 / 200" },
    { setting: "epochs", paper: "300" },
    { setting: "batch", paper: "32" },
    { setting: "optimiser", paper: "Adam, lr 1e-3, cosine schedule, weight decay 1e-5" },
  ],
  nbody: [
    { setting: "equivariant models", paper: "2 layers, D 8, C 16, G 8" },
    { setting: "baselines", paper: "about 3× wider layers, to balance parameters" },
    { setting: "particles", paper: "5" },
    {
      setting: "data (train / val / test)",
      paper: "not restated in our reference (the standard benchmark: 1000 / 2000 / 2000)",
    },
    { setting: "epochs", paper: "300" },
    { setting: "batch", paper: "100" },
    { setting: "optimiser", paper: "Adam, lr 1e-4, weight decay 1e-5" },
  ],
};

/** The legend label of the paper's Figure 4 overlays. */
export const PAPER_FIG4_LABEL = "paper Fig. 4";
/** The label of the paper's Table 1 column. */
export const PAPER_TABLE1_LABEL = "paper Table 1";
