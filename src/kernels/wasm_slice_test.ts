import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import "./register.ts";
import { wasmSlice, wasmSplitV, wasmUnpack } from "./wasm_slice.ts";

/** Every op's values, as plain arrays, on the active backend. */
function run(): unknown[] {
  return tf.tidy(() => {
    const t = (shape: number[], dtype: "float32" | "int32" = "float32") =>
      tf.range(0, shape.reduce((a, b) => a * b), 1, dtype).reshape(shape);
    const out: tf.Tensor[] = [
      tf.slice(t([7, 5]), [2, 0], [3, 5]), // contiguous rows
      tf.slice(t([7, 5]), [1, 1], [4, 3]), // rank 2, strided
      tf.slice(t([3, 4, 5]), [1, 1, 2], [2, 2, 3]),
      tf.slice(t([2, 3, 4, 5], "int32"), [0, 1, 1, 1], [2, 2, 2, 3]),
      tf.slice(t([2, 2, 3, 2, 3]), [1, 0, 1, 1, 0], [1, 2, 2, 1, 2]), // rank 5
      tf.slice(t([4, 3]), [1, 0], [0, 3]), // empty
      tf.slice(t([6]), [2], [3]),
      ...tf.split(t([6, 4]), [1, 2, 3], 0),
      ...tf.split(t([2, 6, 3]), [4, 2], 1),
      ...tf.split(t([3, 8]), 4, -1),
      ...tf.unstack(t([3, 2, 4]), 0),
      ...tf.unstack(t([3, 2, 4]), 1),
      ...tf.unstack(t([3, 2, 4], "int32"), -1),
      tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.slice(x, [1, 2], [2, 2]))))(t([4, 5])),
    ];
    return out.map((x) => ({ shape: x.shape, dtype: x.dtype, values: [...x.dataSync()] }));
  });
}

Deno.test("wasm Slice, SplitV, Unpack from heap views equal cpu's (ranks 1-5, strided, int32, gradient)", async () => {
  await useBackend("cpu");
  const want = run();
  await useBackend("wasm");
  for (
    const [name, func] of [["Slice", wasmSlice], ["SplitV", wasmSplitV], ["Unpack", wasmUnpack]]
  ) {
    const kernel = tf.getKernel(name as string, "wasm")!;
    assert.notEqual(kernel.kernelFunc, func, `${name}: wrapped (strings keep tfjs's)`);
  }
  const before = tf.memory().numTensors;
  const got = run();
  assert.equal(tf.memory().numTensors, before);
  got.forEach((g, i) => assert.deepEqual(g, want[i], `op ${i}`));
});

Deno.test("wasm Slice, SplitV, Unpack never copy their input out of the heap (no readSync)", async () => {
  await useBackend("wasm");
  const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
  const readSync = backend.readSync;
  let reads = 0;
  backend.readSync = (...a: unknown[]) => {
    reads++;
    return readSync.apply(backend, a);
  };
  try {
    tf.tidy(() => {
      const x = tf.zeros([64, 32]);
      tf.slice(x, [8, 0], [8, 32]);
      tf.slice(x, [8, 4], [8, 8]);
      tf.split(x, [16, 48], 0);
      tf.unstack(x, 1);
    });
  } finally {
    backend.readSync = readSync;
  }
  assert.equal(reads, 0, "tfjs-wasm's Slice reads (copies) the whole input: O(input) per slice");
});
