/**
 * The kinds of work a {@link ThreadPool} runs, as plain functions of Float32Arrays, loaded
 * by the main thread and by every worker (so both run the same code and a unit's result
 * does not depend on the thread that ran it). No TensorFlow.js here.
 *
 * A job kind splits its work into `units` independent pieces (channels, rows, channel
 * blocks) such that each output element is computed by exactly one unit, in the same
 * floating-point order as the single-threaded function: pooled results are bitwise equal to
 * single-threaded ones, whatever the thread count.
 *
 * @module
 */
import { circularConvUnits } from "../../fft/circular_conv.ts";
import {
  geometricProductBackwardRange,
  geometricProductForwardRange,
  GRADE_PATHS,
  productSigmoids,
} from "../../clifford/geometric_product_math.ts";
import { mvSiluForwardRange } from "../../clifford/mv_silu_math.ts";
import { gramLogitsRange } from "../gram_math.ts";
import {
  scalarBackwardRows,
  scalarFlashRows,
  scalarMaterializedRows,
  vectorBackwardRows,
  vectorFlashRows,
  vectorMaterializedRows,
} from "../attention_math.ts";

/** A kind of job: `prepare` once per thread and job, then `run` per unit taken. */
export interface JobKind<Ctx = unknown> {
  /** Per-thread state for one job (scratch, derived parameters). */
  prepare(arrays: Float32Array[], params: Float64Array): Ctx;
  /** Runs unit `u` (0 ≤ u < units). */
  run(ctx: Ctx, u: number): void;
}

interface Ranged {
  a: Float32Array[];
  p: Float64Array;
}

const fftConv: JobKind<Ranged> = {
  // arrays [x, k, out]; params [B, N, D, flip]; unit = (b, channel pair)
  prepare: (a, p) => ({ a, p }),
  run: ({ a, p }, u) =>
    circularConvUnits(a[0], a[1], a[2], [p[0], p[1], p[2]], p[3] !== 0, u, u + 1),
};

/** Geometric-product forward context: arrays, sigmoids of σ, rows per unit. */
interface ProductCtx {
  a: Float32Array[];
  s: Float64Array;
  m: number;
  c: number;
  block: number;
  dw?: Float64Array;
  ds?: Float64Array;
}

const gpForward: JobKind<ProductCtx> = {
  // arrays [x0…7, l0…7, r0…7, w, s0…3, y0…7]; params [M, C, rows per unit]; unit = row block
  prepare: (a, p) => ({
    a,
    s: productSigmoids(a.slice(25, 29), p[1]),
    m: p[0],
    c: p[1],
    block: p[2],
  }),
  run: ({ a, s, m, c, block }, u) =>
    geometricProductForwardRange(
      a.slice(0, 8),
      a.slice(8, 16),
      a.slice(16, 24),
      a[24],
      s,
      a.slice(29, 37),
      m,
      c,
      u * block,
      Math.min(m, (u + 1) * block),
    ),
};

const gpBackward: JobKind<ProductCtx> = {
  // arrays [dy0…7, x0…7, r0…7, w, s0…3, dx0…7, dl0…7, dr0…7, dw, ds0…3];
  // params [M, C, channels per unit]; unit = channel block (weight sums stay per channel)
  prepare: (a, p) => ({
    a,
    s: productSigmoids(a.slice(25, 29), p[1]),
    m: p[0],
    c: p[1],
    block: p[2],
    dw: new Float64Array(p[1] * GRADE_PATHS.length),
    ds: new Float64Array(4 * p[1]),
  }),
  run: ({ a, s, m, c, block, dw, ds }, u) =>
    geometricProductBackwardRange(
      a.slice(0, 8),
      a.slice(8, 16),
      a.slice(16, 24),
      a[24],
      s,
      {
        dx: a.slice(29, 37),
        dl: a.slice(37, 45),
        dr: a.slice(45, 53),
        dw: a[53],
        dsigma: a.slice(54, 58),
      },
      dw!,
      ds!,
      m,
      c,
      u * block,
      Math.min(c, (u + 1) * block),
    ),
};

