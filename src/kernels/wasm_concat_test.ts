/**
 * The wasm `Concat` and `Pack` overrides (src/kernels/wasm_concat.ts) against the cpu backend:
 * every axis, short and long runs, empty inputs, int32, gradients; no buffer left behind.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import "./register.ts";
import { wasmConcat, wasmPack } from "./wasm_concat.ts";

/** Every op's values, as plain arrays, on the active backend. */
function run(): unknown[] {
  return tf.tidy(() => {
    let seed = 0;
    const t = (shape: number[], dtype: "float32" | "int32" = "float32") =>
      tf.range(seed, (seed += 1000) - 1000 + shape.reduce((a, b) => a * b, 1), 1, dtype)
        .reshape(shape);
    const out: tf.Tensor[] = [
      tf.concat([t([4096, 1]), t([4096, 1]), t([4096, 1])], 1), // short runs
      tf.concat([t([3, 40]), t([3, 50])], 1), // long runs
      tf.concat([t([3, 4]), t([2, 4]), t([1, 4])], 0),
      tf.concat([t([2, 3, 4]), t([2, 1, 4])], 1),
      tf.concat([t([2, 3, 4]), t([2, 3, 2])], -1),
      tf.concat([t([2, 0]), t([2, 3])], 1), // an empty input
      tf.concat([t([0, 3]), t([0, 3])], 0), // empty output
      tf.concat([t([2, 2], "int32"), t([2, 1], "int32")], 1),
      tf.concat([t([0]), t([5])], 0), // one non-empty input
      tf.stack([t([4096, 1]), t([4096, 1]), t([4096, 1])], 1),
      tf.stack([t([2, 3]), t([2, 3])], 0),
      tf.stack([t([2, 3]), t([2, 3])], 2),
      tf.stack([t([2, 3]), t([2, 3]), t([2, 3])], -1),
      tf.stack([t([3], "int32")], 0),
      ...tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.concat([tf.stack([a, b], 1), tf.expandDims(a, 1)], 1)))
      )([t([5, 2]), t([5, 2])]),
    ];
    return out.map((x) => ({ shape: x.shape, dtype: x.dtype, values: [...x.dataSync()] }));
  });
}

Deno.test("wasm Concat and Pack equal cpu's (axes, short/long runs, empty, int32, gradients), no leaks", async () => {
  await useBackend("cpu");
  const want = run();
  await useBackend("wasm");
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const buffers = backend.numDataIds();
  const got = run();
  assert.equal(backend.numDataIds(), buffers, "wasm buffers left");
  assert.deepEqual(got, want);
});

Deno.test("wasm Concat and Pack kernel functions called directly equal cpu's ops; bad stack axes throw", async () => {
  const cases: [number[][], number, "concat" | "stack"][] = [
    [[[4096, 1], [4096, 1], [4096, 1]], 1, "concat"],
    [[[3, 40], [3, 50]], -1, "concat"],
    [[[0, 3], [2, 3]], 0, "concat"],
    [[[4096, 1], [4096, 1]], 1, "stack"],
    [[[2, 3], [2, 3], [2, 3]], -1, "stack"],
    [[[2, 3], [2, 3]], -3, "stack"],
  ];
  const values = (direct: boolean) =>
    cases.map(([shapes, axis, op]) =>
      tf.tidy(() => {
        const xs = shapes.map((s, i) => tf.range(i * 1e4, i * 1e4 + s[0] * s[1]).reshape(s));
        if (!direct) {
          return [...(op === "concat" ? tf.concat(xs, axis) : tf.stack(xs, axis)).dataSync()];
        }
        const info = (op === "concat" ? wasmConcat : wasmPack)({
          inputs: xs as unknown as tf.NamedTensorInfoMap,
          attrs: { axis } as unknown as tf.NamedAttrMap,
          backend: tf.backend(),
        }) as tf.TensorInfo;
        return [...tf.engine().makeTensorFromTensorInfo(info).dataSync()];
      })
    );
  await useBackend("cpu");
  const want = values(false);
  await useBackend("wasm");
  assert.deepEqual(values(true), want);
  assert.throws(() => tf.tidy(() => tf.stack([tf.zeros([2, 3])], -4)), /axis -4 out of range/);
  for (const axis of [3, 1.5]) { // tfjs-core stops these before the kernel; the kernel too
    assert.throws(
      () =>
        tf.tidy(() => {
          wasmPack({
            inputs: [tf.zeros([2, 3]), tf.zeros([2, 3])] as unknown as tf.NamedTensorInfoMap,
            attrs: { axis } as unknown as tf.NamedAttrMap,
            backend: tf.backend(),
          });
        }),
      new RegExp(`axis ${axis} out of range \\[-3, 2\\] for rank 2`),
    );
  }
  assert.throws(
    () => tf.tidy(() => tf.stack([tf.zeros([2, 3]), tf.zeros([3, 2])])),
    /input 1 is float32 \[3,2\], input 0 float32 \[2,3\]/,
  );
});
