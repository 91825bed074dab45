/**
 * The non-equivariant Hyena baseline (Poli et al. 2023, order 2), on the concatenated
 * per-token inputs `[x, w, f]`.
 *
 * One Hyena operator: `z = Dense(LN(h)) → [B, N, 3W]`, a short causal depthwise
 * convolution (kernel 3) on z, split into `(x0, x1, v)`, then
 * `v ← x1 ⊙ v`, `v ← k ∗ v + bias ⊙ v` (long causal convolution), `y = Dense(x0 ⊙ v)`.
 *
 * The long filter `k: [N, W]` is implicit: a sinusoidal positional embedding of the
 * position t (`[t/N, cos(2π f t/N), −sin(2π f t/N)]`, f = 1e-4 … bands−1) → MLP with sine
 * activations (learned frequency per unit) → times an exponential decay window
 * `exp(−(t/N)·|δ_c|)` with δ spread per channel from `ln(1e-2)/1.5` to `ln(1e-2)/0.3`
 * (Hyena's defaults). The long convolution is causal (both inputs zero-padded to 2N) and
 * runs through the project's `fftConv` (kernel `FftConvSe3`), O(N log N).
 *
 * Block: `h ← h + Hyena(LN(h))`, `h ← h + MLP(LN(h))`.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { fftConv } from "../fft_conv.ts";
import { concatInputs, Dense, LayerNorm, Mlp, ParamStore } from "./layers.ts";
import { type BaselineOptions, checkInt, type ModelInputs, type TokenEncoder } from "./encoder.ts";

/** Options of {@link createHyena}. */
export interface HyenaOptions extends BaselineOptions {
  /** Frequency bands of the filter's positional embedding (embedding width 1 + 2·bands). Default 4. */
  filterBands?: number;
  /** Hidden width of the filter MLP. Default 32. */
  filterWidth?: number;
  /** Initial frequency of the sine activations. Default 1 (Hyena's `w`). */
  sineFreq?: number;
}

/** Sinusoidal positional embedding of positions 0..n−1 for the implicit filter, `[n, 1 + 2·bands]`. */
export function filterPositionalEmbedding(n: number, bands: number): Float32Array {
  const dim = 1 + 2 * bands;
  const out = new Float32Array(n * dim);
  for (let t = 0; t < n; t++) {
    const w = (2 * Math.PI * t) / n;
    out[t * dim] = n > 1 ? t / (n - 1) : 0;
    for (let b = 0; b < bands; b++) {
      const f = bands > 1 ? 1e-4 + ((bands - 1 - 1e-4) * b) / (bands - 1) : 1e-4;
      out[t * dim + 1 + b] = Math.cos(f * w);
      out[t * dim + 1 + bands + b] = -Math.sin(f * w);
    }
  }
  return out;
}

/** The exponential decay window `exp(−(t/(n−1))·|δ_c|)`, `[n, width]`. */
export function decayWindow(
  n: number,
  width: number,
  fast = 0.3,
  slow = 1.5,
  target = 1e-2,
): Float32Array {
  const maxDecay = Math.log(target) / fast, minDecay = Math.log(target) / slow;
  const out = new Float32Array(n * width);
  for (let t = 0; t < n; t++) {
    const tn = n > 1 ? t / (n - 1) : 0;
    for (let c = 0; c < width; c++) {
      const d = width > 1 ? minDecay + ((maxDecay - minDecay) * c) / (width - 1) : minDecay;
      out[t * width + c] = Math.exp(-tn * Math.abs(d));
    }
  }
  return out;
}

/** The implicit long filter: positional embedding → sine MLP → decay window. */
class ImplicitFilter {
  readonly l1: Dense;
  readonly l2: Dense;
  readonly l3: Dense;
  readonly freq1: tf.Variable;
  readonly freq2: tf.Variable;
  constructor(
    p: ParamStore,
    readonly bands: number,
    hidden: number,
    readonly width: number,
    freq: number,
  ) {
    this.l1 = new Dense(p, 1 + 2 * bands, hidden);
    this.freq1 = p.constant([hidden], freq);
    this.l2 = new Dense(p, hidden, hidden);
    this.freq2 = p.constant([hidden], freq);
    this.l3 = new Dense(p, hidden, width, false);
  }

  /** The filter for length n, `[n, W]`. */
  apply(n: number): tf.Tensor {
    const z = tf.tensor2d(filterPositionalEmbedding(n, this.bands), [n, 1 + 2 * this.bands]);
    let h = tf.sin(tf.mul(this.freq1, this.l1.apply(z)));
    h = tf.sin(tf.mul(this.freq2, this.l2.apply(h)));
    const k = this.l3.apply(h); // [n, W]
    return tf.mul(k, tf.tensor2d(decayWindow(n, this.width), [n, this.width]));
  }
}

