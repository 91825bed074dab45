/**
 * The worker side of `bench/xnnpack_worker_probe.ts`: its own TensorFlow.js `wasm` backend
 * (XNNPACK), which computes `xᵀ·dy` for the rows the main thread hands it through shared memory.
 *
 * Protocol (Int32 control words): [0] job generation (−1: exit), [1] rows K, [2] M, [3] N,
 * [4] generation done, [5] 1 if a job failed (its error printed here). Data (Float32): `xᵀ` `[M, K]`, then `dy` `[K, N]`, then the product
 * `[M, N]`.
 *
 * @module
 */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};
// The first message may arrive while the backend loads: take it before any await.
const init = new Promise<{ control: SharedArrayBuffer; data: SharedArrayBuffer }>((resolve) => {
  scope.onmessage = (e) => resolve(e.data);
});
const tf = await import("@tensorflow/tfjs-core");
await import("@tensorflow/tfjs-backend-wasm");
if (!(await tf.setBackend("wasm"))) throw new Error("xnnpack_worker_probe_worker: no wasm backend");
await tf.ready();
const { control, data } = await init;
const ctl = new Int32Array(control);
scope.postMessage("ready");
for (let seen = 0;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (seen < 0) break;
  const [k, m, n] = [ctl[1], ctl[2], ctl[3]];
  const f = new Float32Array(data);
  try {
    tf.tidy(() => {
      const xt = tf.tensor2d(f.subarray(0, m * k), [m, k]); // [M, K]
      const dy = tf.tensor2d(f.subarray(m * k, m * k + k * n), [k, n]); // [K, N]
      f.set(tf.matMul(xt, dy).dataSync(), m * k + k * n); // [M, N]
    });
  } catch (e) {
    console.error("xnnpack_worker_probe_worker:", e);
    Atomics.store(ctl, 5, 1); // before the done word: the main thread reads it after
  }
  Atomics.store(ctl, 4, seen);
  Atomics.notify(ctl, 4);
}
