/**
 * The pooled kernels (fft conv, geometric product, MVSiLU, Gram logits, attention forwards, on
 * cpu and wasm) against themselves on
 * one thread: values and gradients bitwise equal for 1, 2 and 3 threads, shapes with N = 1
 * and non-powers of two; no tensor leaks; no workers left.
 */
import assert from "node:assert/strict";
import { tf } from "../../backend.ts";
import type { Multivector } from "../../clifford/algebra.ts";
import { GRADE_PATHS } from "../../clifford/geometric_product_math.ts";
import { geometricProductCore, setFusedKernels } from "../../clifford/geometric_product_op.ts";
import { fusedMVSiLU } from "../../clifford/mv_silu_op.ts";
import { testOnBackends } from "../../clifford/testing.ts";
import { fftConv } from "../../fft_conv.ts";
import {
  scalarAttentionBackward,
  scalarAttentionForwardFlash,
  scalarAttentionForwardMaterialized,
  vectorAttentionBackward,
  vectorAttentionForwardFlash,
  vectorAttentionForwardMaterialized,
} from "../attention_math.ts";
import {
  SCALAR_ATTENTION_GRAD_KERNEL,
  VECTOR_ATTENTION_GRAD_KERNEL,
} from "../attention_kernels.ts";
import { gramLogits, scalarAttentionKernel, vectorAttention } from "../../models/attention.ts";
import {
  disposeKernelPool,
  getThreads,
  kernelPool,
  kernelPoolWorkers,
  setThreads,
} from "./threads.ts";

/** `f` with `threads`, after warming the pool until its workers take units of a job. */
async function onThreads(threads: number, f: () => Float32Array[]): Promise<Float32Array[]> {
  setThreads(threads);
  if (threads === 1) return f();
  for (let t = 0; t < 100; t++) {
    const out = f();
    if (kernelPool()!.lastWorkerUnits > 0) return out;
    await new Promise((r) => setTimeout(r, 100)); // workers still loading
  }
  throw new Error(`the pool's workers never took a unit (${threads} threads)`);
}

