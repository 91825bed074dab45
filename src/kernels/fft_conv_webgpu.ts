/**
 * `FftConvSe3` on the `webgpu` backend: our own WGSL FFT convolution, O(N log N).
 *
 * Plan for x, k `[B, N, D]` (see {@link ./wgsl/fft_conv_wgsl.ts} for the shaders):
 * 1. pack both real inputs (k circularly reversed when `flip`) into half-size complex
 *    sequences, zero-padded to M (M = N for a power-of-two N ≥ 2, else nextPow2(2N));
 * 2. forward Stockham FFT of size H = M/2 over all 2·B·D columns (radix-4 passes, one
 *    radix-2 pass when log2 H is odd), twiddles from a float64-computed table;
 * 3. spectral product (unpacks the real spectra, multiplies, repacks for a half-size
 *    inverse, scales by 1/H);
 * 4. forward Stockham FFT again (the product wrote the conjugate, so this is the inverse);
 * 5. unpack even/odd samples and fold `y[i] = lin[i] + lin[i + N]` when M ≠ N.
 *
 * Every step is a tfjs WebGPU program run with `backend.runWebGPUProgram`, so it is
 * recorded in the backend's own command encoder in order with every other op, data stays
 * on the GPU, intermediates come from (and go back to) the backend's buffer pool, and the
 * compiled pipelines live in the backend's pipeline cache (sizes are uniforms: each of the
 * five programs compiles once per backend). Work whose buffers would exceed
 * `maxStorageBufferBindingSize` is split into channel (then batch) chunks; dispatches over
 * `maxComputeWorkgroupsPerDimension` are reshaped to 2-D/3-D by the backend.
 *
 * Importing this module registers the kernel; it does not import the webgpu backend itself.
 *
 * @module
 */
import { tf } from "../backend.ts";
import { convPlanSize } from "../fft/conv_size.ts";
import { FFT_CONV_KERNEL, type FftConvAttrs } from "./fft_conv_kernel.ts";
import { fftConvShape } from "./fft_conv_shape.ts";
import {
  EXTRACT_UNIFORMS,
  extractSource,
  PACK_UNIFORMS,
  packSource,
  PRODUCT_UNIFORMS,
  productSource,
  STOCKHAM_UNIFORMS,
  stockhamSource,
} from "./wgsl/fft_conv_wgsl.ts";

/** Threads per workgroup of every program. */
const WORKGROUP = 64;

/** A tfjs-webgpu program (the fields of its `WebGPUProgram` interface that we set). */
interface Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  workgroupSize: [number, number, number];
  uniforms: string;
  size: boolean;
  getUserCode(): string;
}

/** One uniform value as `runWebGPUProgram` takes it. */
interface Uniform {
  type: "int32" | "float32";
  data: number[];
}