/** MVSiLU forward context: arrays, M, C, rows per unit. */
interface SiluCtx {
  a: Float32Array[];
  m: number;
  c: number;
  block: number;
}

const siluForward: JobKind<SiluCtx> = {
  // arrays [x0…7, α0…3, β0…3, y0…7]; params [M, C, rows per unit]; unit = row block
  prepare: (a, p) => ({ a, m: p[0], c: p[1], block: p[2] }),
  run: ({ a, m, c, block }, u) =>
    mvSiluForwardRange(
      a.slice(0, 8),
      a.slice(8, 12),
      a.slice(12, 16),
      a.slice(16, 24),
      c,
      u * block,
      Math.min(m, (u + 1) * block),
    ),
};

/**
 * A row-parallel kind (see `rows.ts`): params `[rows per unit, rows on the pool, …kernel's]`;
 * unit u computes the flat rows `[u·rows, min(pool rows, (u + 1)·rows))` of every output.
 */
function rowsKind(
  range: (a: Float32Array[], p: Float64Array, r0: number, r1: number) => void,
): JobKind<Ranged> {
  return {
    prepare: (a, p) => ({ a, p }),
    run: ({ a, p }, u) => range(a, p, u * p[0], Math.min(p[1], (u + 1) * p[0])),
  };
}

/**
 * A chunked kind (see `rows.ts`): params `[rows per chunk, rows, partial length, …kernel's]`;
 * unit c computes rows `[c·rows per chunk, …)` and adds into its own float64 partial, chunk c
 * of the last array (zeroed first).
 */
function chunksKind(
  range: (a: Float32Array[], p: Float64Array, r0: number, r1: number, part: Float64Array) => void,
): JobKind<Ranged> {
  return {
    prepare: (a, p) => ({ a, p }),
    run: ({ a, p }, c) => {
      const last = a[a.length - 1], length = p[2];
      const part = new Float64Array(last.buffer, last.byteOffset + 8 * c * length, length);
      part.fill(0);
      range(a, p, c * p[0], Math.min(p[1], (c + 1) * p[0]), part);
    },
  };
}

/** Every job kind, by name; the control block carries the index in {@link JOB_NAMES}. */
export const JOB_KINDS = {
  fftConv,
  gpForward,
  gpBackward,
  siluForward,
  // arrays [q, k, logits]; params [·, ·, M, N]
  gramLogits: rowsKind((a, p, r0, r1) => gramLogitsRange(a[0], a[1], a[2], p[2], p[3], r0, r1)),
  // arrays [q, k, v, u, stats]; params [·, ·, N, flash]
  vectorAttention: rowsKind((a, p, r0, r1) =>
    (p[3] ? vectorFlashRows : vectorMaterializedRows)(a[0], a[1], a[2], a[3], a[4], p[2], r0, r1)
  ),
  // arrays [q, k, v, o, stats]; params [·, ·, B, N, D, flash]
  scalarAttention: rowsKind((a, p, r0, r1) =>
    (p[5] ? scalarFlashRows : scalarMaterializedRows)(
      a[0],
      a[1],
      a[2],
      a[3],
      a[4],
      { b: p[2], n: p[3], w: p[4] },
      r0,
      r1,
    )
  ),
  // arrays [du, q, k, v, u, stats, dq, partials]; params [·, ·, ·, N, flash]
  vectorAttentionGrad: chunksKind((a, p, r0, r1, part) =>
    vectorBackwardRows(a[0], a[1], a[2], a[3], a[4], a[5], p[4] !== 0, a[6], part, p[3], r0, r1)
  ),
  // arrays [do, q, k, v, o, stats, dq, partials]; params [·, ·, ·, B, N, D, flash]
  scalarAttentionGrad: chunksKind((a, p, r0, r1, part) =>
    scalarBackwardRows(
      a[0],
      a[1],
      a[2],
      a[3],
      a[4],
      a[5],
      p[6] !== 0,
      a[6],
      part,
      { b: p[3], n: p[4], w: p[5] },
      r0,
      r1,
    )
  ),
} as Record<string, JobKind>;
/** Job names in index order. */
export const JOB_NAMES: readonly string[] = Object.keys(JOB_KINDS);
