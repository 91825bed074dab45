/**
 * The structure shared by SE(3)-Hyena and the equivariant transformer (design/model.md
 * §1, §3, §4): centring, the embedding Clifford MLP, `layers` blocks of
 * [operator (φ → global context → gating γ → combine → ξ) + residual, block MLP + residual],
 * and un-centring. The two models differ only in the global-context step, passed in as a
 * {@link GlobalContext}.
 *
 * Vector and scalar streams enter every Clifford MLP as channels: vectors first (grade 1),
 * then scalars (grade 0); a vector is read from grade 1, a scalar from grade 0, and a single
 * vector output from output channel 0.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { embed, readScalars, readVectors } from "../clifford/algebra.ts";
import { CliffordMLP } from "../clifford/clifford_mlp.ts";
import { ParamFactory } from "../clifford/params.ts";
import { cross } from "./attention.ts";
import { checkpointed } from "./checkpoint.ts";
import { perToken } from "./per_token.ts";
import type { PresetName } from "./presets.ts";

/** The two model kinds. */
export const MODEL_KINDS = ["se3-hyena", "equivariant-transformer"] as const;
/** A model kind. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Resolved sizes of a model. */
export interface ModelConfig {
  /** Number of blocks. */
  layers: number;
  /** Invariant width D. */
  D: number;
  /** Multivector channels C of the Clifford MLPs. */
  C: number;
  /** Gating width G. */
  G: number;
  /** Scalar inputs per token S. */
  S: number;
  /** Extra vector inputs per token m. */
  m: number;
}

/** A model's inputs. */
export interface ModelInputs {
  /** Positions `[B, N, 3]` (rotate and translate). */
  x: tf.Tensor3D;
  /** Invariant scalar features `[B, N, S]`. */
  f: tf.Tensor3D;
  /** Extra vectors `[B, N, m, 3]` (rotate, do not translate); required iff m > 0. */
  w?: tf.Tensor4D;
}

/** Options of {@link EquivariantModel.apply}. */
export interface ApplyOptions {
  /**
   * Token chunk size for the per-token sub-networks (embedding, φ, γ, ξ, block MLP).
   * Everything except the global-context step is per token, so with `tokenChunk > 0` these
   * run over chunks of that many tokens (of the flattened B·N) inside `tf.tidy` and are
   * concatenated. This bounds forward-pass memory to O(N·D) plus one chunk's Clifford
   * intermediates (≈ chunk·C·8 floats times a small factor) and lets SE(3)-Hyena reach
   * N = 2²⁰ in the wasm backend's 4 GiB heap. Outputs are the same as without chunking;
   * gradients are correct too, but then save no memory (the tape keeps every chunk) unless
   * `checkpoint` is set.
   * Default 0 (off). With `checkpoint`, also the chunk of the backward recomputation.
   */
  tokenChunk?: number;
  /**
   * Gradient checkpointing of the per-token sub-networks (src/models/checkpoint.ts): under
   * a gradient tape only their inputs and outputs are kept, and the backward pass recomputes
   * their activations (in chunks of `tokenChunk` tokens when set), so a backward pass needs
   * O(N·D) memory plus one chunk's Clifford intermediates instead of every layer's
   * `[N, C]` multivectors. Costs one more forward pass of the sub-networks. Outputs and
   * gradients equal the plain ones up to float32 rounding. Default `false`.
   */
  checkpoint?: boolean;
}

/** A model's outputs. */
export interface ModelOutputs {
  /** Positions `[B, N, 3]`. */
  x: tf.Tensor3D;
  /** Invariant features `[B, N, D]`. */
  f: tf.Tensor3D;
}

