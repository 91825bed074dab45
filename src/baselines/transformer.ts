/**
 * The non-equivariant transformer baseline: a standard pre-norm transformer encoder
 * (bidirectional multi-head self-attention and a GELU MLP, residual connections) on the
 * concatenated per-token inputs `[x, w, f]`.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { concatInputs, Dense, LayerNorm, Mlp, ParamStore } from "./layers.ts";
import { type BaselineOptions, checkInt, type ModelInputs, type TokenEncoder } from "./encoder.ts";

/** Options of {@link createTransformer}. */
export interface TransformerOptions extends BaselineOptions {
  /** Attention heads; must divide `width`. Default 4. */
  heads?: number;
}

class Block {
  readonly ln1: LayerNorm;
  readonly qkv: Dense;
  readonly out: Dense;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;
  constructor(p: ParamStore, readonly width: number, readonly heads: number, mlpRatio: number) {
    this.ln1 = new LayerNorm(p, width);
    this.qkv = new Dense(p, width, 3 * width);
    this.out = new Dense(p, width, width);
    this.ln2 = new LayerNorm(p, width);
    this.mlp = new Mlp(p, width, mlpRatio * width, width);
  }

  apply(h: tf.Tensor): tf.Tensor {
    const [b, n, w] = h.shape;
    const hd = w / this.heads;
    const qkv = this.qkv.apply(this.ln1.apply(h)); // [B, N, 3W]
    const split = (i: number) =>
      tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, i * w], [b, n, w]), [b, n, this.heads, hd]), [
        0,
        2,
        1,
        3,
      ]); // [B, H, N, hd]
    const q = split(0), k = split(1), v = split(2);
    const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(hd)); // [B, H, N, N]
    const att = tf.matMul(tf.softmax(scores, -1), v); // [B, H, N, hd]
    const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [b, n, w]); // [B, N, W]
    const h1 = tf.add(h, this.out.apply(merged));
    return tf.add(h1, this.mlp.apply(this.ln2.apply(h1)));
  }
}

/**
 * Creates a pre-norm transformer encoder: `Dense(3 + 3m + S → W)`, `layers` blocks
 * `h ← h + MHA(LN(h))`, `h ← h + MLP(LN(h))`, and a final layer norm.
 *
 * @throws Error naming the option and value when a size is invalid.
 */
export function createTransformer(opts: TransformerOptions): TokenEncoder {
  const s = checkInt("scalarInputs", opts.scalarInputs, 0);
  const m = checkInt("vectorInputs", opts.vectorInputs ?? 0, 0);
  const width = checkInt("width", opts.width ?? 48);
  const layers = checkInt("layers", opts.layers ?? 3);
  const heads = checkInt("heads", opts.heads ?? 4);
  const mlpRatio = checkInt("mlpRatio", opts.mlpRatio ?? 2);
  if (width % heads !== 0) {
    throw new Error(`heads: expected a divisor of width ${width}, got ${heads}`);
  }
  const p = new ParamStore(opts.seed ?? 0, "transformer");
  const embed = new Dense(p, 3 + 3 * m + s, width);
  const blocks = Array.from({ length: layers }, () => new Block(p, width, heads, mlpRatio));
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