/** The slice of tfjs's `WebGPUBackend` (4.22) this kernel uses. */
export interface WebgpuBackendLike {
  /** The GPU device (for its limits). */
  device: GPUDevice;
  /** Allocates a tensor info (values uploaded on first use when given). */
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  /** Records a program into the backend's command encoder; returns (or fills) its output. */
  runWebGPUProgram(
    program: Program,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: Uniform[],
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
  /** Drops a reference to a tensor's data (deferred until the pending commands are submitted). */
  disposeData(dataId: unknown, force?: boolean): boolean;
}

/** Tunables of the webgpu kernel (tests use them to exercise chunking on small inputs). */
export interface FftConvWebgpuOptions {
  /**
   * Upper bound, in bytes, for any buffer one program binds. Default: the device's
   * `min(maxStorageBufferBindingSize, maxBufferSize)`; a smaller value forces chunking.
   */
  maxBindingBytes?: number;
}

/** Current options; see {@link setFftConvWebgpuOptions}. */
const options: FftConvWebgpuOptions = {};

/**
 * Sets kernel tunables (merged into the current ones; `undefined` restores a default).
 *
 * @throws RangeError naming the value when `maxBindingBytes` is not a positive integer.
 */
export function setFftConvWebgpuOptions(next: FftConvWebgpuOptions): void {
  if (
    next.maxBindingBytes !== undefined &&
    (!Number.isInteger(next.maxBindingBytes) || next.maxBindingBytes <= 0)
  ) {
    throw new RangeError(
      `maxBindingBytes: expected a positive integer, got ${next.maxBindingBytes}`,
    );
  }
  options.maxBindingBytes = next.maxBindingBytes;
}

/** int32 uniforms, one per value. */
function ints(...values: number[]): Uniform[] {
  return values.map((v) => ({ type: "int32", data: [v] }));
}

/** Builds a program whose threads are a flat 1-D index (reshaped by tfjs when too many). */
function program(
  key: string,
  outputShape: number[],
  threads: number,
  variableNames: string[],
  variableComponents: number[],
  outputComponent: number,
  uniforms: string,
  source: string,
): Program {
  return {
    outputShape,
    shaderKey: `fftConvSe3_${key}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(threads / WORKGROUP), 1, 1],
    variableNames,
    variableComponents,
    outputComponent,
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms,
    size: false,
    getUserCode: () => source,
  };
}

/** Shader sources, built once. */
const SOURCES = {
  pack: packSource(),
  r2: stockhamSource(2),
  r4: stockhamSource(4),
  product: productSource(),
  extract: extractSource(),
};

/** Per-backend twiddle tables `tw[t] = exp(−2πi t/M)`, t < M, keyed by M. */
const twiddleCache = new WeakMap<WebgpuBackendLike, Map<number, tf.TensorInfo>>();

/** The size-M twiddle table on `backend` (computed in float64, stored as float32 pairs). */
function twiddles(backend: WebgpuBackendLike, m: number): tf.TensorInfo {
  let perBackend = twiddleCache.get(backend);
  if (!perBackend) twiddleCache.set(backend, perBackend = new Map());
  let table = perBackend.get(m);
  if (!table) {
    const values = new Float32Array(2 * m);
    for (let t = 0; t < m; t++) {
      const angle = (-2 * Math.PI * t) / m;
      values[2 * t] = Math.cos(angle);
      values[2 * t + 1] = Math.sin(angle);
    }
    table = backend.makeTensorInfo([2 * m], "float32", values);
    perBackend.set(m, table);
  }
  return table;
}

/**
 * Frees the cached twiddle tables of `backend` (they are otherwise kept for the backend's
 * life: one float32 table of 2·M values per FFT size M used).
 */
export function releaseFftConvWebgpuCache(backend: WebgpuBackendLike): void {
  const perBackend = twiddleCache.get(backend);
  if (!perBackend) return;
  for (const table of perBackend.values()) backend.disposeData(table.dataId, true);
  twiddleCache.delete(backend);
}

/** The radices of the Stockham passes for a complex FFT of size h (a power of two). */
export function stockhamRadices(h: number): Array<2 | 4> {
  const radices: Array<2 | 4> = [];
  let rest = h;
  while (rest >= 4) {
    radices.push(4);
    rest /= 4;
  }
  if (rest === 2) radices.push(2);
  return radices;
}

/** How one call is split into chunks of batches × channels. */
export interface FftConvChunking {
  /** FFT size of the real sequences (≥ 2). */
  m: number;
  /** Whether the linear result is folded back to length N. */
  fold: boolean;
  /** Batches per chunk. */
  bc: number;
  /** Channels per chunk. */
  dc: number;
}

/**
 * The FFT size and the largest chunk whose work buffers (`Bc·M·Dc` complex float32 values,
 * i.e. `8·Bc·M·Dc` bytes) fit in `maxBytes`; whole channel rows first, then batches.
 *
 * @throws RangeError naming the sizes when even one column does not fit.
 */
export function fftConvChunking(
  shape: readonly [number, number, number],
  maxBytes: number,
): FftConvChunking {
  const [b, n, d] = shape;
  const plan = convPlanSize(n);
  // The half-size real-FFT packing needs M ≥ 2: N = 1 is handled as a padded (M = 2) case.
  const m = Math.max(2, plan.m);
  const fold = plan.fold || plan.m !== m;
  const column = 8 * m; // bytes of one (batch, channel) column, also of the twiddle table
  const inputBytes = 4 * b * n * d;
  if (column > maxBytes || inputBytes > maxBytes) {
    throw new RangeError(
      `${FFT_CONV_KERNEL} on webgpu: shape [${shape.join(",")}] needs buffers of ` +
        `${Math.max(column, inputBytes)} bytes, over the device's binding limit of ${maxBytes}`,
    );
  }
  const columns = Math.floor(maxBytes / column);
  if (columns >= b * d) return { m, fold, bc: b, dc: d };
  if (columns >= d) return { m, fold, bc: Math.floor(columns / d), dc: d };
  return { m, fold, bc: 1, dc: columns };
}

