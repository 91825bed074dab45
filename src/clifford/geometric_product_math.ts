/**
 * The math of the fused geometric-product kernels, on plain Float32Arrays in the
 * blade-split layout (8 arrays `[M, C]` per multivector, channels contiguous), shared by
 * the `cpu` and `wasm` kernels:
 *
 *   y_j = (l_j + P(x, n(r))_j) / √2                                  (design/model.md §2)
 *   P(a, q)_j = Σ_{(i,k): e_i e_k = ±e_j} ±w[c, path(i,j,k)] · a_i · q_k
 *   n(r)_k = r_k / d_g,  d_g = sigmoid(σ_g) · (‖r_g‖ − 1) + 1 + ε,  ‖r_g‖ = sqrt(Σ_{k∈g} r_k² + ε²)
 *
 * and its gradient wrt x, l, r, w and σ. The inner loops are generated once, at module
 * load, from the Cayley table (the 64 signed terms unrolled, grouped by the 20 path weights),
 * so each (token, channel) keeps its 16 inputs and 20 weights in locals and allocates
 * nothing; arithmetic is float64, stored as float32. Weight gradients are summed over the
 * tokens in float64.
 *
 * @module
 */
import { bladeProduct, GRADES } from "./blades.ts";

/** ε of the normalisation `n(·)` (also inside the square root, squared). */
export const PRODUCT_NORM_EPS = 1e-6;

/** The grade paths `[grade(i), grade(j), grade(k)]` that occur in the Cayley table (20). */
export const GRADE_PATHS: readonly (readonly [number, number, number])[] = (() => {
  const seen = new Map<string, [number, number, number]>();
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 8; k++) {
      const { j } = bladeProduct(i, k);
      const p: [number, number, number] = [GRADES[i], GRADES[j], GRADES[k]];
      seen.set(p.join(","), p);
    }
  }
  return [...seen.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
})();

/** One non-zero Cayley entry: `e_i e_k = sign · e_j`, weighted by path `p`. */
export interface ProductTerm {
  i: number;
  j: number;
  k: number;
  sign: number;
  p: number;
}

/** The 64 signed terms of the product, in `(i, k)` order. */
export const PRODUCT_TERMS: readonly ProductTerm[] = (() => {
  const index = new Map(GRADE_PATHS.map((p, n) => [p.join(","), n]));
  const terms: ProductTerm[] = [];
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 8; k++) {
      const { j, sign } = bladeProduct(i, k);
      terms.push({ i, j, k, sign, p: index.get([GRADES[i], GRADES[j], GRADES[k]].join(","))! });
    }
  }
  return terms;
})();

const PATHS = GRADE_PATHS.length;
const GRADE_BLADES = [0, 1, 2, 3].map((g) => GRADES.flatMap((gb, b) => (gb === g ? [b] : [])));

/**
 * `Σ_p w_p · (±u·v ± …)` over `terms`, grouped by path so each weight multiplies once.
 * `u` and `v` name the two factors of a term.
 */
