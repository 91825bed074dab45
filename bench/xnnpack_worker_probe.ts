/**
 * A probe, not a kernel: would running XNNPACK in a second thread speed up a weight gradient
 * `xᵀ·dy` (`[N, 128]ᵀ·[N, 128]`, both operands new)? TensorFlow.js's wasm backend is
 * single-threaded in Deno; here a worker with its own wasm backend
 * (`xnnpack_worker_probe_worker.ts`) takes the first `--share` of the tokens (the main thread
 * writes their `xᵀ` and `dy` into shared memory) while the main thread computes the rest with our
 * kernel, then adds the two `[128, 128]` partials. Interleaved with the kernel alone:
 *
 *   deno run -A bench/xnnpack_worker_probe.ts [--n 4096,8580] [--share 0.6] [--runs 20]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { tf, useBackend } from "../src/backend.ts";
import "../src/kernels/register.ts";
import { setThreads } from "../src/kernels/pool/threads.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "4096,8580" },
    share: { type: "string", default: "0.6" },
    runs: { type: "string", default: "20" },
  },
});
const lengths = values.n!.split(",").map(Number);
const share = Number(values.share), runs = Number(values.runs);
if (
  lengths.some((n) => !Number.isInteger(n) || n < 2) || !(share > 0 && share < 1) || !(runs >= 1)
) {
  console.error(
    `xnnpack_worker_probe: bad --n ${values.n}, --share ${values.share} or --runs ${values.runs}`,
  );
  Deno.exit(2);
}
await useBackend("wasm");
setThreads(1); // our own kernels stay on this thread: the worker is the only second thread
const C = 128;
const control = new SharedArrayBuffer(64);
const ctl = new Int32Array(control);
const data = new SharedArrayBuffer(4 * (2 * Math.max(...lengths) * C + C * C));
const worker = new Worker(new URL("./xnnpack_worker_probe_worker.ts", import.meta.url), {
  type: "module",
});
await new Promise<void>((resolve, reject) => {
  worker.onmessage = () => resolve();
  worker.onerror = (e) => {
    e.preventDefault();
    worker.terminate();
    reject(new Error(`xnnpack_worker_probe: the worker failed to start: ${e.message}`));
  };
  worker.postMessage({ control, data });
});
const heap = tf.backend() as unknown as { typedArrayFromHeap(t: tf.Tensor): Float32Array };
let generation = 0;

/** `xᵀ·dy` with the first `share` of the rows on the worker. */
function twoThreads(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor {
  const n = x.shape[0], k = Math.floor(n * share);
  const xs = heap.typedArrayFromHeap(x), ds = heap.typedArrayFromHeap(dy);
  const f = new Float32Array(data);
  for (let i = 0; i < k; i++) for (let j = 0; j < C; j++) f[j * k + i] = xs[i * C + j]; // xᵀ
  f.set(ds.subarray(0, k * C), C * k);
  [ctl[1], ctl[2], ctl[3]] = [k, C, C];
  Atomics.store(ctl, 0, ++generation);
  Atomics.notify(ctl, 0);
  return tf.tidy(() => {
    const mine = tf.matMul(x.slice([k, 0], [n - k, C]), dy.slice([k, 0], [n - k, C]), true, false);
    for (let done; (done = Atomics.load(ctl, 4)) !== generation;) Atomics.wait(ctl, 4, done);
    if (ctl[5] !== 0) throw new Error("xnnpack_worker_probe: the worker failed (its error above)");
    const at = 2 * C * k;
    return tf.add(mine, tf.tensor2d(f.slice(at, at + C * C), [C, C]));
  });
}

const median = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
try {
  for (const n of lengths) {
    const x = tf.randomNormal([n, C], 0, 1, "float32", 1) as tf.Tensor2D;
    const dy0 = tf.randomNormal([n, C], 0, 1, "float32", 2) as tf.Tensor2D;
    const one: number[] = [], two: number[] = [];
    let diff = 0;
    for (let i = 0; i < runs + 3; i++) {
      const [dyA, dyB] = [tf.mul(dy0, 1) as tf.Tensor2D, tf.mul(dy0, 1) as tf.Tensor2D];
      let t0 = performance.now();
      const a = tf.matMul(x, dyA, true, false);
      const tOne = performance.now() - t0;
      t0 = performance.now();
      const b = twoThreads(x, dyB);
      const tTwo = performance.now() - t0;
      if (i >= 3) [one.push(tOne), two.push(tTwo)];
      diff = Math.max(diff, tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]));
      tf.dispose([a, b, dyA, dyB]);
    }
    console.log(
      `N = ${n}: kernel ${median(one).toFixed(2)} ms, main + XNNPACK worker (share ${share}) ` +
        `${median(two).toFixed(2)} ms, max |difference| ${diff.toExponential(1)}`,
    );
    tf.dispose([x, dy0]);
  }
} finally {
  Atomics.store(ctl, 0, -1);
  Atomics.notify(ctl, 0);
  worker.terminate();
}
