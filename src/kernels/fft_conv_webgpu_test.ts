/**
 * Tests of the WGSL `FftConvSe3` kernel on the `webgpu` backend (Mesa's lavapipe in CI).
 * They fail, with install instructions, when this machine has no WebGPU adapter.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import { fftConv } from "../fft_conv.ts";
import { randomArray, seededUniform } from "../fft/testing.ts";
import { requireWebgpuAdapter } from "../webgpu/adapter_info.ts";
import { FFT_CONV_KERNEL } from "./fft_conv_kernel.ts";
import {
  fftConvChunking,
  fftConvWebgpu,
  setFftConvWebgpuOptions,
  stockhamRadices,
  type WebgpuBackendLike,
} from "./fft_conv_webgpu.ts";

/** Makes webgpu the active backend, or throws explaining how to get an adapter. */
let ready: Promise<void> | undefined;
function webgpu(): Promise<void> {
  ready ??= (async () => {
    await requireWebgpuAdapter();
    await useBackend("webgpu");
  })();
  return ready;
}

/** A seeded float32 array of `n` uniform values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  return randomArray(n, seededUniform(seed));
}

/**
 * Float64 direct sum at one output position:
 * `Σ_j x[b, j, d] · k'[b, (i − j) mod N, d]`, k' = k circularly reversed when `flip`.
 */
function directAt(
  x: Float32Array,
  k: Float32Array,
  [_, n, dim]: readonly number[],
  b: number,
  i: number,
  d: number,
  flip: boolean,
): number {
  let s = 0;
  for (let j = 0; j < n; j++) {
    let m = (i - j + n) % n;
    if (flip) m = (n - m) % n;
    s += x[(b * n + j) * dim + d] * k[(b * n + m) * dim + d];
  }
  return s;
}

/**
 * max |y − ref| / max |ref| over the given output positions (every position when
 * `positions` is undefined), with ref the float64 direct sum.
 */
function relativeError(
  y: Float32Array,
  x: Float32Array,
  k: Float32Array,
  shape: readonly number[],
  flip: boolean,
  positions?: number[],
): number {
  const [bs, n, dim] = shape;
  let err = 0;
  let scale = 0;
  for (let b = 0; b < bs; b++) {
    for (const i of positions ?? Array.from({ length: n }, (_, i) => i)) {
      for (let d = 0; d < dim; d++) {
        const ref = directAt(x, k, shape, b, i, d, flip);
        err = Math.max(err, Math.abs(y[(b * n + i) * dim + d] - ref));
        scale = Math.max(scale, Math.abs(ref));
      }
    }
  }
  return err / scale;
}

/** Runs the raw kernel on host arrays; returns the output values. */
async function runKernel(
  x: Float32Array,
  k: Float32Array,
  shape: [number, number, number],
  flip: boolean,
): Promise<Float32Array> {
  const xt = tf.tensor3d(x, shape);
  const kt = tf.tensor3d(k, shape);
  const y = tf.engine().runKernel(FFT_CONV_KERNEL, { x: xt, k: kt }, { flip }) as tf.Tensor;
  try {
    return await y.data() as Float32Array;
  } finally {
    tf.dispose([xt, kt, y]);
  }
}

/** A few output positions spread over [0, n), both ends included. */
function sampled(n: number, count: number): number[] {
  return [
    ...new Set(Array.from({ length: count }, (_, c) => Math.floor((c * (n - 1)) / (count - 1)))),
  ];
}

Deno.test("stockhamRadices: radix-4 passes, one radix-2 pass for odd log2", () => {
  assert.deepEqual(stockhamRadices(1), []);
  assert.deepEqual(stockhamRadices(2), [2]);
  assert.deepEqual(stockhamRadices(4), [4]);
  assert.deepEqual(stockhamRadices(32), [4, 4, 2]);
  assert.deepEqual(stockhamRadices(1 << 16), [4, 4, 4, 4, 4, 4, 4, 4]);
});

