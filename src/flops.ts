/**
 * Analytic FLOP counts of one pass of the models in design/model.md, so reports can show
 * achieved GFLOP/s. A FLOP is one floating-point add, multiply, divide, compare or
 * transcendental (exp, sqrt, sigmoid counted as 4: exp, add, divide plus the negation).
 *
 * What is counted (per token unless stated; B batch, N tokens, D, C, G from the preset):
 * - MVLinear(Cin→Cout): 2·8·Cin·Cout (one multiply-add per blade, input and output channel)
 *   + Cout (grade-0 bias).
 * - MVSiLU(C): per channel 14 (squared norms of grades 1–3) + 4·2 (affine) + 4·4 (sigmoid)
 *   + 8 (scaling) = 46·C.
 * - GeometricProduct(C): two MVLinear(C→C) + normalisation 46·C + the bilinear product,
 *   64 non-zero Cayley entries × 3 (two multiplies, one add) = 192·C, + 16·C (sum, /√2).
 * - MVLayerNorm(C): 16·C (norm) + 8·C (scale) + 2·C (mean, divide).
 * - Clifford MLP (depth 1): MVLinear → MVSiLU → GeometricProduct → MVLayerNorm → MVLinear.
 * - SE(3)-Hyena global context: D + 6 circular convolutions of length N per sample
 *   (D scalar channels, 6 for the cross-product convolution), each two forward FFTs,
 *   one pointwise complex product and one inverse FFT, all of size M (M = N for N a power of
 *   two, else the power of two ≥ 2N). A complex FFT of size M costs 5·M·log2 M (the usual
 *   FFTW convention; a real-input FFT does about half, which we do not assume); the complex
 *   product 6·M. Plus the O(N) parts: centring (6 per token), 1/N scaling (D + 3), the
 *   cross-product recombination (3).
 * - Equivariant-transformer global context, per (query, key) pair, B·N² pairs:
 *   `materialized` 36 (cross product 9, norm 6, scale 1, softmax 5, weighting 3, cross with v 9,
 *   accumulation 3) + scalar attention 4·D + 6; `gram` 29 + 4·D + 6 (dot products instead of
 *   cross products, see design/model.md §4). `flash` depends on the framework: our
 *   TensorFlow.js kernels compute the cross products per pair (36, as materialized;
 *   `src/kernels/attention_math.ts`), PyTorch's flash uses the Gram identity (29, as gram;
 *   `python/se3_torch/context.py`).
 * - Per-token glue: gates (2 sigmoids, D + 3 products), cross/elementwise combine (9 + D),
 *   residual adds (2·(D + 3) per block), centring and un-centring of the input (9).
 *
 * Backward: a `backward` case runs the forward pass and the gradients of every trainable
 * variable. Each gradient of a linear map costs about two forward applications (one for
 * the input gradient, one for the weight gradient), so the count is 3 × forward (forward
 * + backward ≈ 2 × forward). This is the standard approximation, documented as such.
 *
 * The non-equivariant `hyena` and `transformer` baselines and `train` cases have no count
 * here (`null`).
 *
 * @module
 */
import { type Preset, PRESETS } from "./models/presets.ts";

/** What {@link passFlops} needs from a case. */
export interface FlopsQuery {
  model: string;
  pass: string;
  seqLen: number;
  batch: number;
  preset: string;
  attention?: string;
  /** `tfjs` (default) or `torch`: which implementation's per-pair count `flash` uses. */
  framework?: string;
  /** Scalar inputs per token S; default D. */
  scalarInputs?: number;
  /** Extra vector inputs per token m; default 0. */
  vectorInputs?: number;
}

/** FLOPs of MVLinear(cin → cout) per token. */
export function mvLinearFlops(cin: number, cout: number): number {
  return 2 * 8 * cin * cout + cout;
}

/** FLOPs of a depth-1 CliffordMLP(cin → c → cout) per token. */
export function cliffordMlpFlops(cin: number, c: number, cout: number): number {
  const silu = 46 * c;
  const gp = 2 * mvLinearFlops(c, c) + 46 * c + 192 * c + 16 * c;
  const norm = 26 * c;
  return mvLinearFlops(cin, c) + silu + gp + norm + mvLinearFlops(c, cout);
}

/** FFT size used for a circular convolution of length n. */
export function fftSize(n: number): number {
  const pow2 = 2 ** Math.ceil(Math.log2(Math.max(1, n)));
  return pow2 === n ? n : 2 ** Math.ceil(Math.log2(2 * n));
}

/** FLOPs of one circular convolution of length n by FFT (2 forward, 1 inverse, product). */
export function fftConvFlops(n: number): number {
  const m = fftSize(n);
  const fft = m > 1 ? 5 * m * Math.log2(m) : 0;
  return 3 * fft + 6 * m;
}

/** FLOPs per (query, key) pair of the vector attention: 29 with the Gram identity, else 36. */
export function vectorPairFlops(attention = "materialized", framework = "tfjs"): number {
  const gramIdentity = attention === "gram" || (attention === "flash" && framework === "torch");
  return gramIdentity ? 29 : 36;
}

/**
 * Forward FLOPs of one SE(3)-Hyena operator or attention layer's global context, per sample.
 * `framework` (default `tfjs`) matters only for `flash` attention (see the module doc).
 */
export function globalContextFlops(
  model: string,
  n: number,
  d: number,
  attention = "materialized",
  framework = "tfjs",
): number {
  if (model === "se3-hyena") {
    return (d + 6) * fftConvFlops(n) + n * (6 + d + 3 + 3);
  }
  if (model === "equivariant-transformer") {
    const perPair = vectorPairFlops(attention, framework) + 4 * d + 6;
    return n * n * perPair;
  }
  throw new RangeError(`globalContextFlops: no FLOP model for model ${JSON.stringify(model)}`);
}

/** Forward FLOPs of a whole model (embedding, blocks, output), all samples. */
export function forwardFlops(q: FlopsQuery): number | null {
  if (q.model !== "se3-hyena" && q.model !== "equivariant-transformer") return null;
  const p: Preset | undefined = (PRESETS as Record<string, Preset>)[q.preset];
  if (!p) return null;
  const { D, C, G, layers } = p;
  const S = q.scalarInputs ?? D;
  const m = q.vectorInputs ?? 0;
  const n = q.seqLen;
  const perTokenModel = 9 + cliffordMlpFlops(S + 1 + m, C, D);
  const perTokenOperator = cliffordMlpFlops(D + 1, C, Math.max(3, 3 * D)) + // φ
    cliffordMlpFlops(D + 1, G, 2) + 2 * 4 + (D + 3) + // γ and the gates
    9 + D + // combine with values
    cliffordMlpFlops(D + 1, C, D); // ξ
  const perTokenBlock = perTokenOperator + cliffordMlpFlops(D + 1, C, D) + 2 * (D + 3);
  const perSample = n * (perTokenModel + layers * perTokenBlock) +
    layers * globalContextFlops(q.model, n, D, q.attention, q.framework);
  return q.batch * perSample;
}

/** FLOPs of the pass a case runs: forward, or 3 × forward for backward; null when unknown. */
export function passFlops(q: FlopsQuery): number | null {
  const f = forwardFlops(q);
  if (f === null) return null;
  if (q.pass === "forward") return f;
  if (q.pass === "backward") return 3 * f;
  return null;
}
