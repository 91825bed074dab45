/**
 * Equivariant associative recall (SE(3)-Hyena paper, Figure 4).
 *
 * A sequence of 3-vectors `key, value, key, value, …, query` where the key–value
 * bigrams come from a vocabulary of 4 pairs (directions isotropic random unit vectors,
 * magnitudes uniform in [1, 4]); the query repeats one key of the sequence and the target
 * is the value paired with it. The invariant input of each token is a 16-dim sinusoidal
 * positional encoding.
 *
 * Choices where the paper is silent:
 * - length N counts every token including the query. The pairs take the last
 *   `2·⌊(N−1)/2⌋` tokens before the query; when N is even the first token is a zero
 *   vector (padding), so the query is always token N−1.
 * - each pair of a sequence is drawn uniformly from the vocabulary; the query key is
 *   drawn uniformly among the keys present in the sequence.
 * - `fixed` vocabulary: one vocabulary (drawn first from the seed) shared by all splits;
 *   every sequence of every split is rotated by its own uniformly random rotation (so a
 *   model cannot memorise the 4 values). `random` vocabulary: a new vocabulary for every
 *   sequence of every split, not rotated (it is already isotropic).
 *
 * @module
 */
import { Rng, rotateInPlace } from "./random.ts";
import { sinusoidalEncoding } from "./positional.ts";
import type { Split, TaskData } from "./dataset.ts";

/** Options of {@link makeRecallData}; defaults are the paper's. */
export interface RecallOptions {
  /** Tokens per sequence including the query, N ≥ 3. */
  seqLen: number;
  /** `fixed`: one vocabulary, rotated sequences; `random`: a new vocabulary per sequence. */
  vocabulary: "fixed" | "random";
  /** Key–value pairs in a vocabulary. Default 4. */
  vocabSize?: number;
  /** Default 2600. */
  trainSize?: number;
  /** Default 200. */
  valSize?: number;
  /** Default 200. */
  testSize?: number;
  /** Default 0. */
  seed?: number;
  /** Width of the positional encoding, S. Default 16. */
  peDim?: number;
  /** Magnitude range of keys and values. Default [1, 4]. */
  magnitude?: [number, number];
}

/** A vocabulary: `keys` and `values`, each `[vocabSize, 3]` row-major. */
export interface Vocabulary {
  keys: Float64Array;
  values: Float64Array;
}

/** Draws a vocabulary: isotropic directions, magnitudes uniform in `magnitude`. */
export function makeVocabulary(
  rng: Rng,
  size = 4,
  magnitude: [number, number] = [1, 4],
): Vocabulary {
  const draw = () => {
    const out = new Float64Array(size * 3);
    for (let i = 0; i < size; i++) {
      const [a, b, c] = rng.unitVector();
      const m = rng.uniform(magnitude[0], magnitude[1]);
      out[3 * i] = a * m, out[3 * i + 1] = b * m, out[3 * i + 2] = c * m;
    }
    return out;
  };
  const keys = draw();
  const values = draw();
  return { keys, values };
}

/**
 * Writes one recall sequence into `x` (`[N, 3]`) and its target into `y` (`[3]`).
 *
 * @returns the index of the queried pair in the vocabulary.
 */
export function writeRecallSequence(
  rng: Rng,
  vocab: Vocabulary,
  seqLen: number,
  x: Float32Array,
  y: Float32Array,
): number {
  const size = vocab.keys.length / 3;
  const pairs = Math.floor((seqLen - 1) / 2);
  const pad = seqLen - 1 - 2 * pairs;
  x.fill(0, 0, pad * 3);
  const present = new Set<number>();
  for (let p = 0; p < pairs; p++) {
    const v = rng.int(size);
    present.add(v);
    const o = (pad + 2 * p) * 3;
    for (let c = 0; c < 3; c++) {
      x[o + c] = vocab.keys[3 * v + c];
      x[o + 3 + c] = vocab.values[3 * v + c];
    }
  }
  const choices = [...present].sort((a, b) => a - b);
  const q = choices[rng.int(choices.length)];
  for (let c = 0; c < 3; c++) {
    x[(seqLen - 1) * 3 + c] = vocab.keys[3 * q + c];
    y[c] = vocab.values[3 * q + c];
  }
  return q;
}

function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`${name}: expected an integer ≥ ${min}, got ${v}`);
  }
  return v;
}

/**
 * Generates the three splits of the recall task, reproducibly from `seed`.
 *
 * Shapes: `x: [n, N, 3]`, `f: [n, N, peDim]` (the same positional encoding in every
 * sample), `w: null`, `y: [n, 3]`.
 *
 * @throws Error naming the field and value for invalid options.
 */
export function makeRecallData(opts: RecallOptions): TaskData {
  const seqLen = positiveInt("seqLen", opts.seqLen, 3);
  if (opts.vocabulary !== "fixed" && opts.vocabulary !== "random") {
    throw new Error(
      `vocabulary: expected "fixed" or "random", got ${JSON.stringify(opts.vocabulary)}`,
    );
  }
  const vocabSize = positiveInt("vocabSize", opts.vocabSize ?? 4);
  const sizes = [
    positiveInt("trainSize", opts.trainSize ?? 2600),
    positiveInt("valSize", opts.valSize ?? 200),
    positiveInt("testSize", opts.testSize ?? 200),
  ];
  const peDim = positiveInt("peDim", opts.peDim ?? 16);
  const magnitude = opts.magnitude ?? [1, 4];
  const rng = new Rng(opts.seed ?? 0);
  const fixed = opts.vocabulary === "fixed" ? makeVocabulary(rng, vocabSize, magnitude) : null;
  const pe = sinusoidalEncoding(seqLen, peDim);
  const make = (n: number): Split => {
    const x = new Float32Array(n * seqLen * 3);
    const f = new Float32Array(n * seqLen * peDim);
    const y = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const xs = x.subarray(i * seqLen * 3, (i + 1) * seqLen * 3);
      const ys = y.subarray(i * 3, i * 3 + 3);
      const vocab = fixed ?? makeVocabulary(rng, vocabSize, magnitude);
      writeRecallSequence(rng, vocab, seqLen, xs, ys);
      if (fixed) {
        const r = rng.rotation();
        rotateInPlace(xs, r);
        rotateInPlace(ys, r);
      }
      f.set(pe, i * seqLen * peDim);
    }
    return { n, x, f, w: null, y };
  };
  const [train, val, test] = sizes.map(make);
  return {
    task: `recall-${opts.vocabulary}`,
    seqLen,
    scalarInputs: peDim,
    vectorInputs: 0,
    target: "pooled",
    train,
    val,
    test,
  };
}
