import assert from "node:assert/strict";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { tf, useBackend } from "./backend.ts";
import { fftConv } from "./fft_conv.ts";
import { FFT_CONV_KERNEL } from "./kernels/fft_conv_kernel.ts";
import { fftConvSpectralKernelFunc, spectralCircularConv } from "./kernels/fft_conv_tensorflow.ts";
import { directCircularConv, randomArray, relativeError, seededUniform } from "./fft/testing.ts";

/** Asserts `a < b`, with `msg` and both values in the failure message. */
function assertLess(a: number, b: number, msg = ""): void {
  assert.ok(a < b, `${msg} expected ${a} < ${b}`);
}

/** Asserts that `fn` throws an Error whose message contains `text`. */
function assertThrows(fn: () => unknown, _type: ErrorConstructor, text: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, `expected an Error, got ${e}`);
    assert.ok(
      e.message.includes(text),
      `expected a message containing\n  ${text}\ngot\n  ${e.message}`,
    );
    return true;
  });
}

const BACKENDS = ["cpu", "wasm"] as const;
const TOL = 1e-5;

/** Analytic gradients of L = Σ dy ⊙ fftConv(x, k), in float64, straight from the sum. */
function directGrads(
  x: Float32Array,
  k: Float32Array,
  dy: Float32Array,
  [nb, n, nd]: readonly [number, number, number],
): [Float64Array, Float64Array] {
  const dx = new Float64Array(x.length);
  const dk = new Float64Array(k.length);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const m = (i - j + n) % n; // y[i] += x[j] · k[m]
        for (let d = 0; d < nd; d++) {
          const yi = (b * n + i) * nd + d;
          dx[(b * n + j) * nd + d] += dy[yi] * k[(b * n + m) * nd + d];
          dk[(b * n + m) * nd + d] += dy[yi] * x[(b * n + j) * nd + d];
        }
      }
    }
  }
  return [dx, dk];
}

function randomShape(n: number, random: () => number): [number, number, number] {
  const pick = (lo: number, hi: number) => lo + Math.floor(((random() + 1) / 2) * (hi - lo + 1));
  return n >= 1000 ? [1, n, pick(1, 2)] : [pick(1, 3), n, pick(1, 5)];
}

for (const backend of BACKENDS) {
  Deno.test(`fftConv (${backend}): matches the direct float64 sum for N in {1,2,7,10,64,997,4096}`, async () => {
    await useBackend(backend);
    const random = seededUniform(1234);
    for (const n of [1, 2, 7, 10, 64, 997, 4096]) {
      const shape = randomShape(n, random);
      const size = shape[0] * shape[1] * shape[2];
      const x = randomArray(size, random);
      const k = randomArray(size, random);
      const got = tf.tidy(() => fftConv(tf.tensor3d(x, shape), tf.tensor3d(k, shape)).dataSync());
      const err = relativeError(got, directCircularConv(x, k, shape));
      assertLess(err, TOL, `N=${n} shape [${shape}]: relative error ${err}`);
    }
  });

  Deno.test(`fftConv (${backend}): flip kernel computes the circular correlation`, async () => {
    await useBackend(backend);
    const random = seededUniform(77);
    for (const n of [1, 3, 8, 12, 33]) {
      const shape: [number, number, number] = [2, n, 3];
      const x = randomArray(2 * n * 3, random);
      const k = randomArray(2 * n * 3, random);
      const got = tf.tidy(() =>
        (tf.engine().runKernel(FFT_CONV_KERNEL, {
          x: tf.tensor3d(x, shape),
          k: tf.tensor3d(k, shape),
        }, { flip: true }) as tf.Tensor).dataSync()
      );
      const err = relativeError(got, directCircularConv(x, k, shape, true));
      assertLess(err, TOL, `N=${n}: relative error ${err}`);
      // Non-symmetric inputs: correlation and convolution differ, so a mix-up fails.
      if (n > 2) assert.ok(relativeError(got, directCircularConv(x, k, shape, false)) > 1e-2);
    }
  });

  Deno.test(`fftConv (${backend}): gradients match the direct sum's analytic gradients`, async () => {
    await useBackend(backend);
    const random = seededUniform(99);
    for (const n of [1, 2, 7, 10, 64, 97]) {
      const shape = randomShape(n, random);
      const size = shape[0] * shape[1] * shape[2];
      const x = randomArray(size, random);
      const k = randomArray(size, random);
      const dy = randomArray(size, random);
      const [gx, gk] = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => fftConv(a as tf.Tensor3D, b as tf.Tensor3D);
        const grads = tf.grads(f)(
          [tf.tensor3d(x, shape), tf.tensor3d(k, shape)],
          tf.tensor3d(dy, shape),
        );
        return grads.map((g) => g.dataSync());
      });
      const [ex, ek] = directGrads(x, k, dy, shape);
      assertLess(relativeError(gx, ex), TOL, `N=${n} dx`);
      assertLess(relativeError(gk, ek), TOL, `N=${n} dk`);
    }
  });

  Deno.test(`fftConv (${backend}): second-order gradient is the analytic one`, async () => {
    await useBackend(backend);
    // L = Σ w ⊙ ∂/∂x Σ(fftConv(x, k)) with ∂/∂x Σ y = [Σ_m k[m]] broadcast over tokens,
    // so ∂L/∂k[m] = Σ_j w[j] for every m.
    const random = seededUniform(5);
    const shape: [number, number, number] = [1, 6, 2];
    const x = tf.tensor3d(randomArray(12, random), shape);
    const k = tf.tensor3d(randomArray(12, random), shape);
    const w = randomArray(12, random);
    const got = tf.tidy(() => {
      const inner = (kk: tf.Tensor) =>
        tf.grad((xx: tf.Tensor) => tf.sum(fftConv(xx as tf.Tensor3D, kk as tf.Tensor3D)))(x);
      return tf.grad((kk: tf.Tensor) => tf.sum(tf.mul(inner(kk), tf.tensor3d(w, shape))))(k)
        .dataSync();
    });
    const expected = new Float64Array(12);
    for (let d = 0; d < 2; d++) {
      let s = 0;
      for (let j = 0; j < 6; j++) s += w[j * 2 + d];
      for (let m = 0; m < 6; m++) expected[m * 2 + d] = s;
    }
    assertLess(relativeError(got, expected), TOL);
    tf.dispose([x, k]);
  });

  Deno.test(`fftConv (${backend}): no tensor leaks in forward and backward`, async () => {
    await useBackend(backend);
    const random = seededUniform(3);
    const shape: [number, number, number] = [2, 10, 3];
    const x = tf.tensor3d(randomArray(60, random), shape);
    const k = tf.tensor3d(randomArray(60, random), shape);
    const before = tf.memory().numTensors;
    const y = fftConv(x, k);
    assert.equal(tf.memory().numTensors, before + 1);
    y.dispose();
    assert.equal(tf.memory().numTensors, before);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(fftConv(a as tf.Tensor3D, b as tf.Tensor3D))
    )([x, k]);
    assert.equal(tf.memory().numTensors, before + 2);
    tf.dispose(grads);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, k]);
  });

  Deno.test(`fftConv (${backend}): rejects bad inputs naming the argument and value`, async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const ok = tf.zeros([2, 4, 3]) as tf.Tensor3D;
      assertThrows(
        () => fftConv(tf.zeros([4, 5]) as unknown as tf.Tensor3D, ok),
        Error,
        "fftConv: x must be rank 3 [B, N, D], got shape [4,5]",
      );
      assertThrows(
        () => fftConv(ok, tf.zeros([2, 4, 3, 1]) as unknown as tf.Tensor3D),
        Error,
        "fftConv: k must be rank 3 [B, N, D], got shape [2,4,3,1]",
      );
      assertThrows(
        () => fftConv(ok, tf.zeros([2, 5, 3]) as tf.Tensor3D),
        Error,
        "fftConv: x and k must have equal shapes, got x [2,4,3] and k [2,5,3]",
      );
      const empty = tf.zeros([2, 0, 3]) as tf.Tensor3D;
      assertThrows(
        () => fftConv(empty, empty),
        Error,
        "fftConv: x must have N ≥ 1 tokens, got shape [2,0,3]",
      );
      assertThrows(
        () => fftConv(ok, tf.zeros([2, 4, 3], "int32") as tf.Tensor3D),
        Error,
        "fftConv: k must be float32, got dtype int32",
      );
      assertThrows(
        () => fftConv([1, 2] as unknown as tf.Tensor3D, ok),
        Error,
        "fftConv: x must be a tf.Tensor [B, N, D], got an array of length 2",
      );
    });
  });
}