/** Bitwise equality of two float32 arrays, naming the first differing element. */
function assertBitwiseEqual(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${what}: element ${i} is ${a[i]}, single-threaded ${b[i]}`);
  }
}

async function compareThreads(
  name: string,
  f: () => Float32Array[],
  counts = [2, 3],
): Promise<void> {
  const previous = getThreads();
  try {
    const want = await onThreads(1, f);
    for (const threads of counts) {
      const got = await onThreads(threads, f);
      assert.equal(got.length, want.length);
      // Every unit is computed as on one thread: bitwise equal (so within 1e-6 too).
      got.forEach((g, i) =>
        assertBitwiseEqual(g, want[i], `${name}: output ${i}, ${threads} threads`)
      );
    }
  } finally {
    disposeKernelPool();
    assert.equal(kernelPoolWorkers(), 0);
    setThreads(previous);
  }
  await new Promise((r) => setTimeout(r, 50));
}

/** y = fftConv(x, k) and the gradients of Σ y·w wrt x and k. */
function convValueAndGrads(shape: [number, number, number], seed: number): () => Float32Array[] {
  return () =>
    tf.tidy(() => {
      const x = tf.randomNormal(shape, 0, 1, "float32", seed) as tf.Tensor3D;
      const k = tf.randomNormal(shape, 0, 1, "float32", seed + 1) as tf.Tensor3D;
      const w = tf.randomNormal(shape, 0, 1, "float32", seed + 2);
      const y = fftConv(x, k);
      const [gx, gk] = tf.grads((a, b) =>
        tf.sum(tf.mul(fftConv(a as tf.Tensor3D, b as tf.Tensor3D), w))
      )([x, k]);
      return [y, gx, gk].map((t) => t.dataSync() as Float32Array);
    });
}

for (const shape of [[2, 1000, 9], [1, 1, 20000]] as [number, number, number][]) {
  testOnBackends(
    `fftConv [${shape}]: 1, 2, 3 threads give equal values and gradients`,
    () => compareThreads(`fftConv [${shape}]`, convValueAndGrads(shape, shape[1])),
  );
}

/**
 * y = geometricProductCore(…) and the gradients of Σ y·v wrt every input (only y when
 * `forwardOnly`: the last pool job is then the forward's).
 */
function productValueAndGrads(
  m: number,
  c: number,
  seed: number,
  forwardOnly = false,
): () => Float32Array[] {
  return () =>
    tf.tidy(() => {
      const mv = (s: number) =>
        Array.from({ length: 8 }, (_, b) =>
          tf.randomNormal([m, c], 0, 1, "float32", s + b)) as Multivector;
      const inputs = [
        ...mv(seed),
        ...mv(seed + 10),
        ...mv(seed + 20),
        tf.randomNormal([c, GRADE_PATHS.length], 0, 0.5, "float32", seed + 30),
        ...[0, 1, 2, 3].map((g) =>
          tf.randomNormal([c], 0, 1, "float32", seed + 40 + g)
        ),
      ];
      const v = mv(seed + 50);
      const f = (...t: tf.Tensor[]) => {
        const y = geometricProductCore({
          x: t.slice(0, 8) as Multivector,
          l: t.slice(8, 16) as Multivector,
          r: t.slice(16, 24) as Multivector,
          pathWeights: t[24] as tf.Tensor2D,
          sigma: t.slice(25, 29) as tf.Tensor1D[],
        });
        return tf.addN(y.map((yj, j) => tf.sum(tf.mul(yj, v[j])))) as tf.Scalar;
      };
      const y = geometricProductCore({
        x: inputs.slice(0, 8) as Multivector,
        l: inputs.slice(8, 16) as Multivector,
        r: inputs.slice(16, 24) as Multivector,
        pathWeights: inputs[24] as tf.Tensor2D,
        sigma: inputs.slice(25, 29) as tf.Tensor1D[],
      });
      if (forwardOnly) return y.map((t) => t.dataSync() as Float32Array);
      const grads = tf.grads(f)(inputs);
      return [...y, ...grads].map((t) => t.dataSync() as Float32Array);
    });
}

for (const [m, c] of [[300, 40], [1, 8200], [65, 128]]) {
  testOnBackends(
    `geometric product M=${m} C=${c}: 1, 2, 3 threads give equal values and gradients`,
    () => {
      const fused = setFusedKernels(true);
      return compareThreads(`product ${m}×${c}`, productValueAndGrads(m, c, m + c)).finally(() =>
        setFusedKernels(fused)
      );
    },
  );
}

testOnBackends(
  "geometric product forward alone: 2, 3, 4 threads equal 1 thread",
  () => {
    const fused = setFusedKernels(true);
    return compareThreads("product forward 300×40", productValueAndGrads(300, 40, 7, true), [
      2,
      3,
      4,
    ])
      .finally(() => setFusedKernels(fused));
  },
);

/** y = fusedMVSiLU(x, α, β) and the gradients of Σ y·v wrt x, α and β. */
function siluValueAndGrads(m: number, c: number, seed: number): () => Float32Array[] {
  // Read outside tf.tidy: tidy walks a returned typed array element by element looking for
  // tensors (3.6 s for 24 × [24, 8200]), long enough for the pool's workers to idle out.
  return () => {
    const tensors = tf.tidy(() => {
      const x = Array.from(
        { length: 8 },
        (_, b) => tf.randomNormal([m, c], 0, 1, "float32", seed + b),
      ) as Multivector;
      const params = Array.from(
        { length: 8 },
        (_, g) => tf.randomNormal([c], 0, 1, "float32", seed + 10 + g) as tf.Tensor1D,
      );
      const v = Array.from(
        { length: 8 },
        (_, b) => tf.randomNormal([m, c], 0, 1, "float32", seed + 20 + b),
      );
      const f = (...t: tf.Tensor[]) =>
        tf.addN(
          fusedMVSiLU(t.slice(0, 8) as Multivector, t.slice(8, 12), t.slice(12, 16)).map((y, b) =>
            tf.sum(tf.mul(y, v[b]))
          ),
        ) as tf.Scalar;
      const y = fusedMVSiLU(x, params.slice(0, 4), params.slice(4, 8));
      const grads = tf.grads(f)([...x, ...params]);
      return [...y, ...grads];
    });
    const values = tensors.map((t) => t.dataSync() as Float32Array);
    tf.dispose(tensors);
    return values;
  };
}

// Only the forward is pooled, by rows (the gradient runs on the calling thread, see
// mv_silu_kernels.ts): shapes with several rows. (A single row is one unit, which the calling
// thread usually takes before a worker wakes.)
for (const [m, c] of [[300, 40], [24, 8200]]) {
  testOnBackends(
    `MVSiLU M=${m} C=${c}: 1, 2, 3 threads give equal values (pooled forward) and gradients`,
    () => compareThreads(`MVSiLU ${m}×${c}`, siluValueAndGrads(m, c, m + c)),
  );
}

/** ℓ = gramLogits(q, k) (the pooled forward) and its gradients (one thread) wrt q and k. */
function gramValueAndGrads([b, m, n]: number[], seed: number): () => Float32Array[] {
  return () =>
    tf.tidy(() => {
      const q = tf.randomNormal([b, m, 3], 0, 1, "float32", seed) as tf.Tensor3D;
      const k = tf.randomNormal([b, n, 3], 0, 1, "float32", seed + 1) as tf.Tensor3D;
      const w = tf.randomNormal([b, m, n], 0, 1, "float32", seed + 2);
      const grads = tf.grads((a, c) =>
        tf.sum(tf.mul(gramLogits(a as tf.Tensor3D, c as tf.Tensor3D), w))
      )([q, k]);
      return [gramLogits(q, k), ...grads].map((t) => t.dataSync() as Float32Array);
    });
}

for (const shape of [[2, 200, 333], [1, 3, 30001]]) {
  testOnBackends(
    `Gram logits [${shape}]: 1, 2, 3 threads give equal values and gradients`,
    () => compareThreads(`gram [${shape}]`, gramValueAndGrads(shape, shape[2])),
  );
}

/**
 * Both attentions' outputs (pooled forwards) and the gradients of Σ u·w wrt q, k, v (one
 * thread), `materialized` or `flash`.
 */
function attentionValueAndGrads(
  mode: "materialized" | "flash",
  [b, n, d]: number[],
  seed: number,
): () => Float32Array[] {
  return () =>
    tf.tidy(() => {
      const r = (w: number, s: number) =>
        tf.randomNormal([b, n, w], 0, 1, "float32", seed + s) as tf.Tensor3D;
      const [qx, kx, vx, qf, kf, vf] = [r(3, 0), r(3, 1), r(3, 2), r(d, 3), r(d, 4), r(d, 5)];
      const wx = r(3, 6), wf = r(d, 7);
      const scalar = scalarAttentionKernel(qf, kf, vf, mode);
      const gf = tf.grads((a, c, e) =>
        tf.sum(
          tf.mul(
            scalarAttentionKernel(a as tf.Tensor3D, c as tf.Tensor3D, e as tf.Tensor3D, mode),
            wf,
          ),
        )
      )([qf, kf, vf]);
      const gx = tf.grads((a, c, e) =>
        tf.sum(
          tf.mul(vectorAttention(a as tf.Tensor3D, c as tf.Tensor3D, e as tf.Tensor3D, mode), wx),
        )
      )([qx, kx, vx]);
      // The vector forward last: on wasm the scalar stream runs XNNPACK matmuls, not the pool.
      const vector = vectorAttention(qx, kx, vx, mode);
      return [scalar, ...gf, ...gx, vector].map((t) => t.dataSync() as Float32Array);
    });
}

for (const mode of ["materialized", "flash"] as const) {
  for (const shape of [[2, 200, 16], [1, 301, 5]]) {
    testOnBackends(
      `attention ${mode} [${shape}]: 1, 2, 3 threads give equal values and gradients`,
      () => compareThreads(`${mode} [${shape}]`, attentionValueAndGrads(mode, shape, shape[1])),
    );
  }
}

/** Largest |a − b| over the largest |b|. */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  let err = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / (scale || 1);
}

const cases: [boolean, boolean, number, number, number][] = [
  // vector?, flash, B, N, W
  [true, false, 2, 200, 3],
  [true, true, 1, 301, 3],
  [false, false, 2, 200, 5],
  [false, true, 1, 301, 5],
];
for (const [vector, flash, b, n, w] of cases) {
  testOnBackends(
    `${vector ? "vector" : "scalar"} attention gradient${
      flash ? " (flash)" : ""
    } [${b}, ${n}, ${w}] in pooled row chunks equals the one-loop gradient`,
    async () => {
      const previous = getThreads();
      const rand = (len: number, s: number) =>
        tf.tidy(() => tf.randomNormal([len], 0, 1, "float32", s).dataSync() as Float32Array);
      const [q, k, v, du] = [1, 2, 3, 4].map((s) => rand(b * n * w, n + s));
      const dims = { b, n, w };
      const y = new Float32Array(b * n * w), stats = new Float32Array(flash ? b * n : b * n * n);
      const want = [0, 1, 2].map(() => new Float32Array(b * n * w));
      if (vector) {
        (flash ? vectorAttentionForwardFlash : vectorAttentionForwardMaterialized)(
          q,
          k,
          v,
          y,
          stats,
          b,
          n,
        );
        vectorAttentionBackward(du, q, k, v, y, stats, flash, want[0], want[1], want[2], b, n);
      } else {
        (flash ? scalarAttentionForwardFlash : scalarAttentionForwardMaterialized)(
          q,
          k,
          v,
          y,
          stats,
          dims,
        );
        scalarAttentionBackward(du, q, k, v, y, stats, flash, want[0], want[1], want[2], dims);
      }
      try {
        setThreads(2);
        const shape = [b, n, w];
        const grad = () =>
          tf.tidy(() => {
            const t = (a: Float32Array, s = shape) => tf.tensor(a, s);
            const inputs = {
              dy: t(du),
              q: t(q),
              k: t(k),
              v: t(v),
              y: t(y),
              stats: t(stats, flash ? [b, n] : [b, n, n]),
            };
            const kernel = vector ? VECTOR_ATTENTION_GRAD_KERNEL : SCALAR_ATTENTION_GRAD_KERNEL;
            const outs = tf.engine().runKernel(
              kernel,
              inputs,
              { flash } as unknown as tf.NamedAttrMap,
            );
            return (outs as tf.Tensor[]).map((o) => o.dataSync() as Float32Array);
          });
        let got = grad();
        for (let tries = 0; kernelPool()!.lastWorkerUnits === 0; tries++) {
          if (tries > 100) throw new Error("the pool's workers never took a chunk");
          await new Promise((r) => setTimeout(r, 100)); // workers still loading
          got = grad();
        }
        got.forEach((g, i) => {
          const err = relativeDiff(g, want[i]);
          assert.ok(err < 1e-6, `gradient ${i}: relative difference ${err}`);
        });
      } finally {
        disposeKernelPool();
        setThreads(previous);
      }
      await new Promise((r) => setTimeout(r, 50));
    },
  );
}