/** Causal depthwise convolution with kernel 3: `y_t = a0 z_t + a1 z_{t−1} + a2 z_{t−2}`. */
class ShortConv {
  readonly taps: tf.Variable; // [3, C]
  readonly bias: tf.Variable; // [C]
  constructor(p: ParamStore, readonly channels: number) {
    this.taps = p.uniform([3, channels], Math.sqrt(1 / 3));
    this.bias = p.constant([channels], 0);
  }
  apply(z: tf.Tensor): tf.Tensor {
    const [b, n, c] = z.shape;
    const padded = tf.pad(z, [[0, 0], [2, 0], [0, 0]]); // [B, N+2, C]
    let y: tf.Tensor = this.bias;
    for (let s = 0; s < 3; s++) {
      const shifted = tf.slice(padded, [0, 2 - s, 0], [b, n, c]); // z_{t−s}
      y = tf.add(y, tf.mul(shifted, tf.reshape(tf.slice(this.taps, [s, 0], [1, c]), [c])));
    }
    return y;
  }
}

class HyenaOperator {
  readonly inProj: Dense;
  readonly short: ShortConv;
  readonly filter: ImplicitFilter;
  readonly bias: tf.Variable; // [W]
  readonly outProj: Dense;
  constructor(
    p: ParamStore,
    readonly width: number,
    bands: number,
    filterWidth: number,
    freq: number,
  ) {
    this.inProj = new Dense(p, width, 3 * width);
    this.short = new ShortConv(p, 3 * width);
    this.filter = new ImplicitFilter(p, bands, filterWidth, width, freq);
    this.bias = p.uniform([width], 1);
    this.outProj = new Dense(p, width, width);
  }

  apply(u: tf.Tensor): tf.Tensor {
    const [b, n, w] = u.shape;
    const z = this.short.apply(this.inProj.apply(u)); // [B, N, 3W]
    const x0 = tf.slice(z, [0, 0, 0], [b, n, w]);
    const x1 = tf.slice(z, [0, 0, w], [b, n, w]);
    let v = tf.slice(z, [0, 0, 2 * w], [b, n, w]);
    v = tf.mul(x1, v);
    const k = this.filter.apply(n); // [N, W]
    // Causal (linear) convolution as a circular one of length 2N.
    const vPad = tf.pad(v, [[0, 0], [0, n], [0, 0]]); // [B, 2N, W]
    const kPad = tf.tile(tf.expandDims(tf.pad(k, [[0, n], [0, 0]]), 0), [b, 1, 1]); // [B, 2N, W]
    const conv = tf.slice(fftConv(vPad as tf.Tensor3D, kPad as tf.Tensor3D), [0, 0, 0], [b, n, w]); // [B, N, W]
    v = tf.add(conv, tf.mul(v, this.bias));
    return this.outProj.apply(tf.mul(x0, v));
  }
}

class Block {
  readonly ln1: LayerNorm;
  readonly op: HyenaOperator;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;
  constructor(
    p: ParamStore,
    width: number,
    mlpRatio: number,
    bands: number,
    filterWidth: number,
    freq: number,
  ) {
    this.ln1 = new LayerNorm(p, width);
    this.op = new HyenaOperator(p, width, bands, filterWidth, freq);
    this.ln2 = new LayerNorm(p, width);
    this.mlp = new Mlp(p, width, mlpRatio * width, width);
  }
  apply(h: tf.Tensor): tf.Tensor {
    const h1 = tf.add(h, this.op.apply(this.ln1.apply(h)));
    return tf.add(h1, this.mlp.apply(this.ln2.apply(h1)));
  }
}

/**
 * Creates the Hyena baseline: `Dense(3 + 3m + S → W)`, `layers` Hyena blocks, final layer norm.
 *
 * @throws Error naming the option and value when a size is invalid.
 */
export function createHyena(opts: HyenaOptions): TokenEncoder {
  const s = checkInt("scalarInputs", opts.scalarInputs, 0);
  const m = checkInt("vectorInputs", opts.vectorInputs ?? 0, 0);
  const width = checkInt("width", opts.width ?? 48);
  const layers = checkInt("layers", opts.layers ?? 3);
  const mlpRatio = checkInt("mlpRatio", opts.mlpRatio ?? 2);
  const bands = checkInt("filterBands", opts.filterBands ?? 4);
  const filterWidth = checkInt("filterWidth", opts.filterWidth ?? 32);
  const freq = opts.sineFreq ?? 1;
  const p = new ParamStore(opts.seed ?? 0, "hyena");
  const embed = new Dense(p, 3 + 3 * m + s, width);
  const blocks = Array.from(
    { length: layers },
    () => new Block(p, width, mlpRatio, bands, filterWidth, freq),
  );
  const lnOut = new LayerNorm(p, width);
  return {
    width,
    trainableVariables: p.variables,
    apply(inputs: ModelInputs): tf.Tensor {
      return tf.tidy(() => {
        let h = embed.apply(concatInputs(inputs)); // [B, N, W]
        for (const blk of blocks) h = blk.apply(h);
        return lnOut.apply(h);
      });
    },
    parameterCount: () => p.count(),
    dispose: () => p.dispose(),
  };
}