Deno.test("fftConvChunking: FFT size, fold and chunks within the binding limit", () => {
  assert.deepEqual(fftConvChunking([2, 64, 3], 1 << 27), { m: 64, fold: false, bc: 2, dc: 3 });
  assert.deepEqual(fftConvChunking([1, 1, 1], 1 << 27), { m: 2, fold: true, bc: 1, dc: 1 });
  assert.deepEqual(fftConvChunking([1, 997, 1], 1 << 27), { m: 2048, fold: true, bc: 1, dc: 1 });
  // One column of M = 256 is 2 KiB.
  assert.deepEqual(fftConvChunking([3, 100, 5], 2048 * 10), { m: 256, fold: true, bc: 2, dc: 5 });
  assert.deepEqual(fftConvChunking([3, 100, 5], 2048 * 3), { m: 256, fold: true, bc: 1, dc: 3 });
  assert.throws(
    () => fftConvChunking([1, 100, 1], 1024),
    /over the device's binding limit of 1024/,
  );
});

Deno.test("webgpu FftConvSe3 matches a float64 direct sum, N ∈ {1, 7, 64, 997, 4096}", async () => {
  await webgpu();
  const cases: Array<[number, number, number]> = [
    [1, 1, 1],
    [2, 1, 3],
    [2, 7, 3],
    [1, 64, 5],
    [2, 997, 3],
    [1, 4096, 2],
  ];
  for (const shape of cases) {
    for (const flip of [false, true]) {
      const size = shape[0] * shape[1] * shape[2];
      const x = values(size, 1 + shape[1]);
      const k = values(size, 2 + shape[1]);
      const y = await runKernel(x, k, shape, flip);
      const e = relativeError(y, x, k, shape, flip);
      assert.ok(
        e < 1e-4,
        `shape [${shape}] flip=${flip}: relative error ${e.toExponential(2)} ≥ 1e-4`,
      );
    }
  }
});

Deno.test("webgpu FftConvSe3 at N = 65536 matches the direct sum at sampled positions", async () => {
  await webgpu();
  const shape: [number, number, number] = [1, 65536, 2];
  const x = values(65536 * 2, 11);
  const k = values(65536 * 2, 12);
  for (const flip of [false, true]) {
    const y = await runKernel(x, k, shape, flip);
    const e = relativeError(y, x, k, shape, flip, sampled(65536, 24));
    assert.ok(e < 1e-4, `N=65536 flip=${flip}: relative error ${e.toExponential(2)} ≥ 1e-4`);
  }
});

Deno.test("webgpu FftConvSe3 with more workgroups than maxComputeWorkgroupsPerDimension (2-D dispatch)", async () => {
  await webgpu();
  const backend = tf.backend() as unknown as WebgpuBackendLike;
  const shape: [number, number, number] = [1, 65536, 64];
  // The pack program runs B·M·D threads in workgroups of 64.
  const workgroups = Math.ceil((shape[0] * shape[1] * shape[2]) / 64);
  assert.ok(
    workgroups > backend.device.limits.maxComputeWorkgroupsPerDimension,
    `test needs > ${backend.device.limits.maxComputeWorkgroupsPerDimension} workgroups, has ${workgroups}`,
  );
  const x = values(shape[1] * shape[2], 21);
  const k = values(shape[1] * shape[2], 22);
  const y = await runKernel(x, k, shape, false);
  const e = relativeError(y, x, k, shape, false, sampled(65536, 4));
  assert.ok(e < 1e-4, `relative error ${e.toExponential(2)} ≥ 1e-4`);
});

Deno.test("webgpu FftConvSe3 splits work over channel and batch chunks under a small binding limit", async () => {
  await webgpu();
  const shape: [number, number, number] = [3, 100, 5];
  const x = values(1500, 31);
  const k = values(1500, 32);
  try {
    // M = 256: one column is 2 KiB. 3 columns per chunk: channels split 3 + 2, batch by batch;
    // 10 columns per chunk: two batches, then one.
    for (const columns of [3, 10]) {
      setFftConvWebgpuOptions({ maxBindingBytes: 2048 * columns });
      for (const flip of [false, true]) {
        const y = await runKernel(x, k, shape, flip);
        const e = relativeError(y, x, k, shape, flip);
        assert.ok(
          e < 1e-4,
          `${columns} columns/chunk flip=${flip}: relative error ${e.toExponential(2)}`,
        );
      }
    }
  } finally {
    setFftConvWebgpuOptions({ maxBindingBytes: undefined });
  }
  assert.throws(
    () => setFftConvWebgpuOptions({ maxBindingBytes: -3 }),
    /maxBindingBytes: expected a positive integer, got -3/,
  );
});