/**
 * Runs the FFT convolution of float32 `[B, N, D]` tensor infos `x`, `k` on `backend`;
 * returns a new float32 `[B, N, D]` tensor info (caller owns it).
 */
export function fftConvWebgpu(
  backend: WebgpuBackendLike,
  x: tf.TensorInfo,
  k: tf.TensorInfo,
  flip: boolean,
): tf.TensorInfo {
  const shape = fftConvShape(x, k);
  const [bAll, n, dAll] = shape;
  const limits = backend.device.limits;
  const maxBytes = options.maxBindingBytes ??
    Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const { m, fold, bc: bcMax, dc: dcMax } = fftConvChunking(shape, maxBytes);
  const h = m / 2;
  const tw = twiddles(backend, m);
  const y = backend.makeTensorInfo([bAll, n, dAll], "float32");
  const radices = stockhamRadices(h);

  /** Forward FFT of size h over `cols` columns of `dc` channels; consumes `z`. */
  const fft = (z: tf.TensorInfo, cols: number, dc: number): tf.TensorInfo => {
    let ns = 1;
    for (const r of radices) {
      const threads = (cols * h * dc) / r;
      const pass = program(
        `r${r}`,
        [cols * h * dc * 2],
        threads,
        ["zIn", "tw"],
        [2, 2],
        2,
        STOCKHAM_UNIFORMS,
        r === 4 ? SOURCES.r4 : SOURCES.r2,
      );
      const out = backend.runWebGPUProgram(
        pass,
        [z, tw],
        "float32",
        ints(threads, h, dc, ns, m / (r * ns)),
      );
      backend.disposeData(z.dataId);
      z = out;
      ns *= r;
    }
    return z;
  };

  for (let b0 = 0; b0 < bAll; b0 += bcMax) {
    const bc = Math.min(bcMax, bAll - b0);
    for (let d0 = 0; d0 < dAll; d0 += dcMax) {
      const dc = Math.min(dcMax, dAll - d0);
      const packThreads = 2 * bc * h * dc;
      const packed = backend.runWebGPUProgram(
        program(
          "pack",
          [packThreads * 2],
          packThreads,
          ["xIn", "kIn"],
          [1, 1],
          2,
          PACK_UNIFORMS,
          SOURCES.pack,
        ),
        [x, k],
        "float32",
        ints(packThreads, n, h, bc, dc, b0, d0, dAll, flip ? 1 : 0),
      );
      const spectra = fft(packed, 2 * bc, dc);
      const productThreads = bc * h * dc;
      const product = backend.runWebGPUProgram(
        program(
          "product",
          [productThreads * 2],
          productThreads,
          ["zIn", "tw"],
          [2, 2],
          2,
          PRODUCT_UNIFORMS,
          SOURCES.product,
        ),
        [spectra, tw],
        "float32",
        [...ints(productThreads, h, bc, dc), { type: "float32", data: [1 / h] }],
      );
      backend.disposeData(spectra.dataId);
      const signal = fft(product, bc, dc);
      const extractThreads = bc * n * dc;
      backend.runWebGPUProgram(
        program(
          "extract",
          [bAll, n, dAll],
          extractThreads,
          ["wIn"],
          [2],
          1,
          EXTRACT_UNIFORMS,
          SOURCES.extract,
        ),
        [signal],
        "float32",
        ints(extractThreads, n, h, dc, b0, d0, dAll, fold ? 1 : 0),
        y,
      );
      backend.disposeData(signal.dataId);
    }
  }
  return y;
}

/** Kernel config of {@link FFT_CONV_KERNEL} for the `webgpu` backend. */
export const fftConvWebgpuConfig: tf.KernelConfig = {
  kernelName: FFT_CONV_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, k } = inputs as { x: tf.TensorInfo; k: tf.TensorInfo };
    const { flip } = attrs as unknown as FftConvAttrs;
    return fftConvWebgpu(backend as unknown as WebgpuBackendLike, x, k, Boolean(flip));
  },
};

tf.registerKernel(fftConvWebgpuConfig);
