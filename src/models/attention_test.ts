import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { assertThrowsWith, testOnBackends } from "../clifford/testing.ts";
import {
  scalarAttentionBackward,
  scalarAttentionForwardFlash,
  scalarAttentionForwardMaterialized,
  vectorAttentionBackward,
  vectorAttentionForwardFlash,
  vectorAttentionForwardMaterialized,
} from "../kernels/attention_math.ts";
import {
  ATTENTION_MODES,
  type AttentionMode,
  cross,
  gramLogits,
  gramLogitsOps,
  scalarAttention,
  scalarAttentionKernel,
  vectorAttention,
  vectorAttentionFlash,
  vectorAttentionGram,
  vectorAttentionMaterialized,
  vectorAttentionOps,
} from "./attention.ts";
import { createModel } from "./create_model.ts";
import { applyToLastAxis, mulberry32, randomRotation, relativeError } from "./rotation.ts";
import { disposeInputs, randomInputs, se3EquivarianceError } from "./testing.ts";

type Op = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;

const rand = (shape: number[], seed: number) =>
  tf.randomNormal(shape as [number, number, number], 0, 1, "float32", seed) as tf.Tensor3D;

/** Token counts of the tests: 1, 2, non-powers of two. */
const NS = [1, 2, 5, 37];

// ---- float64 direct sums -------------------------------------------------------------------

/** One sample's paper formula in float64: q, k, v flat `[N·3]` → u flat `[N·3]`. */
function vectorReference(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>) {
  const n = q.length / 3;
  const u = new Float64Array(n * 3);
  const cr = (a: number[], b: number[]) => [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  ];
  const at = (x: ArrayLike<number>, i: number) => [x[3 * i], x[3 * i + 1], x[3 * i + 2]];
  for (let i = 0; i < n; i++) {
    const cs = Array.from({ length: n }, (_, j) => cr(at(q, i), at(k, j)));
    const logits = cs.map((c) =>
      Math.sqrt(c[0] ** 2 + c[1] ** 2 + c[2] ** 2 + 1e-12) / Math.sqrt(n)
    );
    const mx = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - mx));
    const z = e.reduce((s, x) => s + x, 0);
    cs.forEach((c, j) => {
      const w = cr(c.map((x) => (x * e[j]) / z), at(v, j));
      for (let d = 0; d < 3; d++) u[3 * i + d] += w[d] / n;
    });
  }
  return u;
}

/** One sample's `softmax(q kᵀ/√D) v` in float64: flat `[N·D]`. */
function scalarReference(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  d: number,
) {
  const n = q.length / d;
  const o = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: n }, (_, j) => {
      let dot = 0;
      for (let x = 0; x < d; x++) dot += q[i * d + x] * k[j * d + x];
      return dot / Math.sqrt(d);
    });
    const mx = Math.max(...s);
    const e = s.map((l) => Math.exp(l - mx));
    const z = e.reduce((a, x) => a + x, 0);
    for (let j = 0; j < n; j++) {
      for (let x = 0; x < d; x++) o[i * d + x] += (e[j] / z) * v[j * d + x];
    }
  }
  return o;
}

/** Batched float64 reference of `fn` on `[B, N, W]` arrays. */
function batched(
  fn: (q: Float64Array, k: Float64Array, v: Float64Array) => Float64Array,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  b: number,
): Float64Array {
  const size = q.length / b;
  const out = new Float64Array(q.length);
  for (let s = 0; s < b; s++) {
    const part = (x: Float64Array) => x.subarray(s * size, (s + 1) * size);
    out.set(fn(part(q), part(k), part(v)), s * size);
  }
  return out;
}

/**
 * float64 central-difference gradients of `Σ r ∘ f(q, k, v)` with respect to q, k, v
 * (f in float64, so the differences are exact to ~1e-9).
 */
