/**
 * The wasm `BatchMatMul` override (src/kernels/wasm_matmul.ts): every transpose combination,
 * ranks 2 and 3, broadcast batches and size-1 axes give the cpu backend's products (float32
 * rounding), with gradients; no tensor or backend buffer is left behind.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import "./register.ts";
import {
  chunksContraction,
  CONTRACTION_CHUNK,
  packsLeftOperand,
  transposeLast2,
  usesOwnTranspose,
  wasmBatchMatMul,
  wasmTranspose,
} from "./wasm_matmul.ts";

/** Cases: shapes of a and b as stored, with the transpose flags. */
const CASES: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [];
for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    // [m, k] · [k, n] with m, k, n = 37, 130, 9 and degenerate 1s.
    // [5, 130, 40] with tA: the swapped product (Bᵀ·A)ᵀ, see packsLeftOperand; K = 4,500 with
    // tA: a sum over contraction chunks (chunksContraction), the last one short.
    for (const [m, k, n] of [[37, 130, 9], [5, 130, 40], [1, 5, 1], [6, 1, 4], [5, 4500, 7]]) {
      const a = tA ? [k, m] : [m, k];
      const b = tB ? [n, k] : [k, n];
      CASES.push({ a, b, tA, tB });
      CASES.push({ a: [3, ...a], b: [3, ...b], tA, tB }); // batched
      CASES.push({ a: [1, ...a], b: [2, ...b], tA, tB }); // broadcast batch
      CASES.push({ a: [1, ...a], b: [1, 1, ...b], tA, tB }); // size-1 batches of two ranks
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
      out.push(z.dataSync() as Float32Array, Float32Array.from(z.shape));
      // tfjs's BatchMatMul gradient does not reduce broadcast batches: gradients only without.
      if (a.length === b.length && (a.length === 2 || a[0] === b[0])) {
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
    const what = `result ${i} (cases: ${CASES.length}, value, shape, then da, db where defined)`;
    assert.equal(g.length, want[i].length, what);
    let scale = 0;
    for (const v of want[i]) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < g.length; j++) {
      assert.ok(Math.abs(g[j] - want[i][j]) <= 1e-5 * Math.max(1, scale), `${what}[${j}]`);
    }
  });
});

Deno.test("wasm BatchMatMul: the override is registered; its transpose equals tf.transpose", async () => {
  await useBackend("wasm");
  assert.equal(tf.getKernel("BatchMatMul", "wasm")?.kernelFunc, wasmBatchMatMul);
  const backend = tf.backend();
  for (const shape of [[37, 130], [3, 5, 17], [1, 1], [40, 33], [2, 64, 24], [2, 1, 16]]) {
    for (const rowsInner of [undefined, false, true]) { // the default, then both loop orders
      tf.tidy(() => {
        const x = tf.randomNormal(shape, 0, 1, "float32", shape.length);
        const info = transposeLast2(x, backend, rowsInner);
        const y = tf.engine().makeTensorFromTensorInfo(info);
        const r = shape.length;
        const perm = [...Array(r).keys()];
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        const want = tf.transpose(x, perm);
        assert.deepEqual(y.shape, want.shape);
        const what = `${JSON.stringify(shape)}, rowsInner ${rowsInner}`;
        assert.deepEqual([...y.dataSync()], [...want.dataSync()], what);
      });
    }
  }
});