Deno.test("webgpu fftConv gradients match float64 sums, N ∈ {7, 64, 997}", async () => {
  await webgpu();
  for (const n of [7, 64, 997]) {
    const shape: [number, number, number] = [2, n, 3];
    const size = 2 * n * 3;
    const xv = values(size, 41 + n);
    const kv = values(size, 42 + n);
    const wv = values(size, 43 + n);
    const [x, k, w] = [xv, kv, wv].map((v) => tf.tensor3d(v, shape));
    // L = Σ w ⊙ fftConv(x, k): ∂L/∂x[j] = Σ_i w[i] k[(i − j) mod N] = corr(w, k)[j],
    // ∂L/∂k[m] = Σ_i w[i] x[(i − m) mod N] = corr(w, x)[m].
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(w, fftConv(a as tf.Tensor3D, b as tf.Tensor3D)))
    );
    const [dx, dk] = grads([x, k]);
    const dxv = await dx.data() as Float32Array;
    const dkv = await dk.data() as Float32Array;
    tf.dispose([x, k, w, dx, dk]);
    const ex = relativeError(dxv, wv, kv, shape, true);
    const ek = relativeError(dkv, wv, xv, shape, true);
    assert.ok(ex < 1e-4, `N=${n}: ∂x relative error ${ex.toExponential(2)} ≥ 1e-4`);
    assert.ok(ek < 1e-4, `N=${n}: ∂k relative error ${ek.toExponential(2)} ≥ 1e-4`);
  }
});

Deno.test("webgpu fftConv stays on the GPU in order with other ops and leaks no tensors or buffers", async () => {
  await webgpu();
  const shape: [number, number, number] = [2, 300, 4];
  const a = tf.tensor3d(values(2400, 51), shape);
  const kk = tf.tensor3d(values(2400, 52), shape);
  const step = () =>
    tf.tidy(() => {
      // Inputs produced and output consumed by other GPU ops, no readback in between.
      const x = tf.add(a, 1) as tf.Tensor3D;
      const y = fftConv(x, tf.mul(kk, 2) as tf.Tensor3D);
      const g = tf.grad((v: tf.Tensor) => tf.sum(fftConv(v as tf.Tensor3D, kk)))(x);
      return tf.add(tf.mul(y, 0.5), tf.mul(g, 0));
    });
  const warm = step();
  const expect = await warm.data() as Float32Array;
  warm.dispose();
  await tf.ready();
  const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
  for (let r = 0; r < 5; r++) {
    const y = step();
    assert.deepEqual(await y.data(), expect, `repeat ${r} gives the same result`);
    y.dispose();
  }
  const after = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
  assert.equal(after.numTensors, before.numTensors, "live tensors after 5 repeats");
  assert.equal(after.numBytesInGPU, before.numBytesInGPU, "GPU bytes in use after 5 repeats");
  // y = 0.5 · conv(a + 1, 2k) = conv(a + 1, k).
  const x1 = Float32Array.from(await a.data(), (v) => v + 1);
  const e = relativeError(expect, x1, await kk.data() as Float32Array, shape, false);
  assert.ok(e < 1e-4, `relative error ${e.toExponential(2)} ≥ 1e-4`);
  tf.dispose([a, kk]);
});

Deno.test("fftConvWebgpu rejects mismatched shapes naming them", async () => {
  await webgpu();
  const backend = tf.backend() as unknown as WebgpuBackendLike;
  const x = tf.zeros([1, 4, 2]);
  const k = tf.zeros([1, 4, 3]);
  try {
    assert.throws(() => fftConvWebgpu(backend, x, k, false), /x and k must have equal shapes/);
  } finally {
    tf.dispose([x, k]);
  }
});
