/**
 * `BatchMatMul` with `transposeA` / `transposeB` on the `wasm` backend as an explicit
 * transpose (ours: blocked, on views of the wasm heap) followed by the plain (untransposed)
 * matmul.
 *
 * Why: tfjs-backend-wasm 4.22 sends only untransposed products to XNNPACK; a transposed one
 * runs a naive loop. Every dense layer's gradient is transposed (`dA = dY·Bᵀ`,
 * `dB = Aᵀ·dY`), so in an SE(3)-Hyena backward pass (paper-runtime, N = 1024, wasm) the
 * transposed matmuls took 1,894 of 2,241 ms (`bench/profile_model.ts`), 22× the forward's
 * matmuls with the same FLOPs. Transposing an operand first costs one copy of it (freed at
 * once) and lets the product take the XNNPACK path. Results are the same products, summed in
 * another order (float32 rounding).
 *
 * Registered on import (from src/kernels/register.ts) for the wasm backend only.
 *
 * @module
 */
import { tf } from "../backend.ts";

/** The wasm backend's slice this kernel uses. */
interface WasmBackend {
  disposeData(dataId: unknown): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** Attributes of BatchMatMul. */
interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const original = tf.getKernel("BatchMatMul", "wasm");
if (!original) throw new Error("wasm_matmul: the wasm backend has no BatchMatMul kernel");
const originalFunc = original.kernelFunc;

/** Tile edge of the blocked transpose (16 floats: one 64-byte cache line per tile row). */
const TILE = 16;

/**
 * Swaps the last two axes of float32 `x` (`[..., r, c]` → `[..., c, r]`) into a new heap
 * buffer, tile by tile on views of the wasm heap. tfjs-wasm's own Transpose kernel took
 * longer than the matmul it feeds ([1024, 128]: 1.5 ms against 1.3 ms).
 *
 * One side of a transpose is read or written with a stride (`c` or `r` floats); a stride with a
 * large power-of-two factor puts a tile's cache lines in one cache set, so by default the inner
 * loop runs along the side whose stride has fewer trailing zero bits (`rowsInner`: along `r`,
 * reading with stride `c`). `deno bench -A bench/wasm_matmul_bench.ts`: `[4096, 128]` 0.7 ms
 * that way against 2–3 ms the other.
 */
export function transposeLast2(
  x: tf.TensorInfo,
  backend: unknown,
  rowsInner = trailingZeros(x.shape[x.shape.length - 2]) >
    trailingZeros(x.shape[x.shape.length - 1]),
): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const rank = x.shape.length;
  const [r, c] = [x.shape[rank - 2], x.shape[rank - 1]];
  const out = wasm.makeOutput([...x.shape.slice(0, -2), c, r], "float32");
  // Views after makeOutput: allocating may grow (and detach) the heap.
  const src = wasm.typedArrayFromHeap(x) as Float32Array;
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  const plane = r * c;
  for (let base = 0; base < src.length; base += plane) {
    for (let i0 = 0; i0 < r; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, r);
      for (let j0 = 0; j0 < c; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, c);
        if (rowsInner) {
          for (let j = j0; j < j1; j++) {
            const row = base + j * r;
            for (let i = i0; i < i1; i++) dst[row + i] = src[base + i * c + j];
          }
        } else {
          for (let i = i0; i < i1; i++) {
            const row = base + i * c;
            for (let j = j0; j < j1; j++) dst[base + j * r + i] = src[row + j];
          }
        }
      }
    }
  }
  return out;
}

/** Trailing zero bits of a positive integer (its power-of-two factor's exponent). */
function trailingZeros(n: number): number {
  return 31 - Math.clz32(n & -n);
}

/**
 * Whether `Aᵀ·B` (A `[1…, K, M]`, B `[1…, K, N]`) is cheaper as `(Bᵀ·A)ᵀ`. XNNPACK packs the
 * right operand of every product it has not seen (tfjs-wasm caches the packing per right-hand
 * tensor, and a gradient is a new tensor each time), at ≈ 2.6× the cost per element of our
 * transpose (`deno bench -A bench/wasm_matmul_bench.ts`: 1.9 against 0.72 ms at
 * `[4096, 128]`; a plain copy ≈ 0.1×). The plain way transposes A and packs B (`2.6 KN + KM`
 * in transposes' worth); the swapped one transposes B and the product, copies A and packs the
 * copy (`KN + MN + 0.1 KM + 2.6 KM`): swapped when `16 K (N − M) > 10 MN + KM`, i.e. with N well
 * above M (the weight gradient of a `[N, 17] → [N, 128]` layer: 2.7 → 1.8 ms in that bench, unswapped against swapped).
 * Batched products (any batch axis above 1) and empty ones are not swapped.
 */
