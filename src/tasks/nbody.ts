/**
 * Charged-particle n-body task (SE(3)-Hyena paper, Table 1), in the setting of EGNN
 * (Satorras et al. 2021) and the SE(3)-Transformer: 5 particles with charges ±1 in 3-D,
 * Coulomb forces `F_i = Σ_j q_i q_j (x_i − x_j) / ‖x_i − x_j‖³`, time step 0.001, no box.
 * Initial positions are normal with std 1; initial velocities have random directions and
 * norm 0.5. EGNN records a frame every 100 steps and maps frame 30 to frame 40; here the
 * simulation runs `burnInSteps` (default 3000) before the input frame and predicts the
 * positions `horizonSteps` (default 1000) steps later.
 *
 * Integration: velocity Verlet (kick–drift–kick leapfrog) in float64, which is
 * symplectic and conserves momentum exactly when forces are not clipped. Like EGNN, each
 * force component is clipped at `maxForce` (default 0.1 / dt = 100), which only acts in
 * near-collisions (distance ≲ 0.1).
 *
 * Inputs: `x` = positions `[n, 5, 3]`, `w` = velocities `[n, 5, 1, 3]`, `f` = charges
 * `[n, 5, 1]`; target `y` = positions after the horizon `[n, 5, 3]`.
 *
 * @module
 */
import { Rng } from "./random.ts";
import type { Split, TaskData } from "./dataset.ts";

/** Physical and numerical settings of the simulator; defaults are EGNN's. */
/** Integration time step (EGNN's setting). */
export const DEFAULT_DT = 0.001;

export interface SimOptions {
  /** Time step. Default 0.001. */
  dt?: number;
  /** Coulomb constant. Default 1. */
  strength?: number;
  /** Per-component force clip (EGNN: 0.1/dt). Default 0.1/dt; `Infinity` disables. */
  maxForce?: number;
}

/** The state of one system: positions and velocities `[P, 3]`, charges `[P]`. */
export interface NBodyState {
  pos: Float64Array;
  vel: Float64Array;
  charge: Float64Array;
}

/** Writes the Coulomb forces of `s` into `out` (`[P, 3]`). */
export function coulombForces(s: NBodyState, out: Float64Array, opts: SimOptions = {}): void {
  const k = opts.strength ?? 1;
  const maxF = opts.maxForce ?? 0.1 / (opts.dt ?? DEFAULT_DT);
  const p = s.charge.length;
  out.fill(0);
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const dx = s.pos[3 * i] - s.pos[3 * j];
      const dy = s.pos[3 * i + 1] - s.pos[3 * j + 1];
      const dz = s.pos[3 * i + 2] - s.pos[3 * j + 2];
      const r2 = dx * dx + dy * dy + dz * dz;
      const c = (k * s.charge[i] * s.charge[j]) / (r2 * Math.sqrt(r2));
      out[3 * i] += c * dx, out[3 * i + 1] += c * dy, out[3 * i + 2] += c * dz;
      out[3 * j] -= c * dx, out[3 * j + 1] -= c * dy, out[3 * j + 2] -= c * dz;
    }
  }
  if (Number.isFinite(maxF)) {
    for (let i = 0; i < out.length; i++) out[i] = Math.max(-maxF, Math.min(maxF, out[i]));
  }
}

/** Total energy: `½ Σ ‖v‖² + Σ_{i<j} k q_i q_j / r_ij` (unit masses). */
export function energy(s: NBodyState, strength = 1): number {
  let e = 0;
  const p = s.charge.length;
  for (let i = 0; i < 3 * p; i++) e += 0.5 * s.vel[i] * s.vel[i];
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const r = Math.hypot(
        s.pos[3 * i] - s.pos[3 * j],
        s.pos[3 * i + 1] - s.pos[3 * j + 1],
        s.pos[3 * i + 2] - s.pos[3 * j + 2],
      );
      e += (strength * s.charge[i] * s.charge[j]) / r;
    }
  }
  return e;
}

/** Total momentum `Σ v_i` (unit masses), `[3]`. */
export function momentum(s: NBodyState): [number, number, number] {
  const m: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < s.charge.length; i++) {
    for (let c = 0; c < 3; c++) m[c] += s.vel[3 * i + c];
  }
  return m;
}

