/**
 * The long-convolution benchmark cases shared by `fft_conv_bench.ts` (Deno.bench) and
 * `fft_conv_report.ts` (a plain table for the README):
 * - our `fftConv` forward `[1, 2^20, 16]` on wasm and cpu;
 * - the raw FFT libraries doing the same transforms as our kernel (3 complex FFTs of
 *   size M per pair of channels: 24 of size 2^20 for D = 16): fft.js, and our own
 *   {@link BitReversedFft}, so the op's overhead over its transforms is visible;
 * - a naive per-channel fft.js convolution (2 real FFTs + 1 inverse per channel);
 * - TF.js's own `tf.spectral.rfft/irfft` path on cpu beside our op at `[1, 2^12, 16]` (it takes
 *   ~15 s there; ~1 min at 2^14);
 * - forward + backward (`tf.grads`) at `[1, 2^16, 16]` on wasm and cpu.
 *
 * The cpu and wasm kernels run synchronously inside the op call, so timing the call
 * times the work (no read-back needed).
 *
 * @module
 */
import FFT from "fft.js";
import { type BackendName, tf, useBackend } from "../src/backend.ts";
import { fftConv } from "../src/fft_conv.ts";
import { BitReversedFft } from "../src/fft/bitrev_fft.ts";
import { seededUniform } from "../src/fft/testing.ts";
import { spectralCircularConv } from "../src/kernels/fft_conv_tensorflow.ts";

/** A prepared case: `run` does the timed work once; `dispose` frees its inputs. */
export interface PreparedCase {
  run: () => void;
  dispose: () => void;
}

/** One benchmark case. */
export interface FftConvCase {
  /** Short name, unique. */
  name: string;
  /** Deno.bench group (cases compared with each other). */
  group: string;
  /** The case the group compares against. */
  baseline?: boolean;
  /** The TF.js backend it runs on, or `"none"` for plain JavaScript. */
  backend: BackendName | "none";
  /** `[B, N, D]`. */
  shape: [number, number, number];
  /** Suggested timed runs (large cases take ~0.5 s each). */
  runs: number;
  /** Whether a report does an untimed warm-up run first. Default true. */
  warmup?: boolean;
  /** Builds inputs (untimed) and returns the timed function. */
  prepare: () => Promise<PreparedCase>;
}

/** Seeded uniform float32 values in [−1, 1). */
function randomValues(size: number, seed: number): Float32Array {
  const random = seededUniform(seed);
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = random();
  return a;
}

/** fftConv forward on `backend`. */
function opForward(
  backend: BackendName,
  shape: [number, number, number],
): () => Promise<PreparedCase> {
  return async () => {
    await useBackend(backend);
    const size = shape[0] * shape[1] * shape[2];
    const x = tf.tensor3d(randomValues(size, 1), shape);
    const k = tf.tensor3d(randomValues(size, 2), shape);
    return { run: () => fftConv(x, k).dispose(), dispose: () => tf.dispose([x, k]) };
  };
}

/** fftConv forward + gradients of Σ dy ⊙ y on `backend`. */
function opBackward(
  backend: BackendName,
  shape: [number, number, number],
): () => Promise<PreparedCase> {
  return async () => {
    await useBackend(backend);
    const size = shape[0] * shape[1] * shape[2];
    const x = tf.tensor3d(randomValues(size, 1), shape);
    const k = tf.tensor3d(randomValues(size, 2), shape);
    const dy = tf.tensor3d(randomValues(size, 3), shape);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      fftConv(a as tf.Tensor3D, b as tf.Tensor3D)
    );
    return {
      run: () => tf.dispose(grads([x, k], dy)),
      dispose: () => tf.dispose([x, k, dy]),
    };
  };
}

/** TF.js's spectral path (the tensorflow kernel's math) on cpu. */
function spectralForward(shape: [number, number, number]): () => Promise<PreparedCase> {
  return async () => {
    await useBackend("cpu");
    const size = shape[0] * shape[1] * shape[2];
    const x = tf.tensor3d(randomValues(size, 1), shape);
    const k = tf.tensor3d(randomValues(size, 2), shape);
    return {
      run: () => spectralCircularConv(x, k, false).dispose(),
      dispose: () => tf.dispose([x, k]),
    };
  };
}

/** `count` complex FFTs of size `m` (interleaved float64) with fft.js, out of place. */
function rawFftJs(m: number, count: number): () => Promise<PreparedCase> {
  return () => {
    const fft = new FFT(m);
    const src = Float64Array.from(randomValues(2 * m, 4));
    const dst = new Float64Array(2 * m);
    return Promise.resolve({
      run: () => {
        for (let i = 0; i < count; i++) fft.transform(dst, src);
      },
      dispose: () => {},
    });
  };
}