function weightedSum(
  terms: readonly ProductTerm[],
  u: (t: ProductTerm) => string,
  v: (t: ProductTerm) => string,
): string {
  const byPath = new Map<number, string[]>();
  for (const t of terms) {
    const list = byPath.get(t.p) ?? [];
    list.push(
      `${list.length === 0 ? (t.sign < 0 ? "-" : "") : t.sign < 0 ? " - " : " + "}` +
        `${u(t)} * ${v(t)}`,
    );
    byPath.set(t.p, list);
  }
  return [...byPath].map(([p, parts]) => `w${p} * (${parts.join("")})`).join(" + ");
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const list = (prefix: string, n: number) => range(n).map((i) => `${prefix}${i}`).join(", ");

/** Per (token, channel): loads x and r, normalises r into q (with `n{g}`, `v{g}` = 1/d_g). */
function loadAndNormalize(): string {
  const lines = [
    ...range(8).map((b) => `const a${b} = X${b}[i], r${b} = R${b}[i];`),
    ...[0, 1, 2, 3].map((g) => {
      const sq = GRADE_BLADES[g].map((b) => `r${b} * r${b}`).join(" + ");
      return `const n${g} = Math.sqrt(${sq} + EPS2), v${g} = 1 / (S[${g} * c + ch] * (n${g} - 1) + 1 + EPS);`;
    }),
    ...range(8).map((b) => `const q${b} = r${b} * v${GRADES[b]};`),
    `const wb = ch * ${PATHS};`,
    `const ${range(PATHS).map((p) => `w${p} = W[wb + ${p}]`).join(", ")};`,
  ];
  return lines.join("\n");
}

function forwardSource(): string {
  const body = range(8).map((j) => {
    const sum = weightedSum(
      PRODUCT_TERMS.filter((t) => t.j === j),
      (t) => `a${t.i}`,
      (t) => `q${t.k}`,
    );
    return `Y${j}[i] = (L${j}[i] + ${sum}) * SQRT1_2;`;
  });
  return `
const [${list("X", 8)}] = X, [${list("L", 8)}] = L, [${list("R", 8)}] = R, [${list("Y", 8)}] = Y;
for (let t = t0; t < t1; t++) {
  for (let ch = c0, i = t * c + c0; ch < c1; ch++, i++) {
${loadAndNormalize()}
${body.join("\n")}
  }
}`;
}

function backwardSource(): string {
  const lines: string[] = [
    ...range(8).map((j) => `const e${j} = DY${j}[i] * SQRT1_2; DL${j}[i] = e${j};`),
    // ∂x_i = Σ ±w · dp_j · q_k,  ∂q_k = Σ ±w · dp_j · a_i
    ...range(8).map((i) =>
      `DX${i}[i] = ${
        weightedSum(PRODUCT_TERMS.filter((t) => t.i === i), (t) => `e${t.j}`, (t) => `q${t.k}`)
      };`
    ),
    ...range(8).map((k) =>
      `const f${k} = ${
        weightedSum(PRODUCT_TERMS.filter((t) => t.k === k), (t) => `e${t.j}`, (t) => `a${t.i}`)
      };`
    ),
    // ∂w_p = Σ_tokens Σ_{terms of p} ±dp_j · a_i · q_k
    ...range(PATHS).map((p) => {
      const parts = PRODUCT_TERMS.filter((t) => t.p === p).map((t, n) =>
        `${
          n === 0 ? (t.sign < 0 ? "-" : "") : t.sign < 0 ? " - " : " + "
        }e${t.j} * a${t.i} * q${t.k}`
      );
      return `DW[wb + ${p}] += ${parts.join("")};`;
    }),
    // Through n(·): ∂r_k = ∂q_k / d − (Σ_g ∂q·r) / d² · s · r_k / ‖r_g‖;
    // ∂σ_g = −(Σ_g ∂q·r) / d² · (‖r_g‖ − 1) · s (1 − s).
    ...[0, 1, 2, 3].flatMap((g) => {
      const blades = GRADE_BLADES[g];
      const dot = blades.map((b) => `f${b} * r${b}`).join(" + ");
      return [
        `const s${g} = S[${g} * c + ch], h${g} = (${dot}) * v${g} * v${g}, o${g} = h${g} * s${g} / n${g};`,
        ...blades.map((b) => `DR${b}[i] = f${b} * v${g} - o${g} * r${b};`),
        `DS[${g} * c + ch] -= h${g} * (n${g} - 1) * s${g} * (1 - s${g});`,
      ];
    }),
  ];
  return `
const [${list("DY", 8)}] = DY, [${list("X", 8)}] = X, [${list("R", 8)}] = R;
const [${list("DX", 8)}] = DX, [${list("DL", 8)}] = DL, [${list("DR", 8)}] = DR;
for (let t = t0; t < t1; t++) {
  for (let ch = c0, i = t * c + c0; ch < c1; ch++, i++) {
${loadAndNormalize()}
${lines.join("\n")}
  }
}`;
}

type F32s = readonly Float32Array[];
const CONSTANTS = `"use strict";
const EPS = ${PRODUCT_NORM_EPS}, EPS2 = ${
  PRODUCT_NORM_EPS * PRODUCT_NORM_EPS
}, SQRT1_2 = Math.SQRT1_2;`;

// Built once from the Cayley table; no user input reaches the source text.
const forwardLoop = new Function(
  "X",
  "L",
  "R",
  "W",
  "S",
  "Y",
  "m",
  "c",
  "t0",
  "t1",
  "c0",
  "c1",
  CONSTANTS + forwardSource(),
) as (
  x: F32s,
  l: F32s,
  r: F32s,
  w: Float32Array,
  s: Float64Array,
  y: F32s,
  m: number,
  c: number,
  t0: number,
  t1: number,
  c0: number,
  c1: number,
) => void;
const backwardLoop = new Function(
  "DY",
  "X",
  "R",
  "W",
  "S",
  "DX",
  "DL",
  "DR",
  "DW",
  "DS",
  "m",
  "c",
  "t0",
  "t1",
  "c0",
  "c1",
  CONSTANTS + backwardSource(),
) as (
  dy: F32s,
  x: F32s,
  r: F32s,
  w: Float32Array,
  s: Float64Array,
  dx: F32s,
  dl: F32s,
  dr: F32s,
  dw: Float64Array,
  ds: Float64Array,
  m: number,
  c: number,
  t0: number,
  t1: number,
  c0: number,
  c1: number,
) => void;

/** `sigmoid(σ_g[c])` for the 4 grades, `[4 · C]` grade-major. */
export function productSigmoids(sigma: F32s, c: number): Float64Array {
  const s = new Float64Array(4 * c);
  for (let g = 0; g < 4; g++) {
    for (let ch = 0; ch < c; ch++) s[g * c + ch] = 1 / (1 + Math.exp(-sigma[g][ch]));
  }
  return s;
}

/** Inputs of {@link geometricProductForwardF32}; every multivector is 8 arrays `[M·C]`. */
export interface ProductArrays {
  /** Left factor `a` of the product (the layer input), 8 × `[M·C]`. */
  x: F32s;
  /** Skip term (the left linear map's output), 8 × `[M·C]`. */
  l: F32s;
  /** Right factor before normalisation (the right linear map's output), 8 × `[M·C]`. */
  r: F32s;
  /** Path weights `[C · 20]` (row-major `[C, 20]`). */
  w: Float32Array;
  /** σ of the normalisation, 4 × `[C]`. */
  sigma: F32s;
}

/**
 * Forward: `y_j = (l_j + P(x, n(r))_j) / √2` for M tokens of C channels.
 *
 * @param y 8 output arrays `[M·C]`, overwritten.
 */
export function geometricProductForwardF32(
  { x, l, r, w, sigma }: ProductArrays,
  y: F32s,
  m: number,
  c: number,
): void {
  geometricProductForwardRange(x, l, r, w, productSigmoids(sigma, c), y, m, c, 0, m);
}

/**
 * Rows (tokens) `[t0, t1)` of {@link geometricProductForwardF32}, with `s` the
 * {@link productSigmoids} of σ: what one thread of a pool computes.
 */
export function geometricProductForwardRange(
  x: F32s,
  l: F32s,
  r: F32s,
  w: Float32Array,
  s: Float64Array,
  y: F32s,
  m: number,
  c: number,
  t0: number,
  t1: number,
): void {
  forwardLoop(x, l, r, w, s, y, m, c, t0, t1, 0, c);
}

/** Outputs of {@link geometricProductBackwardF32}. */
export interface ProductGradArrays {
  /** ∂x, 8 × `[M·C]`. */
  dx: F32s;
  /** ∂l, 8 × `[M·C]`. */
  dl: F32s;
  /** ∂r, 8 × `[M·C]`. */
  dr: F32s;
  /** ∂w `[C · 20]`. */
  dw: Float32Array;
  /** ∂σ, 4 × `[C]`. */
  dsigma: F32s;
}

/**
 * Backward: the gradients of `Σ dy · y` wrt x, l, r, w and σ, from the forward's inputs
 * (l is not needed) and `dy` (8 × `[M·C]`). Every output array is overwritten.
 */
export function geometricProductBackwardF32(
  dy: F32s,
  { x, r, w, sigma }: Omit<ProductArrays, "l">,
  out: ProductGradArrays,
  m: number,
  c: number,
): void {
  const dw = new Float64Array(c * PATHS), ds = new Float64Array(4 * c);
  geometricProductBackwardRange(dy, x, r, w, productSigmoids(sigma, c), out, dw, ds, m, c, 0, c);
}

/**
 * Channels `[c0, c1)` of {@link geometricProductBackwardF32} over all tokens, with `s` the
 * {@link productSigmoids} of σ and `dw` (`[C · 20]`), `ds` (`[4 · C]`) float64 scratch
 * (their entries of these channels are zeroed here): what one thread of a pool computes.
 * The weight gradients of a channel are summed over the tokens in order, as in the
 * single-threaded function, so results are bitwise equal.
 */
export function geometricProductBackwardRange(
  dy: F32s,
  x: F32s,
  r: F32s,
  w: Float32Array,
  s: Float64Array,
  out: ProductGradArrays,
  dw: Float64Array,
  ds: Float64Array,
  m: number,
  c: number,
  c0: number,
  c1: number,
): void {
  dw.fill(0, c0 * PATHS, c1 * PATHS);
  for (let g = 0; g < 4; g++) ds.fill(0, g * c + c0, g * c + c1);
  backwardLoop(dy, x, r, w, s, out.dx, out.dl, out.dr, dw, ds, m, c, 0, m, c0, c1);
  out.dw.set(dw.subarray(c0 * PATHS, c1 * PATHS), c0 * PATHS);
  for (let g = 0; g < 4; g++) out.dsigma[g].set(ds.subarray(g * c + c0, g * c + c1), c0);
}