/** An SE(3)-equivariant sequence model `(x, f[, w]) → (x̂, f̂)`. */
export interface EquivariantModel {
  /** Which model. */
  readonly kind: ModelKind;
  /** Which size preset. */
  readonly preset: PresetName;
  /** Resolved sizes. */
  readonly config: Readonly<ModelConfig>;
  /**
   * Runs the model. The caller owns (and disposes) the returned tensors.
   *
   * @throws Error naming the argument and value for wrong ranks, shapes, dtypes, N = 0,
   *   mismatched B or N, or S / m different from the model's.
   */
  apply(inputs: ModelInputs, options?: ApplyOptions): ModelOutputs;
  /** Every trainable variable. */
  readonly trainableVariables: tf.Variable[];
  /** Number of scalar parameters. */
  parameterCount(): number;
  /** Disposes every variable; the model cannot be applied afterwards. */
  dispose(): void;
}

/** Queries, keys and values of both streams, `[B, N, 3]` and `[B, N, D]`. */
export interface QKV {
  qx: tf.Tensor3D;
  kx: tf.Tensor3D;
  vx: tf.Tensor3D;
  qf: tf.Tensor3D;
  kf: tf.Tensor3D;
  vf: tf.Tensor3D;
}

/** The global-context step (step 2 of the operator), the only part that mixes tokens. */
export interface GlobalContext {
  /**
   * `true`: step 4 combines with the values (`h_x + u_x × v_x`, `h_f + u_f ⊙ v_f`, SE(3)-Hyena);
   * `false`: it adds `u` directly (the transformer, whose values were used inside attention).
   */
  readonly combineWithValues: boolean;
  /** Computes `u_x: [B, N, 3]` and `u_f: [B, N, D]`. */
  compute(qkv: QKV): { ux: tf.Tensor3D; uf: tf.Tensor3D };
}

/** Runs a per-token sub-network `fn` on `[M, w_i]` inputs; `variables`: those `fn` reads. */
type PerTokenRunner = (
  fn: (inputs: tf.Tensor2D[]) => tf.Tensor2D[],
  inputs: tf.Tensor2D[],
  variables: tf.Variable[],
) => tf.Tensor2D[];

/** One block: operator (φ, γ, ξ) and block MLP. */
class Block {
  readonly phi: CliffordMLP;
  readonly gamma: CliffordMLP;
  readonly xi: CliffordMLP;
  readonly mlp: CliffordMLP;

  constructor(params: ParamFactory, { D, C, G }: ModelConfig) {
    this.phi = new CliffordMLP(params, D + 1, C, Math.max(3, 3 * D));
    this.gamma = new CliffordMLP(params, D + 1, G, 2);
    this.xi = new CliffordMLP(params, D + 1, C, D);
    this.mlp = new CliffordMLP(params, D + 1, C, D);
  }
}

/** Runs a Clifford MLP on one vector channel `[m, 3]` and scalar channels `[m, D]`. */
function runMlp(mlp: CliffordMLP, vx: tf.Tensor2D, sf: tf.Tensor2D) {
  const [m] = vx.shape;
  return mlp.call(embed(tf.reshape(vx, [m, 1, 3]), sf));
}

/** The grade-1 part of output channel 0 as `[m, 3]`. */
function vectorOut(mv: ReturnType<CliffordMLP["call"]>): tf.Tensor2D {
  const v = readVectors(mv, 0, 1);
  return tf.reshape(v, [v.shape[0], 3]);
}

