/**
 * The wasm `BatchMatMul` override (src/kernels/wasm_matmul.ts): every transpose combination,
 * ranks 2 and 3, broadcast batches and size-1 axes give the cpu backend's products (float32
 * rounding), with gradients; no tensor or backend buffer is left behind.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import "./register.ts";

/** Cases: shapes of a and b as stored, with the transpose flags. */
const CASES: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [];
for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    // [m, k] · [k, n] with m, k, n = 37, 130, 9 and degenerate 1s.
    for (const [m, k, n] of [[37, 130, 9], [1, 5, 1], [6, 1, 4]]) {
      const a = tA ? [k, m] : [m, k];
      const b = tB ? [n, k] : [k, n];
      CASES.push({ a, b, tA, tB });
      CASES.push({ a: [3, ...a], b: [3, ...b], tA, tB }); // batched
      CASES.push({ a: [1, ...a], b: [2, ...b], tA, tB }); // broadcast batch
    }
  }
}

/** Products (and gradients of a weighted sum) of every case on the active backend. */
function run(): Float32Array[] {
  const out: Float32Array[] = [];
  CASES.forEach(({ a, b, tA, tB }, i) => {
    tf.tidy(() => {
      const x = tf.randomNormal(a, 0, 1, "float32", 2 * i + 1);
      const y = tf.randomNormal(b, 0, 1, "float32", 2 * i + 2);
      const f = (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, tA, tB);
      const z = f(x, y);
      const w = tf.linspace(-1, 1, z.size).reshape(z.shape);
      out.push(z.dataSync() as Float32Array);
      // tfjs's BatchMatMul gradient does not reduce broadcast batches: gradients only without.
      if (a.length === 2 || a[0] === b[0]) {
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), w)))([x, y]);
        out.push(...g.map((t) => t.dataSync() as Float32Array));
      }
    });
  });
  return out;
}

Deno.test("wasm BatchMatMul with transposes equals cpu's (values and gradients), no leaks", async () => {
  await useBackend("cpu");
  const want = run();
  await useBackend("wasm");
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const tensors = tf.memory().numTensors;
  const buffers = backend.numDataIds();
  const got = run();
  assert.equal(tf.memory().numTensors, tensors, "tensors left");
  assert.equal(backend.numDataIds(), buffers, "wasm buffers left");
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const what = `result ${i} (cases: ${CASES.length}, value then da, db where defined)`;
    assert.equal(g.length, want[i].length, what);
    let scale = 0;
    for (const v of want[i]) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < g.length; j++) {
      assert.ok(Math.abs(g[j] - want[i][j]) <= 1e-5 * Math.max(1, scale), `${what}[${j}]`);
    }
  });
});

Deno.test("wasm BatchMatMul: a transposed operand is transposed first (override active)", async () => {
  await useBackend("wasm");
  const transpose = tf.getKernel("Transpose", "wasm")!;
  const perms: number[][] = [];
  tf.unregisterKernel("Transpose", "wasm");
  tf.registerKernel({
    ...transpose,
    setupFunc: undefined,
    kernelFunc: (args) => {
      perms.push([...(args.attrs as unknown as { perm: number[] }).perm]);
      return transpose.kernelFunc(args);
    },
  });
  try {
    tf.tidy(() => {
      tf.matMul(tf.ones([4, 3]), tf.ones([5, 3]), false, true); // b transposed
      tf.matMul(tf.ones([2, 3, 4]), tf.ones([2, 3, 5]), true, false); // a transposed, batched
      tf.matMul(tf.ones([4, 3]), tf.ones([3, 5])); // none
    });
  } finally {
    tf.unregisterKernel("Transpose", "wasm");
    tf.registerKernel(transpose);
  }
  assert.deepEqual(perms, [[1, 0], [0, 2, 1]]);
});
