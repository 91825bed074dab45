import assert from "node:assert/strict";
import {
  energy,
  initialState,
  linearMotionMse,
  makeNBodyData,
  momentum,
  simulate,
} from "./nbody.ts";
import { Rng, rotateInPlace } from "./random.ts";

Deno.test("nbody: the same seed gives the same data; shapes and charges ±1", () => {
  const opts = {
    trainSize: 4,
    valSize: 3,
    testSize: 3,
    burnInSteps: 100,
    horizonSteps: 100,
    seed: 8,
  };
  const a = makeNBodyData(opts), b = makeNBodyData(opts), c = makeNBodyData({ ...opts, seed: 9 });
  assert.deepEqual(a.train.x, b.train.x);
  assert.deepEqual(a.test.y, b.test.y);
  assert.notDeepEqual(a.train.x, c.train.x);
  assert.equal(a.seqLen, 5);
  assert.equal(a.train.x.length, 4 * 5 * 3);
  assert.equal(a.train.w?.length, 4 * 5 * 3);
  assert.equal(a.train.f.length, 4 * 5);
  assert.equal(a.train.y.length, 4 * 5 * 3);
  for (const q of a.train.f) assert.ok(q === 1 || q === -1);
});

Deno.test("nbody: velocity Verlet conserves momentum and energy over the 1000-step horizon", () => {
  const rng = new Rng(11);
  const drifts: number[] = [];
  for (let s = 0; s < 40; s++) {
    const st = initialState(rng);
    const p0 = momentum(st), e0 = energy(st);
    simulate(st, 1000, { maxForce: Infinity });
    const p1 = momentum(st), e1 = energy(st);
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(p1[c] - p0[c]) < 1e-9, `momentum drift ${p1[c] - p0[c]}`);
    }
    drifts.push(Math.abs(e1 - e0) / (Math.abs(e0) + 0.5 * 5 * 0.25)); // relative to |E0| + K0
  }
  // Opposite charges that pass very close (the Coulomb singularity at r → 0) are stiff at
  // dt = 0.001 and lose energy conservation in a minority of trajectories (EGNN's data has
  // the same property; it clips forces). Most trajectories conserve energy tightly.
  const good = drifts.filter((d) => d < 1e-3).length;
  assert.ok(good >= 0.75 * drifts.length, `only ${good}/${drifts.length} trajectories within 1e-3`);
  drifts.sort((a, b) => a - b);
  assert.ok(
    drifts[Math.floor(drifts.length / 2)] < 1e-5,
    `median relative energy drift ${drifts[20]}`,
  );
});

Deno.test("nbody: the simulator is rotation-equivariant", () => {
  const rng = new Rng(12);
  const a = initialState(rng);
  const b = { pos: a.pos.slice(), vel: a.vel.slice(), charge: a.charge.slice() };
  const r = rng.rotation();
  rotateInPlace(b.pos, r);
  rotateInPlace(b.vel, r);
  simulate(a, 500);
  simulate(b, 500);
  rotateInPlace(a.pos, r);
  for (let i = 0; i < a.pos.length; i++) assert.ok(Math.abs(a.pos[i] - b.pos[i]) < 1e-8);
});

Deno.test("nbody: linear motion is a finite reference, better than standing still", () => {
  const d = makeNBodyData({ trainSize: 1, valSize: 1, testSize: 200, seed: 1 });
  const lin = linearMotionMse(d.test, 1);
  let still = 0;
  for (let i = 0; i < d.test.y.length; i++) still += (d.test.x[i] - d.test.y[i]) ** 2;
  still /= d.test.y.length;
  assert.ok(Number.isFinite(lin) && lin > 0);
  assert.ok(lin < still, `linear ${lin} vs static ${still}`);
});

Deno.test("nbody: invalid options name the field and value", () => {
  assert.throws(() => makeNBodyData({ particles: 1 }), /particles: expected an integer ≥ 2, got 1/);
  assert.throws(
    () => makeNBodyData({ horizonSteps: 0 }),
    /horizonSteps: expected an integer ≥ 1, got 0/,
  );
  assert.throws(() => makeNBodyData({ dt: -1 }), /dt: expected a positive number, got -1/);
});