/** Checks the shapes of a model's inputs against its config; returns B and N. */
function checkInputs(inputs: ModelInputs, config: ModelConfig): { b: number; n: number } {
  const shape = (t: unknown) => (t instanceof tf.Tensor ? `[${t.shape.join(",")}]` : String(t));
  const tensor = (name: string, t: unknown, rank: number, form: string): tf.Tensor => {
    if (!(t instanceof tf.Tensor) || t.rank !== rank) {
      throw new Error(`apply: ${name} must be a tf.Tensor of shape ${form}, got ${shape(t)}`);
    }
    if (t.dtype !== "float32") {
      throw new Error(`apply: ${name} must be float32, got dtype ${t.dtype}`);
    }
    return t;
  };
  if (inputs === null || typeof inputs !== "object") {
    throw new Error(`apply: inputs must be an object { x, f, w? }, got ${String(inputs)}`);
  }
  const x = tensor("x", inputs.x, 3, "[B, N, 3]");
  if (x.shape[2] !== 3) throw new Error(`apply: x must have shape [B, N, 3], got ${shape(x)}`);
  const [b, n] = x.shape;
  if (b < 1) throw new Error(`apply: x must have B ≥ 1, got shape ${shape(x)}`);
  if (n < 1) throw new Error(`apply: x must have N ≥ 1 tokens, got shape ${shape(x)}`);
  const f = tensor("f", inputs.f, 3, "[B, N, S]");
  if (f.shape[0] !== b || f.shape[1] !== n) {
    throw new Error(`apply: f must have B = ${b} and N = ${n} like x ${shape(x)}, got ${shape(f)}`);
  }
  if (f.shape[2] !== config.S) {
    throw new Error(`apply: f must have S = ${config.S} scalar inputs, got shape ${shape(f)}`);
  }
  if (config.m === 0) {
    if (inputs.w !== undefined) {
      throw new Error(`apply: w given (shape ${shape(inputs.w)}) but the model has vectorInputs 0`);
    }
  } else {
    const w = tensor("w", inputs.w, 4, `[B, N, ${config.m}, 3]`);
    if (w.shape[0] !== b || w.shape[1] !== n || w.shape[2] !== config.m || w.shape[3] !== 3) {
      throw new Error(`apply: w must have shape [${b}, ${n}, ${config.m}, 3], got ${shape(w)}`);
    }
  }
  return { b, n };
}

/** The shared model. */
export class CliffordSequenceModel implements EquivariantModel {
  readonly kind: ModelKind;
  readonly preset: PresetName;
  readonly config: Readonly<ModelConfig>;
  readonly #embedding: CliffordMLP;
  readonly #blocks: Block[];
  readonly #context: GlobalContext;
  readonly #params: ParamFactory;
  #disposed = false;

  /**
   * @param context the global-context step.
   * @param seed seed of every variable's initialisation.
   */
  constructor(
    kind: ModelKind,
    preset: PresetName,
    config: ModelConfig,
    context: GlobalContext,
    seed: number,
  ) {
    this.kind = kind;
    this.preset = preset;
    this.config = Object.freeze({ ...config });
    this.#context = context;
    this.#params = new ParamFactory(seed);
    this.#embedding = new CliffordMLP(this.#params, config.S + 1 + config.m, config.C, config.D);
    this.#blocks = Array.from({ length: config.layers }, () => new Block(this.#params, config));
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.#params.variables];
  }

  parameterCount(): number {
    return this.#params.variables.reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const v of this.#params.variables) v.dispose();
  }