function numericGrads(
  f: (q: Float64Array, k: Float64Array, v: Float64Array) => Float64Array,
  inputs: Float64Array[],
  r: Float64Array,
): Float64Array[] {
  const h = 1e-6;
  const loss = () => f(inputs[0], inputs[1], inputs[2]).reduce((s, y, i) => s + y * r[i], 0);
  return inputs.map((x) => {
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const x0 = x[i];
      x[i] = x0 + h;
      const up = loss();
      x[i] = x0 - h;
      const down = loss();
      x[i] = x0;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  });
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
};

/** Value and gradients of `Σ r ∘ op(q, k, v)` by tf.grads. */
function valueAndGrads(op: Op, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, r: tf.Tensor) {
  return tf.tidy(() => {
    const y = op(q, k, v);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(op(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D), r))
    )([q, k, v]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

const vectorForms: [string, Op][] = [
  ["materialized (kernel)", vectorAttentionMaterialized],
  ["flash (kernel)", vectorAttentionFlash],
  ["tf ops", vectorAttentionOps],
  ["gram", (q, k, v) => vectorAttentionGram(q, k, v)],
];
const scalarForms: [string, Op][] = [
  ["materialized (kernel)", (q, k, v) => scalarAttentionKernel(q, k, v, "materialized")],
  ["flash (kernel)", (q, k, v) => scalarAttentionKernel(q, k, v, "flash")],
  ["tf ops", (q, k, v) => scalarAttention(q, k, v)],
];

// ---- kernels against float64 direct sums and the tf-ops formulation ------------------------

testOnBackends(
  "attention kernels: vector values and gradients = float64 sums (B 2, N 1…37)",
  () => {
    for (const n of NS) {
      tf.tidy(() => {
        const b = 2;
        const [q, k, v, r] = [1, 2, 3, 4].map((s) => rand([b, n, 3], 10 * n + s));
        const f64 = [q, k, v].map((t) => Float64Array.from(t.dataSync()));
        const ref = (a: Float64Array, c: Float64Array, d: Float64Array) =>
          batched(vectorReference, a, c, d, b);
        const want = [
          ref(f64[0], f64[1], f64[2]),
          ...numericGrads(ref, f64, Float64Array.from(r.dataSync())),
        ];
        for (const [name, op] of vectorForms) {
          const got = valueAndGrads(op, q, k, v, r);
          // gram's clamp and the tf-ops tape are float32 throughout; the kernels sum in float64.
          const tol = name.includes("kernel") ? 2e-6 : 1e-4;
          ["u", "dq", "dk", "dv"].forEach((what, i) => {
            const err = relErr(got[i], want[i]);
            assert.ok(err < tol, `${name} N ${n}: ${what} relative error ${err}`);
          });
        }
      });
    }
  },
);

testOnBackends(
  "attention kernels: scalar values and gradients = float64 sums (B 2, N 1…37)",
  () => {
    for (const n of NS) {
      tf.tidy(() => {
        const b = 2, d = 5;
        const [q, k, v, r] = [1, 2, 3, 4].map((s) => rand([b, n, d], 10 * n + s));
        const f64 = [q, k, v].map((t) => Float64Array.from(t.dataSync()));
        const ref = (a: Float64Array, c: Float64Array, e: Float64Array) =>
          batched((x, y, z) => scalarReference(x, y, z, d), a, c, e, b);
        const want = [
          ref(f64[0], f64[1], f64[2]),
          ...numericGrads(ref, f64, Float64Array.from(r.dataSync())),
        ];
        for (const [name, op] of scalarForms) {
          const got = valueAndGrads(op, q, k, v, r);
          const tol = name.includes("kernel") ? 2e-6 : 1e-4;
          ["o", "dq", "dk", "dv"].forEach((what, i) => {
            const err = relErr(got[i], want[i]);
            assert.ok(err < tol, `${name} N ${n}: ${what} relative error ${err}`);
          });
        }
      });
    }
  },
);

testOnBackends(
  "attention kernels: flash = materialized = gram to 1e-5 across key blocks (N 300)",
  () => {
    tf.tidy(() => {
      const b = 2, n = 300; // > one key block (256) and not a multiple of the row block (32)
      const [q, k, v, r] = [1, 2, 3, 4].map((s) => rand([b, n, 3], 50 + s));
      const flash = valueAndGrads(vectorAttentionFlash, q, k, v, r);
      const mat = valueAndGrads(vectorAttentionMaterialized, q, k, v, r);
      const gram = valueAndGrads(
        (a, c, d) => vectorAttentionGram(a, c, d, { block: 64 }),
        q,
        k,
        v,
        r,
      );
      for (let i = 0; i < 4; i++) {
        assert.ok(
          relErr(flash[i], mat[i]) < 1e-5,
          `vector flash output ${i}: ${relErr(flash[i], mat[i])}`,
        );
        assert.ok(
          relErr(gram[i], mat[i]) < 1e-5,
          `vector gram output ${i}: ${relErr(gram[i], mat[i])}`,
        );
      }
      const [qf, kf, vf, rf] = [5, 6, 7, 8].map((s) => rand([b, n, 16], 50 + s));
      const sFlash = valueAndGrads(scalarForms[1][1], qf, kf, vf, rf);
      const sMat = valueAndGrads(scalarForms[0][1], qf, kf, vf, rf);
      const sOps = valueAndGrads(scalarForms[2][1], qf, kf, vf, rf);
      for (let i = 0; i < 4; i++) {
        assert.ok(
          relErr(sFlash[i], sMat[i]) < 1e-5,
          `scalar flash ${i}: ${relErr(sFlash[i], sMat[i])}`,
        );
        assert.ok(
          relErr(sOps[i], sMat[i]) < 1e-5,
          `scalar tf ops ${i}: ${relErr(sOps[i], sMat[i])}`,
        );
      }
    });
  },
);

Deno.test("attention math: flash with tiny uneven blocks = materialized (values, gradients)", () => {
  const rng = mulberry32(7);
  for (const [b, n, d] of [[2, 1, 3], [2, 37, 3], [1, 23, 4]]) {
    const arr = () => Float32Array.from({ length: b * n * d }, () => 2 * rng() - 1);
    const [q, k, v, dy] = [arr(), arr(), arr(), arr()];
    const dims = { b, n, w: d };
    const out = () => new Float32Array(b * n * d);
    const [ym, yf] = [out(), out()];
    const a = new Float32Array(b * n * n), lse = new Float32Array(b * n);
    const vector = d === 3 && n !== 23;
    if (vector) {
      vectorAttentionForwardMaterialized(q, k, v, ym, a, b, n);
      vectorAttentionForwardFlash(q, k, v, yf, lse, b, n, 7, 5);
    } else {
      scalarAttentionForwardMaterialized(q, k, v, ym, a, dims);
      scalarAttentionForwardFlash(q, k, v, yf, lse, dims, 7, 5);
    }
    assert.ok(relErr(yf, ym) < 1e-6, `B ${b} N ${n} D ${d}: forward ${relErr(yf, ym)}`);
    const grads = (stats: Float32Array, flash: boolean, y: Float32Array) => {
      const g = [out(), out(), out()];
      if (vector) vectorAttentionBackward(dy, q, k, v, y, stats, flash, g[0], g[1], g[2], b, n);
      else scalarAttentionBackward(dy, q, k, v, y, stats, flash, g[0], g[1], g[2], dims);
      return g;
    };
    const gm = grads(a, false, ym), gf = grads(lse, true, yf);
    gm.forEach((g, i) => assert.ok(relErr(gf[i], g) < 1e-5, `grad ${i}: ${relErr(gf[i], g)}`));
  }
});

// ---- memory profile --------------------------------------------------------------------------

testOnBackends(
  "attention kernels: the tape holds [B, N, N] weights (materialized), [B, N] (flash)",
  () => {
    tf.tidy(() => {
      const b = 2, n = 20;
      const ops: [string, number, Op][] = [
        ["vector materialized", 3, vectorAttentionMaterialized],
        ["vector flash", 3, vectorAttentionFlash],
        ["scalar materialized", 16, scalarForms[0][1]],
        ["scalar flash", 16, scalarForms[1][1]],
      ];
      for (const [name, w, op] of ops) {
        const [q, k, v] = [1, 2, 3].map((s) => rand([b, n, w], s));
        let held = 0;
        tf.grads((a: tf.Tensor) => {
          const before = tf.memory().numBytes;
          const y = op(a as tf.Tensor3D, k, v);
          held = tf.memory().numBytes - before;
          return tf.sum(y);
        })([q]);
        // y, the saved q, k, v, y (5 · [B, N, W]) and the stats.
        const stats = name.endsWith("flash") ? b * n : b * n * n;
        assert.equal(held, 4 * (5 * b * n * w + stats), name);
      }
    });
  },
);

// ---- equivariance ------------------------------------------------------------------------

testOnBackends("attention: every vector form is rotation-equivariant (R q, R k, R v → R u)", () => {
  tf.tidy(() => {
    const rot = randomRotation(mulberry32(3));
    const [q, k, v] = [1, 2, 3].map((s) => rand([2, 37, 3], s));
    const rotate = (t: tf.Tensor) => applyToLastAxis(t, rot) as tf.Tensor3D;
    for (const mode of ATTENTION_MODES) {
      const rotatedIn = vectorAttention(rotate(q), rotate(k), rotate(v), mode);
      const err = relativeError(rotatedIn, rotate(vectorAttention(q, k, v, mode)));
      assert.ok(err < 1e-5, `${mode}: equivariance error ${err}`);
    }
  });
});

for (const attention of ["materialized", "flash"] as AttentionMode[]) {
  testOnBackends(`equivariant-transformer (${attention}): SE(3)-equivariant`, () => {
    const model = createModel({ kind: "equivariant-transformer", preset: "tiny", attention });
    const inputs = randomInputs(model, 2, 37, 5);
    const err = se3EquivarianceError(model, inputs, 6);
    assert.ok(err.x < 1e-4 && err.f < 1e-4, JSON.stringify(err));
    disposeInputs(inputs);
    model.dispose();
  });
}

// ---- the tf-ops formulation (the kernels' fallback) -------------------------------------------

testOnBackends("attention: gram equals the tf-ops formulation, unblocked and in row blocks", () => {
  tf.tidy(() => {
    for (const [b, n] of [[1, 37], [2, 10]]) {
      const q = rand([b, n, 3], 4), k = rand([b, n, 3], 5), v = rand([b, n, 3], 6);
      const want = vectorAttentionOps(q, k, v);
      for (const block of [0, 1, 8, 37, 100]) {
        const err = relativeError(vectorAttentionGram(q, k, v, { block }), want);
        assert.ok(err < 1e-5, `B ${b} N ${n} block ${block}: relative error ${err}`);
      }
    }
  });
});

testOnBackends(
  "attention: the Gram-logits kernel equals the tf-ops logits, values and gradients",
  () => {
    tf.tidy(() => {
      for (const [b, m, n] of [[1, 1, 1], [2, 5, 37], [1, 37, 37]]) {
        const q = rand([b, m, 3], m), k = rand([b, n, 3], n);
        // Row 0 of q parallel to key 0: the clamp's branch too.
        const qc = tf.concat([
          tf.mul(tf.slice(k, [0, 0, 0], [b, 1, 3]), 1.5),
          tf.slice(q, [0, 1, 0]),
        ], 1);
        const w = rand([b, m, n], 3);
        const f = (op: typeof gramLogits) => (a: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(op(a as tf.Tensor3D, c as tf.Tensor3D), w));
        for (const qq of [q, qc as tf.Tensor3D]) {
          const err = relativeError(gramLogits(qq, k), gramLogitsOps(qq, k));
          assert.ok(err < 1e-6, `[${b}, ${m}, ${n}] logits: relative error ${err}`);
          const got = tf.grads(f(gramLogits))([qq, k]), want = tf.grads(f(gramLogitsOps))([qq, k]);
          got.forEach((g, i) => {
            const e = relativeError(g, want[i]);
            // The clamped pair's gradient differs in float32 rounding of a near-zero difference.
            assert.ok(e < (qq === q ? 1e-4 : 1e-2), `[${b}, ${m}, ${n}] gradient ${i}: ${e}`);
          });
        }
      }
    });
  },
);

testOnBackends("attention: gram clamps nearly parallel q, k (finite values and gradients)", () => {
  tf.tidy(() => {
    const k = rand([1, 6, 3], 7), v = rand([1, 6, 3], 8);
    const q = tf.add(tf.mul(k, 1.5), tf.mul(rand([1, 6, 3], 9), 1e-7)) as tf.Tensor3D;
    const err = relativeError(vectorAttentionGram(q, k, v), vectorAttentionOps(q, k, v));
    assert.ok(err < 1e-3, `relative error ${err}`);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(vectorAttentionGram(a as tf.Tensor3D, b as tf.Tensor3D, v, { block: 4 }))
    )([q, k]);
    for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite));
    const zero = tf.zeros([1, 6, 3]) as tf.Tensor3D;
    for (const op of [vectorAttentionOps, vectorAttentionMaterialized, vectorAttentionFlash]) {
      const gz = tf.grad((a: tf.Tensor) => tf.sum(op(a as tf.Tensor3D, zero, v)))(zero);
      assert.ok(gz.dataSync().every(Number.isFinite), `${op.name}: gradient at q = k = 0`);
    }
  });
});