Deno.test("fftConv: a backend without the kernel is named in the error (no fallback)", async () => {
  const name = "cpu-without-fftconv";
  tf.registerBackend(name, () => new MathBackendCPU());
  try {
    await tf.setBackend(name);
    const x = tf.zeros([1, 4, 2]) as tf.Tensor3D;
    assertThrows(
      () => fftConv(x, x),
      Error,
      `fftConv: backend "${name}" has no ${FFT_CONV_KERNEL} kernel registered`,
    );
    x.dispose();
  } finally {
    await useBackend("cpu");
    tf.removeBackend(name);
  }
});

Deno.test("tensorflow kernel math (tf.spectral on cpu): padding, fold and flip match the direct sum", async () => {
  await useBackend("cpu");
  const random = seededUniform(2024);
  for (const n of [1, 2, 3, 7, 8, 10, 16]) {
    for (const flip of [false, true]) {
      const shape: [number, number, number] = [2, n, 3];
      const x = randomArray(6 * n, random);
      const k = randomArray(6 * n, random);
      const got = tf.tidy(() =>
        spectralCircularConv(tf.tensor3d(x, shape), tf.tensor3d(k, shape), flip).dataSync()
      );
      const err = relativeError(got, directCircularConv(x, k, shape, flip));
      assertLess(err, TOL, `N=${n} flip=${flip}: relative error ${err}`);
    }
  }
});

Deno.test("tensorflow kernel function (registered for cpu under a test name): correct, no leaks", async () => {
  await useBackend("cpu");
  const kernelName = `${FFT_CONV_KERNEL}SpectralTest`;
  tf.registerKernel({ kernelName, backendName: "cpu", kernelFunc: fftConvSpectralKernelFunc });
  try {
    const random = seededUniform(8);
    const shape: [number, number, number] = [1, 12, 2];
    const xa = randomArray(24, random);
    const ka = randomArray(24, random);
    const x = tf.tensor3d(xa, shape);
    const k = tf.tensor3d(ka, shape);
    const before = tf.memory().numTensors;
    const y = tf.engine().runKernel(kernelName, { x, k }, { flip: true }) as tf.Tensor;
    assert.equal(tf.memory().numTensors, before + 1);
    assertLess(relativeError(y.dataSync(), directCircularConv(xa, ka, shape, true)), TOL);
    y.dispose();
    assert.equal(tf.memory().numTensors, before);
    // The inputs survive the kernel (its wrappers released only their own references).
    assertLess(relativeError(x.dataSync(), xa), 1e-12);
    tf.dispose([x, k]);
  } finally {
    tf.unregisterKernel(kernelName, "cpu");
  }
});