  apply(inputs: ModelInputs, options: ApplyOptions = {}): ModelOutputs {
    if (this.#disposed) throw new Error(`apply: the ${this.kind} model has been disposed`);
    const { b, n } = checkInputs(inputs, this.config);
    const chunk = options.tokenChunk ?? 0;
    if (!Number.isInteger(chunk) || chunk < 0) {
      throw new Error(`apply: tokenChunk must be a non-negative integer, got ${chunk}`);
    }
    if (options.checkpoint !== undefined && typeof options.checkpoint !== "boolean") {
      throw new Error(`apply: checkpoint must be a boolean, got ${String(options.checkpoint)}`);
    }
    // Per-token sub-network runner: plain, or checkpointed with the variables it reads.
    const run: PerTokenRunner = options.checkpoint
      ? (fn, ins, vars) => checkpointed(fn, ins, vars, chunk)
      : (fn, ins) => perToken(fn, ins, chunk);
    const { D, S, m } = this.config;
    const rows = b * n;
    const seq = (t: tf.Tensor, w: number) => tf.reshape(t, [b, n, w]) as tf.Tensor3D;
    const flat = (t: tf.Tensor, w: number) => tf.reshape(t, [rows, w]) as tf.Tensor2D;
    return tf.tidy(() => {
      // Centring (once per model): every vector the network sees is x − c.
      const c = tf.mean(inputs.x, 1, true); // [B, 1, 3]
      const centred = flat(tf.sub(inputs.x, c), 3);
      const extra = m > 0 ? [flat(inputs.w!, 3 * m)] : [];
      let [hx, hf] = run(
        ([px, pf, pw]) => {
          const vectors = tf.reshape(pw ? tf.concat([px, pw], 1) : px, [px.shape[0], 1 + m, 3]);
          const out = this.#embedding.call(embed(vectors as tf.Tensor3D, pf));
          return [vectorOut(out), readScalars(out, 0, D)];
        },
        [centred, flat(inputs.f, S), ...extra],
        this.#embedding.variables,
      );
      for (const block of this.#blocks) {
        [hx, hf] = this.#block(block, hx, hf, { b, n, run });
      }
      return { x: tf.add(seq(hx, 3), c) as tf.Tensor3D, f: seq(hf, D) };
    });
  }

  /** One block on flattened streams `hx: [B·N, 3]`, `hf: [B·N, D]`. */
  #block(
    block: Block,
    hx: tf.Tensor2D,
    hf: tf.Tensor2D,
    { b, n, run }: { b: number; n: number; run: PerTokenRunner },
  ): [tf.Tensor2D, tf.Tensor2D] {
    const { D } = this.config;
    return tf.tidy(() => {
      // 1. Input projection φ (per token).
      const [qx, kx, vx, qf, kf, vf] = run(
        ([px, pf]) => {
          const out = runMlp(block.phi, px, pf);
          const v = readVectors(out, 0, 3); // [m, 3, 3]
          const [q3, k3, v3] = tf.split(v, 3, 1).map((t) => tf.reshape(t, [px.shape[0], 3]));
          const s = readScalars(out, 0, 3 * D); // [m, 3D]
          const [q1, k1, v1] = tf.split(s, 3, 1);
          return [q3, k3, v3, q1, k1, v1] as tf.Tensor2D[];
        },
        [hx, hf],
        block.phi.variables,
      );
      // 2. Global context (mixes tokens).
      const seq = (t: tf.Tensor, w: number) => tf.reshape(t, [b, n, w]) as tf.Tensor3D;
      const { ux, uf } = this.#context.compute({
        qx: seq(qx, 3),
        kx: seq(kx, 3),
        vx: seq(vx, 3),
        qf: seq(qf, D),
        kf: seq(kf, D),
        vf: seq(vf, D),
      });
      const rows = b * n;
      const combine = this.#context.combineWithValues;
      const values = combine ? [vx, vf] : [];
      // 3.–4. Gating, combination, output projection ξ, residual, block MLP (per token).
      return run(
        ([px, pf, pux, puf, pvx, pvf]) => {
          const gates = tf.sigmoid(readScalars(runMlp(block.gamma, pux, puf), 0, 2)); // [m, 2]
          const [gx, gf] = tf.split(gates, 2, 1);
          const gux = tf.mul(pux, gx), guf = tf.mul(puf, gf);
          const zx = tf.add(px, combine ? cross(gux, pvx) : gux) as tf.Tensor2D;
          const zf = tf.add(pf, combine ? tf.mul(guf, pvf) : guf) as tf.Tensor2D;
          const op = runMlp(block.xi, zx, zf);
          const h1x = tf.add(px, vectorOut(op)) as tf.Tensor2D;
          const h1f = tf.add(pf, readScalars(op, 0, D)) as tf.Tensor2D;
          const d = runMlp(block.mlp, h1x, h1f);
          return [tf.add(h1x, vectorOut(d)), tf.add(h1f, readScalars(d, 0, D))] as tf.Tensor2D[];
        },
        [hx, hf, tf.reshape(ux, [rows, 3]), tf.reshape(uf, [rows, D]), ...values] as tf.Tensor2D[],
        [...block.gamma.variables, ...block.xi.variables, ...block.mlp.variables],
      ) as [
        tf.Tensor2D,
        tf.Tensor2D,
      ];
    });
  }
}