export function packsLeftOperand(a: readonly number[], b: readonly number[]): boolean {
  if ([...a.slice(0, -2), ...b.slice(0, -2)].some((d) => d !== 1)) return false;
  const [k, m] = a.slice(-2), n = b[b.length - 1];
  return k > 0 && m > 0 && 16 * k * (n - m) > 10 * m * n + k * m;
}

/** `Aᵀ·B` as `(Bᵀ·A)ᵀ`: B transposed, A packed by XNNPACK from a copy (freed with its packing). */
function transposedProduct(
  args: Parameters<tf.KernelFunc>[0],
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  backend: WasmBackend,
): tf.TensorInfo {
  const temps: tf.TensorInfo[] = [];
  try {
    const bt = transposeLast2(b, backend); // [1…, N, K]
    temps.push(bt);
    // A copy of A: XNNPACK's packing of it is cached until its tensor is freed, which for a
    // saved activation would be the end of the backward pass.
    const aCopy = backend.makeOutput([...a.shape], "float32");
    temps.push(aCopy);
    backend.typedArrayFromHeap(aCopy).set(backend.typedArrayFromHeap(a));
    const product = originalFunc({
      ...args,
      inputs: { a: bt, b: aCopy },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    }) as tf.TensorInfo; // [1…, N, M]
    temps.push(product);
    return transposeLast2(product, backend); // [1…, M, N]
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * Rows of the contraction per product when `Aᵀ·B` contracts over more than twice this many:
 * XNNPACK streams the whole packed right operand (`K × N` floats) once per block of output rows,
 * so past the caches a long contraction runs slower per row (`deno bench -A
 * bench/wasm_matmul_bench.ts`: `[16384, 128]ᵀ·[16384, 128]` 35.1 ms as one product, 26.6 ms in
 * chunks of 2,048 rows).
 */
export const CONTRACTION_CHUNK = 2048;

/**
 * Whether `Aᵀ·B` (A `[1…, K, M]`, B `[1…, K, N]`) runs as a sum over row chunks of A and B:
 * unbatched, non-empty, K > 2 {@link CONTRACTION_CHUNK} and the same K in both (a mismatch goes
 * to tfjs-wasm's kernel, which says so).
 */
export function chunksContraction(a: readonly number[], b: readonly number[]): boolean {
  if ([...a.slice(0, -2), ...b.slice(0, -2)].some((d) => d !== 1)) return false;
  const [k, m] = a.slice(-2), [kb, n] = b.slice(-2);
  return k === kb && m > 0 && n > 0 && k > 2 * CONTRACTION_CHUNK;
}

/** Rows `[from, from + count)` of `x` (`[1…, K, C]`) into a new `[count, C]` heap tensor. */
function rowsOf(x: tf.TensorInfo, from: number, count: number, backend: WasmBackend) {
  const cols = x.shape[x.shape.length - 1];
  const out = backend.makeOutput([count, cols], "float32");
  const src = backend.typedArrayFromHeap(x); // after makeOutput: it may grow the heap
  backend.typedArrayFromHeap(out).set(src.subarray(from * cols, (from + count) * cols));
  return out;
}

/**
 * `Aᵀ·B` as `Σ_chunks A_cᵀ·B_c` over row chunks of {@link CONTRACTION_CHUNK} (each product by
 * {@link wasmBatchMatMul}), added in chunk order in float64, rounded to float32 once.
 */
function chunkedContraction(
  args: Parameters<tf.KernelFunc>[0],
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  backend: WasmBackend,
): tf.TensorInfo {
  const k = a.shape[a.shape.length - 2], m = a.shape[a.shape.length - 1];
  const n = b.shape[b.shape.length - 1];
  const sum = new Float64Array(m * n); // [M, N]
  for (let k0 = 0; k0 < k; k0 += CONTRACTION_CHUNK) {
    const rows = Math.min(CONTRACTION_CHUNK, k - k0);
    const temps: tf.TensorInfo[] = [];
    try {
      const ac = rowsOf(a, k0, rows, backend);
      temps.push(ac);
      const bc = rowsOf(b, k0, rows, backend);
      temps.push(bc);
      const product = wasmBatchMatMul({ ...args, inputs: { a: ac, b: bc } }) as tf.TensorInfo;
      temps.push(product);
      const p = backend.typedArrayFromHeap(product);
      for (let i = 0; i < sum.length; i++) sum[i] += p[i];
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  }
  const rank = Math.max(a.shape.length, b.shape.length);
  const out = backend.makeOutput([...new Array(rank - 2).fill(1), m, n], "float32");
  backend.typedArrayFromHeap(out).set(sum);
  return out;
}

/** The replacement `BatchMatMul` kernel function registered for wasm. */
export const wasmBatchMatMul: tf.KernelFunc = (args) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
  // tfjs-wasm's kernel says which dtypes it cannot multiply; ours are float32 only.
  if ((!transposeA && !transposeB) || a.dtype !== "float32" || b.dtype !== "float32") {
    return originalFunc(args);
  }
  const backend = args.backend as unknown as WasmBackend;
  if (transposeA && !transposeB && chunksContraction(a.shape, b.shape)) {
    return chunkedContraction(args, a, b, backend);
  }
  if (transposeA && !transposeB && packsLeftOperand(a.shape, b.shape)) {
    return transposedProduct(args, a, b, backend);
  }
  const temps: tf.TensorInfo[] = [];
  const plain = (x: tf.TensorInfo, t: boolean) => {
    if (!t) return x;
    const y = transposeLast2(x, backend);
    temps.push(y);
    return y;
  };
  try {
    return originalFunc({
      ...args,
      inputs: { a: plain(a, transposeA), b: plain(b, transposeB) },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
};

tf.unregisterKernel("BatchMatMul", "wasm");
tf.registerKernel({ ...original, kernelFunc: wasmBatchMatMul });

const originalTranspose = tf.getKernel("Transpose", "wasm");
if (!originalTranspose) throw new Error("wasm_matmul: the wasm backend has no Transpose kernel");

/** Both of the last two axes at least this long: {@link wasmTranspose} uses ours. */
const OWN_TRANSPOSE_MIN_EDGE = 64;

/**
 * `Transpose` on wasm by {@link transposeLast2} when it swaps the last two axes of a float32
 * tensor whose last two axes are both at least {@link OWN_TRANSPOSE_MIN_EDGE} (the attention's
 * `dSᵀ`, `Pᵀ` `[B, N, N]`: `deno run -A bench/profile_model.ts --model equivariant-transformer
 * --attention materialized --n 4096 --pass backward --by name` lists 4 Transpose calls, 349 ms
 * with tfjs-wasm's kernel and 113 ms with ours, load ≈ 1); tfjs-wasm's kernel otherwise (on
 * narrow shapes such as `[8580, 16]` it was the faster of the two in a one-off timing).
 */
export const wasmTranspose: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { perm } = args.attrs as unknown as { perm: number[] };
  return usesOwnTranspose(x, perm)
    ? transposeLast2(x, args.backend)
    : originalTranspose.kernelFunc(args);
};

/** Whether {@link wasmTranspose} runs ours for `x` and `perm` (else tfjs-wasm's kernel). */
export function usesOwnTranspose(
  x: Pick<tf.TensorInfo, "shape" | "dtype">,
  perm: readonly number[],
): boolean {
  const rank = x.shape.length;
  return rank >= 2 && x.dtype === "float32" &&
    Math.min(x.shape[rank - 2], x.shape[rank - 1]) >= OWN_TRANSPOSE_MIN_EDGE &&
    perm.every((p, i) => p === (i === rank - 2 ? rank - 1 : i === rank - 1 ? rank - 2 : i));
}

tf.unregisterKernel("Transpose", "wasm");
tf.registerKernel({ ...originalTranspose, kernelFunc: wasmTranspose });
