/**
 * The wasm `Concat` and `Pack` overrides (src/kernels/wasm_concat.ts) against the cpu backend:
 * every axis, short and long runs, empty inputs, int32, gradients; no buffer left behind.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import "./register.ts";

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
      tf.concat([t([5])], 0), // one input
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