/** Advances `s` in place by `steps` velocity-Verlet steps. */
export function simulate(s: NBodyState, steps: number, opts: SimOptions = {}): void {
  const dt = opts.dt ?? DEFAULT_DT;
  const f = new Float64Array(s.pos.length);
  coulombForces(s, f, opts);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < f.length; i++) {
      s.vel[i] += 0.5 * dt * f[i];
      s.pos[i] += dt * s.vel[i];
    }
    coulombForces(s, f, opts);
    for (let i = 0; i < f.length; i++) s.vel[i] += 0.5 * dt * f[i];
  }
}

/** Draws an initial state: positions N(0, locStd²), speeds velNorm in random directions, charges ±1. */
export function initialState(rng: Rng, particles = 5, locStd = 1, velNorm = 0.5): NBodyState {
  const pos = new Float64Array(particles * 3);
  const vel = new Float64Array(particles * 3);
  const charge = new Float64Array(particles);
  for (let i = 0; i < particles; i++) {
    charge[i] = rng.next() < 0.5 ? -1 : 1;
    for (let c = 0; c < 3; c++) pos[3 * i + c] = locStd * rng.normal();
    const [a, b, c] = rng.unitVector();
    vel[3 * i] = velNorm * a, vel[3 * i + 1] = velNorm * b, vel[3 * i + 2] = velNorm * c;
  }
  return { pos, vel, charge };
}

/** Options of {@link makeNBodyData}; defaults are the paper's / EGNN's. */
export interface NBodyOptions extends SimOptions {
  /** Default 5. */
  particles?: number;
  /** Default 1000. */
  trainSize?: number;
  /** Default 2000. */
  valSize?: number;
  /** Default 2000. */
  testSize?: number;
  /** Default 0. */
  seed?: number;
  /** Steps simulated before the input frame. Default 3000 (EGNN's frame 30). */
  burnInSteps?: number;
  /** Steps between the input and the target frame. Default 1000. */
  horizonSteps?: number;
  /** Default 1. */
  locStd?: number;
  /** Default 0.5. */
  velNorm?: number;
}

function nonNegInt(name: string, v: number, min = 0): number {
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`${name}: expected an integer ≥ ${min}, got ${v}`);
  }
  return v;
}

/**
 * Generates the three splits of the n-body task, reproducibly from `seed`.
 *
 * @throws Error naming the field and value for invalid options.
 */
export function makeNBodyData(opts: NBodyOptions = {}): TaskData {
  const particles = nonNegInt("particles", opts.particles ?? 5, 2);
  const sizes = [
    nonNegInt("trainSize", opts.trainSize ?? 1000, 1),
    nonNegInt("valSize", opts.valSize ?? 2000, 1),
    nonNegInt("testSize", opts.testSize ?? 2000, 1),
  ];
  const burnIn = nonNegInt("burnInSteps", opts.burnInSteps ?? 3000);
  const horizon = nonNegInt("horizonSteps", opts.horizonSteps ?? 1000, 1);
  const dt = opts.dt ?? DEFAULT_DT;
  if (!(dt > 0)) throw new Error(`dt: expected a positive number, got ${dt}`);
  const rng = new Rng(opts.seed ?? 0);
  const make = (n: number): Split => {
    const x = new Float32Array(n * particles * 3);
    const w = new Float32Array(n * particles * 3);
    const f = new Float32Array(n * particles);
    const y = new Float32Array(n * particles * 3);
    for (let i = 0; i < n; i++) {
      const s = initialState(rng, particles, opts.locStd ?? 1, opts.velNorm ?? 0.5);
      simulate(s, burnIn, opts);
      x.set(s.pos, i * particles * 3);
      w.set(s.vel, i * particles * 3);
      f.set(s.charge, i * particles);
      simulate(s, horizon, opts);
      y.set(s.pos, i * particles * 3);
    }
    return { n, x, f, w, y };
  };
  const [train, val, test] = sizes.map(make);
  return {
    task: "nbody",
    seqLen: particles,
    scalarInputs: 1,
    vectorInputs: 1,
    target: "per-token",
    train,
    val,
    test,
  };
}

/**
 * MSE of the linear-motion baseline `p0 + t·v0` (t = horizonSteps·dt) on a split of
 * {@link makeNBodyData} (paper: 0.0322 on the test split).
 */
export function linearMotionMse(split: Split, horizonTime = 1): number {
  if (!split.w) throw new Error("split.w: expected velocities, got null");
  let s = 0;
  for (let i = 0; i < split.y.length; i++) {
    const e = split.x[i] + horizonTime * split.w[i] - split.y[i];
    s += e * e;
  }
  return s / split.y.length;
}
