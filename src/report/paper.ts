/**
 * The SE(3)-Hyena paper's Figure 5 (Moskalev et al., PMLR 251, arXiv 2407.01049):
 * forward time and GPU memory of one SE(3)-Hyena layer against one equivariant
 * transformer layer on an NVIDIA A10G, transcribed from
 * `shared/reference/paper-results.md` (plotted values), and the claims of its text.
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