Deno.test("wasm Transpose: the override equals cpu's for large last-two swaps and other perms", async () => {
  const cases: [number[], number[]][] = [
    [[2, 70, 90], [0, 2, 1]],
    [[130, 64], [1, 0]],
    [[64, 65, 3], [1, 0, 2]], // not a last-two swap: tfjs-wasm's kernel
    [[3, 64, 64], [2, 1, 0]],
  ];
  const run = () =>
    cases.map(([shape, perm]) =>
      tf.tidy(() => [
        ...tf.transpose(
          tf.range(
            0,
            shape.reduce((a, b) => a * b),
          ).reshape(shape),
          perm,
        ).dataSync(),
      ])
    );
  await useBackend("cpu");
  const want = run();
  await useBackend("wasm");
  assert.equal(tf.getKernel("Transpose", "wasm")?.kernelFunc, wasmTranspose);
  const before = tf.memory().numTensors;
  run().forEach((got, i) => assert.deepEqual(got, want[i], JSON.stringify(cases[i])));
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("wasm Transpose: ours runs only for float32 last-two swaps with both edges ≥ 64", () => {
  const f32 = (shape: number[]) => ({ shape, dtype: "float32" as const });
  assert.ok(usesOwnTranspose(f32([2, 70, 90]), [0, 2, 1]));
  assert.ok(usesOwnTranspose(f32([130, 64]), [1, 0]));
  assert.ok(!usesOwnTranspose(f32([8580, 16]), [1, 0]), "a narrow edge: tfjs-wasm's is faster");
  assert.ok(!usesOwnTranspose(f32([64, 65, 3]), [1, 0, 2]), "not a last-two swap");
  assert.ok(!usesOwnTranspose(f32([3, 64, 64]), [2, 1, 0]), "not a last-two swap");
  assert.ok(!usesOwnTranspose({ shape: [64, 64], dtype: "int32" }, [1, 0]), "int32");
  assert.ok(!usesOwnTranspose(f32([64]), [0]), "rank 1");
});

Deno.test("wasm BatchMatMul: Aᵀ·B is swapped to (Bᵀ·A)ᵀ only when B is the wider, unbatched", () => {
  assert.ok(packsLeftOperand([4096, 17], [4096, 128]), "first layer's weight gradient");
  assert.ok(packsLeftOperand([1, 130, 5], [130, 40]), "size-1 batch");
  assert.ok(!packsLeftOperand([4096, 128], [4096, 128]), "equal widths: pack B");
  assert.ok(!packsLeftOperand([4096, 128], [4096, 17]), "B narrower");
  assert.ok(!packsLeftOperand([2, 130, 5], [2, 130, 40]), "batched");
  assert.ok(!packsLeftOperand([1, 1], [1, 1]), "1 × 1");
  assert.ok(!packsLeftOperand([4096, 0], [4096, 128]), "empty product");
  assert.ok(
    packsLeftOperand([4096, 100], [4096, 128]),
    "100 vs 128: packing 28 fewer columns wins",
  );
  assert.ok(
    !packsLeftOperand([4096, 120], [4096, 128]),
    "120 vs 128: the copy of A and the product's transpose do not pay",
  );
});

Deno.test("wasm BatchMatMul: non-float32 operands keep tfjs-wasm's kernel (and its error)", async () => {
  await useBackend("wasm");
  const int = (shape: number[]) => tf.ones(shape, "int32");
  assert.throws(
    () => tf.tidy(() => tf.matMul(int([130, 5]), int([130, 40]), true, false)),
    /float32/,
  );
});

Deno.test("wasm BatchMatMul: Aᵀ·B is summed over contraction chunks only past 2 chunks, unbatched", () => {
  const k = 2 * CONTRACTION_CHUNK;
  assert.ok(chunksContraction([k + 1, 128], [k + 1, 128]));
  assert.ok(chunksContraction([1, 16384, 17], [16384, 128]), "size-1 batch");
  assert.ok(!chunksContraction([k, 128], [k, 128]), "4,096 rows: one product");
  assert.ok(!chunksContraction([2, k + 1, 5], [2, k + 1, 7]), "batched");
  assert.ok(!chunksContraction([k + 1, 5], [k, 7]), "different K: tfjs-wasm's kernel throws");
  assert.ok(!chunksContraction([k + 1, 0], [k + 1, 7]), "empty product");
});

Deno.test("wasm BatchMatMul: a long contraction with mismatched inner sizes throws", async () => {
  await useBackend("wasm");
  const k = 2 * CONTRACTION_CHUNK;
  assert.throws(
    () => tf.tidy(() => tf.matMul(tf.ones([k + 1, 5]), tf.ones([k, 7]), true, false)),
    /inner shapes/,
  );
});
