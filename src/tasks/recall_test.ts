import assert from "node:assert/strict";
import { makeRecallData } from "./recall.ts";
import { Rng, rotateInPlace } from "./random.ts";
import { sinusoidalEncoding } from "./positional.ts";

/** The exact solution of a recall sequence: the token after the earlier occurrence of the query. */
function solve(x: Float32Array, n: number): number[] {
  const q = [x[(n - 1) * 3], x[(n - 1) * 3 + 1], x[(n - 1) * 3 + 2]];
  for (let t = n - 3; t >= 0; t--) {
    const d = Math.hypot(x[t * 3] - q[0], x[t * 3 + 1] - q[1], x[t * 3 + 2] - q[2]);
    if (d < 1e-5) return [x[(t + 1) * 3], x[(t + 1) * 3 + 1], x[(t + 1) * 3 + 2]];
  }
  throw new Error("query key not found");
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) =>
  Array.from(a).every((v, i) => Math.abs(v - b[i]) < tol);

Deno.test("recall: the same seed gives the same data; another seed different data", () => {
  const a = makeRecallData({
    seqLen: 32,
    vocabulary: "fixed",
    trainSize: 8,
    valSize: 4,
    testSize: 4,
    seed: 3,
  });
  const b = makeRecallData({
    seqLen: 32,
    vocabulary: "fixed",
    trainSize: 8,
    valSize: 4,
    testSize: 4,
    seed: 3,
  });
  const c = makeRecallData({
    seqLen: 32,
    vocabulary: "fixed",
    trainSize: 8,
    valSize: 4,
    testSize: 4,
    seed: 4,
  });
  assert.deepEqual(a.train.x, b.train.x);
  assert.deepEqual(a.test.y, b.test.y);
  assert.notDeepEqual(a.train.x, c.train.x);
});

Deno.test("recall: shapes, positional encoding input, and the target is the value paired with the query", () => {
  for (const vocabulary of ["fixed", "random"] as const) {
    for (const n of [32, 33, 64]) {
      const d = makeRecallData({
        seqLen: n,
        vocabulary,
        trainSize: 20,
        valSize: 5,
        testSize: 5,
        seed: 1,
      });
      assert.equal(d.train.x.length, 20 * n * 3);
      assert.equal(d.train.f.length, 20 * n * 16);
      assert.equal(d.train.y.length, 20 * 3);
      assert.equal(d.scalarInputs, 16);
      assert.equal(d.target, "pooled");
      assert.deepEqual(d.train.f.subarray(0, n * 16), sinusoidalEncoding(n, 16));
      for (let i = 0; i < 20; i++) {
        const x = d.train.x.subarray(i * n * 3, (i + 1) * n * 3);
        const y = d.train.y.subarray(i * 3, i * 3 + 3);
        assert.ok(close(solve(x, n), y), `${vocabulary} N=${n} sample ${i}`);
        const m = Math.hypot(y[0], y[1], y[2]);
        assert.ok(m >= 1 - 1e-5 && m <= 4 + 1e-5, `magnitude ${m}`);
      }
    }
  }
});

Deno.test("recall: rotating a sequence rotates its target", () => {
  const n = 32;
  const d = makeRecallData({
    seqLen: n,
    vocabulary: "random",
    trainSize: 10,
    valSize: 2,
    testSize: 2,
    seed: 5,
  });
  const rng = new Rng(9);
  for (let i = 0; i < 10; i++) {
    const x = d.train.x.slice(i * n * 3, (i + 1) * n * 3);
    const y = d.train.y.slice(i * 3, i * 3 + 3);
    const r = rng.rotation();
    rotateInPlace(x, r);
    rotateInPlace(y, r);
    assert.ok(close(solve(x, n), y, 1e-4));
  }
});

Deno.test("recall: fixed vocabulary is one vocabulary, rotated per sequence; random draws a new one", () => {
  const n = 64;
  const norms = (v: "fixed" | "random") => {
    const d = makeRecallData({
      seqLen: n,
      vocabulary: v,
      trainSize: 50,
      valSize: 50,
      testSize: 2,
      seed: 2,
    });
    const set = new Set<string>();
    for (const s of [d.train, d.val]) {
      for (let i = 0; i < s.n; i++) {
        set.add(Math.hypot(s.y[3 * i], s.y[3 * i + 1], s.y[3 * i + 2]).toFixed(3));
      }
    }
    return { set, d };
  };
  const fixed = norms("fixed");
  assert.ok(fixed.set.size <= 4, `fixed vocabulary: ${fixed.set.size} distinct value magnitudes`);
  // rotated: the same vocabulary value appears in different directions
  const dirs = new Set<string>();
  for (let i = 0; i < 50; i++) {
    dirs.add(Array.from(fixed.d.train.y.subarray(3 * i, 3 * i + 3), (v) => v.toFixed(2)).join());
  }
  assert.ok(dirs.size > 40, `expected rotated targets, got ${dirs.size} distinct`);
  assert.ok(norms("random").set.size > 50);
});

Deno.test("recall: invalid options name the field and value", () => {
  assert.throws(
    () => makeRecallData({ seqLen: 2, vocabulary: "fixed" }),
    /seqLen: expected an integer ≥ 3, got 2/,
  );
  assert.throws(
    () => makeRecallData({ seqLen: 32, vocabulary: "other" as "fixed" }),
    /vocabulary: expected "fixed" or "random", got "other"/,
  );
  assert.throws(
    () => makeRecallData({ seqLen: 32, vocabulary: "fixed", trainSize: -1 }),
    /trainSize/,
  );
});