/** `count` in-place complex FFTs of size `m` with our {@link BitReversedFft}, half each way. */
function rawOwnFft(m: number, count: number): () => Promise<PreparedCase> {
  return () => {
    const fft = new BitReversedFft(m);
    const data = Float64Array.from(randomValues(2 * m, 4));
    return Promise.resolve({
      run: () => {
        for (let i = 0; i < count; i++) (i % 2 ? fft.inverse : fft.forward).call(fft, data);
      },
      dispose: () => {},
    });
  };
}

/**
 * A naive per-channel fft.js convolution of `[1, N, D]` float32 (N a power of two):
 * gather channel, two real FFTs, complete spectra, product, inverse complex FFT, scatter.
 */
function naiveFftJs(n: number, nd: number): () => Promise<PreparedCase> {
  return () => {
    const fft = new FFT(n);
    const x = randomValues(n * nd, 1);
    const k = randomValues(n * nd, 2);
    const y = new Float32Array(n * nd);
    const xr = new Float64Array(n), kr = new Float64Array(n);
    const xs = fft.createComplexArray() as number[], ks = fft.createComplexArray() as number[];
    const prod = fft.createComplexArray() as number[], res = fft.createComplexArray() as number[];
    return Promise.resolve({
      run: () => {
        for (let d = 0; d < nd; d++) {
          for (let j = 0; j < n; j++) {
            xr[j] = x[j * nd + d];
            kr[j] = k[j * nd + d];
          }
          fft.realTransform(xs, xr);
          fft.completeSpectrum(xs);
          fft.realTransform(ks, kr);
          fft.completeSpectrum(ks);
          for (let t = 0; t < 2 * n; t += 2) {
            prod[t] = xs[t] * ks[t] - xs[t + 1] * ks[t + 1];
            prod[t + 1] = xs[t] * ks[t + 1] + xs[t + 1] * ks[t];
          }
          fft.inverseTransform(res, prod);
          for (let j = 0; j < n; j++) y[j * nd + d] = res[2 * j];
        }
      },
      dispose: () => {},
    });
  };
}

const BIG: [number, number, number] = [1, 2 ** 20, 16];
const SMALL: [number, number, number] = [1, 2 ** 12, 16];
const MID: [number, number, number] = [1, 2 ** 16, 16];
/** Complex FFTs our kernel does for D = 16 (3 per pair of channels). */
const TRANSFORMS = 24;

/** Every case, in report order. */
export const FFT_CONV_CASES: FftConvCase[] = [
  {
    name: "fftConv forward wasm [1,2^20,16]",
    group: "forward 2^20",
    baseline: true,
    backend: "wasm",
    shape: BIG,
    runs: 5,
    prepare: opForward("wasm", BIG),
  },
  {
    name: "fftConv forward cpu [1,2^20,16]",
    group: "forward 2^20",
    backend: "cpu",
    shape: BIG,
    runs: 5,
    prepare: opForward("cpu", BIG),
  },
  {
    name: "raw fft.js: the same 24 complex FFTs of 2^20",
    group: "forward 2^20",
    backend: "none",
    shape: BIG,
    runs: 5,
    prepare: rawFftJs(2 ** 20, TRANSFORMS),
  },
  {
    name: "raw own FFT: the same 24 complex FFTs of 2^20",
    group: "forward 2^20",
    backend: "none",
    shape: BIG,
    runs: 5,
    prepare: rawOwnFft(2 ** 20, TRANSFORMS),
  },
  {
    name: "naive per-channel fft.js conv [1,2^20,16]",
    group: "forward 2^20",
    backend: "none",
    shape: BIG,
    runs: 3,
    prepare: naiveFftJs(2 ** 20, 16),
  },
  {
    name: "fftConv forward cpu [1,2^12,16]",
    group: "vs tf.spectral 2^12",
    baseline: true,
    backend: "cpu",
    shape: SMALL,
    runs: 20,
    prepare: opForward("cpu", SMALL),
  },
  {
    name: "tf.spectral rfft/irfft cpu [1,2^12,16]",
    group: "vs tf.spectral 2^12",
    backend: "cpu",
    shape: SMALL,
    runs: 2,
    warmup: false,
    prepare: spectralForward(SMALL),
  },
  {
    name: "fftConv forward+backward wasm [1,2^16,16]",
    group: "backward 2^16",
    baseline: true,
    backend: "wasm",
    shape: MID,
    runs: 10,
    prepare: opBackward("wasm", MID),
  },
  {
    name: "fftConv forward+backward cpu [1,2^16,16]",
    group: "backward 2^16",
    backend: "cpu",
    shape: MID,
    runs: 10,
    prepare: opBackward("cpu", MID),
  },
];
