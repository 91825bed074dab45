/**
 * The in-memory form of a training task's data: three splits of packed float32 arrays
 * in the shapes the models take (`x: [n, N, 3]`, `f: [n, N, S]`, `w: [n, N, m, 3]`).
 *
 * @module
 */

/** One split (train, validation or test) of a task. */
export interface Split {
  /** Number of samples. */
  n: number;
  /** Token vectors / positions, `[n, N, 3]`. */
  x: Float32Array;
  /** Invariant per-token scalars, `[n, N, S]`. */
  f: Float32Array;
  /** Extra per-token vectors (velocities), `[n, N, m, 3]`, or null when m = 0. */
  w: Float32Array | null;
  /** Targets: `[n, 3]` for a pooled vector target, `[n, N, 3]` for a per-token target. */
  y: Float32Array;
}

/** A task's data and its shapes. */
export interface TaskData {
  /** Task name (`recall-fixed`, `recall-random`, `nbody`). */
  task: string;
  /** Tokens per sample, N. */
  seqLen: number;
  /** Scalars per token, S. */
  scalarInputs: number;
  /** Extra vectors per token, m. */
  vectorInputs: number;
  /** `pooled`: one vector per sample (`y: [n, 3]`); `per-token`: one per token (`y: [n, N, 3]`). */
  target: "pooled" | "per-token";
  train: Split;
  val: Split;
  test: Split;
}

/** Samples `[start, end)` of a split, as views (no copy). */
export function sliceSplit(s: Split, data: TaskData, start: number, end: number): Split {
  const n = data.seqLen, S = data.scalarInputs, m = data.vectorInputs;
  const yPer = data.target === "pooled" ? 3 : n * 3;
  return {
    n: end - start,
    x: s.x.subarray(start * n * 3, end * n * 3),
    f: s.f.subarray(start * n * S, end * n * S),
    w: s.w ? s.w.subarray(start * n * m * 3, end * n * m * 3) : null,
    y: s.y.subarray(start * yPer, end * yPer),
  };
}

/** The samples of `s` at `indices`, copied into a new split (for shuffled mini-batches). */
export function gatherSplit(s: Split, data: TaskData, indices: ArrayLike<number>): Split {
  const n = data.seqLen, S = data.scalarInputs, m = data.vectorInputs;
  const yPer = data.target === "pooled" ? 3 : n * 3;
  const k = indices.length;
  const out: Split = {
    n: k,
    x: new Float32Array(k * n * 3),
    f: new Float32Array(k * n * S),
    w: s.w ? new Float32Array(k * n * m * 3) : null,
    y: new Float32Array(k * yPer),
  };
  for (let i = 0; i < k; i++) {
    const j = indices[i];
    out.x.set(s.x.subarray(j * n * 3, (j + 1) * n * 3), i * n * 3);
    out.f.set(s.f.subarray(j * n * S, (j + 1) * n * S), i * n * S);
    if (s.w && out.w) out.w.set(s.w.subarray(j * n * m * 3, (j + 1) * n * m * 3), i * n * m * 3);
    out.y.set(s.y.subarray(j * yPer, (j + 1) * yPer), i * yPer);
  }
  return out;
}
