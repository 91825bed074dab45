/**
 * The wasm `Sum` override (src/kernels/wasm_sum.ts): every axis set, keepDims, size-1 and empty
 * axes give the cpu backend's sums; the reduction is in float64; only contiguous non-innermost
 * blocks take it; no buffer is left behind.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import "./register.ts";
import { middleBlock, sumMiddleAxis, wasmSum } from "./wasm_sum.ts";

/** Input shapes with the axes summed over (null: all), keepDims both ways. */
const CASES: [number[], number | number[] | null][] = [
  [[37, 130], 0],
  [[37, 130], 1],
  [[37, 130], [0, 1]],
  [[37, 130], null],
  [[1, 4096, 3], 0], // size-1 reduced axis
  [[5, 6, 7], 1], // middle block, outer > 1
  [[5, 6, 7], [0, 1]],
  [[5, 6, 7], [1, 0]], // unsorted
  [[5, 6, 7], [-3]], // negative
  [[5, 6, 7], [0, 2]], // not contiguous: tfjs-wasm's
  [[2, 3, 4, 5], [1, 2]],
  [[3, 5000], 0], // wider than a column block
  [[4, 0, 3], 0], // empty
  [[0, 3], 0], // empty reduced axis: zeros
];

/** Every case's sums (and an int32 one), as plain arrays, on the active backend. */
function run(): unknown[] {
  return tf.tidy(() =>
    CASES.flatMap(([shape, axis]) =>
      [false, true].map((keepDims) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tf.sin(tf.range(0, size, 1, "float32")).reshape(shape);
        const y = tf.sum(x, axis ?? undefined, keepDims);
        return { shape: y.shape, values: [...y.dataSync()] };
      })
    ).concat(tf.tidy(() => {
      const y = tf.sum(tf.range(0, 12, 1, "int32").reshape([3, 4]), 0);
      return [{ shape: y.shape, values: [...y.dataSync()] }];
    }))
  );
}

Deno.test("wasm Sum equals cpu's (axes, keepDims, size-1, empty, int32), no leaks", async () => {
  await useBackend("cpu");
  const want = run() as { shape: number[]; values: number[] }[];
  await useBackend("wasm");
  assert.equal(tf.getKernel("Sum", "wasm")?.kernelFunc, wasmSum);
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const buffers = backend.numDataIds();
  const got = run() as { shape: number[]; values: number[] }[];
  assert.equal(backend.numDataIds(), buffers, "wasm buffers left");
  got.forEach((g, i) => {
    assert.deepEqual(g.shape, want[i].shape, `case ${i} shape`);
    g.values.forEach((v, j) => {
      assert.ok(
        Math.abs(v - want[i].values[j]) <= 1e-4,
        `case ${i}[${j}]: ${v} vs ${want[i].values[j]}`,
      );
    });
  });
});

Deno.test("wasm Sum: middle blocks only (contiguous, not innermost, inner > 1)", () => {
  assert.deepEqual(middleBlock([4096, 128], [0]), [1, 4096, 128]);
  assert.deepEqual(middleBlock([2, 3, 4, 5], [1, 2]), [2, 12, 5]);
  assert.equal(middleBlock([4096, 128], [1]), undefined, "innermost");
  assert.equal(middleBlock([4096, 128], [0, 1]), undefined, "all axes end innermost");
  assert.equal(middleBlock([5, 6, 7], [0, 2]), undefined, "not contiguous");
  assert.equal(middleBlock([5, 6, 1], [0, 1]), undefined, "inner of size 1");
  assert.equal(middleBlock([5, 6], []), undefined, "no axes");
});

Deno.test("wasm Sum adds in float64: 2^24 + 1 + 1 … is not stuck at 2^24", () => {
  // Float32 running sums of [2^24, 1, 1, 1] stay at 2^24; float64 gives 2^24 + 3 (then rounded).
  const x = new Float32Array([2 ** 24, 5, 1, 0, 1, 0, 1, 0]); // [4, 2]
  const out = new Float32Array(2);
  sumMiddleAxis(x, out, 1, 4, 2);
  assert.equal(out[0], Math.fround(2 ** 24 + 3));
  assert.equal(out[1], 5);
});