testOnBackends("attention: scalar SDPA matches softmax(q kᵀ/√D) v, blocked and not", () => {
  tf.tidy(() => {
    const q = rand([2, 11, 4], 1), k = rand([2, 11, 4], 2), v = rand([2, 11, 4], 3);
    const want = tf.matMul(tf.softmax(tf.div(tf.matMul(q, k, false, true), 2)), v);
    for (const block of [0, 3, 11]) {
      const err = relativeError(scalarAttention(q, k, v, { block }), want);
      assert.ok(err < 1e-5, `block ${block}: relative error ${err}`);
    }
  });
});

testOnBackends("attention: cross product broadcasts", () => {
  tf.tidy(() => {
    const c = cross(tf.tensor([[1, 0, 0]]), tf.tensor([[[0, 1, 0]], [[0, 0, 1]]]));
    assert.deepEqual(c.arraySync(), [[[0, 0, 1]], [[0, -1, 0]]]);
  });
});

testOnBackends("attention kernels: bad inputs name the kernel, the input and its shape", () => {
  tf.tidy(() => {
    const q = rand([1, 4, 3], 1), k5 = rand([1, 5, 3], 2), q2 = rand([1, 4, 2], 3);
    const run = (name: string, inputs: tf.NamedTensorMap, flash = false) => () =>
      tf.engine().runKernel(name, inputs, { flash } as unknown as tf.NamedAttrMap);
    assertThrowsWith(
      run("Se3VectorAttention", { q, k: k5, v: q }),
      "Se3VectorAttention",
      "k",
      "[1,5,3]",
    );
    assertThrowsWith(
      run("Se3VectorAttention", { q: q2, k: q2, v: q2 }),
      "q must be [B, N, 3]",
      "[1,4,2]",
    );
    assertThrowsWith(
      run(
        "Se3VectorAttentionGrad",
        { dy: q, q, k: q, v: q, y: q, stats: rand([1, 4, 1], 4) },
        true,
      ),
      "stats must be [1,4]",
      "[1,4,1]",
    );
  });
});
