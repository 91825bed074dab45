/**
 * WGSL sources of the `FftConvSe3` WebGPU kernel, as tfjs-webgpu "user code" bodies.
 *
 * Every program is run through the tfjs WebgpuBackend (`runWebGPUProgram`), which adds the
 * bindings (`result`, one `var<storage, read>` array per input, `uniforms`), the flat
 * global index and the entry point; these strings define `fn main(index : i32)`.
 * Sizes are uniforms, never constants, so each program compiles once per backend.
 *
 * Data layout of the complex work buffers (`vec2<f32>`, re/im): `[S, B, H, D]`, i.e. the
 * element of series s, batch b, frequency/time n, channel d lives at
 * `((s · B + b) · H + n) · D + d`; channels are innermost, so neighbouring threads touch
 * neighbouring memory. H = M / 2: a real sequence of length M is packed as H complex values
 * `c[n] = a[2n] + i·a[2n + 1]` (the classic "real FFT through a half-size complex FFT").
 *
 * @module
 */

/** Complex helpers shared by the programs. */
const COMPLEX = /* wgsl */ `
fn cmul(a : vec2<f32>, b : vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
fn conj2(a : vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x, -a.y);
}
// Multiplication by −i.
fn mulNegI(a : vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.y, -a.x);
}
`;

/**
 * Uniforms of the pack program (after tfjs's own): `threads` = 2·Bc·H·Dc, `n` = N,
 * `h` = H, `bc`/`dc` the chunk's batch/channel counts, `b0`/`d0` its offsets, `d` = D,
 * `flip` = 0 or 1.
 */
export const PACK_UNIFORMS =
  "threads : i32, n : i32, h : i32, bc : i32, dc : i32, b0 : i32, d0 : i32, d : i32, flip : i32,";

/**
 * Pack: `c[s, b, j, d] = a_s[2j] + i·a_s[2j + 1]` with `a_0 = x`, `a_1 = k` (circularly
 * reversed when `flip`), both zero-padded from N to M = 2H. Inputs `xIn`, `kIn`: float32
 * `[B, N, D]`; output: complex `[2, Bc, H, Dc]`.
 */
export function packSource(): string {
  return /* wgsl */ `
fn loadReal(s : i32, b : i32, m : i32, d : i32) -> f32 {
  let N = uniforms.n;
  if (m >= N) { return 0.0; }
  var mm = m;
  if (s == 1 && uniforms.flip != 0 && m != 0) { mm = N - m; }
  let at = ((uniforms.b0 + b) * N + mm) * uniforms.d + uniforms.d0 + d;
  if (s == 0) { return xIn[at]; }
  return kIn[at];
}
fn main(index : i32) {
  if (index >= uniforms.threads) { return; }
  let dc = uniforms.dc;
  let d = index % dc;
  let t = index / dc;
  let j = t % uniforms.h;
  let sb = t / uniforms.h;
  let b = sb % uniforms.bc;
  let s = sb / uniforms.bc;
  result[index] = vec2<f32>(loadReal(s, b, 2 * j, d), loadReal(s, b, 2 * j + 1, d));
}
`;
}

/**
 * Uniforms of a Stockham pass: `threads` = series·H·Dc / R, `h` = H (the complex FFT
 * size), `dc`, `ns` = the product of the radices of the earlier passes, `twStride` =
 * M / (R · ns) (step in the size-M twiddle table).
 */
export const STOCKHAM_UNIFORMS = "threads : i32, h : i32, dc : i32, ns : i32, twStride : i32,";

/**
 * One radix-`radix` (2 or 4) pass of a forward Stockham autosort FFT of size H over every
 * (series, batch, channel) column. Input `zIn` complex `[S·Bc, H, Dc]`, twiddle table `tw`
 * complex `[M]` with `tw[t] = exp(−2πi t / M)` (computed in float64 on the host).
 * Passes with ns = 1, R, R², … (mixed radix allowed) leave the spectrum in natural order.
 */
export function stockhamSource(radix: 2 | 4): string {
  const body = radix === 4
    ? /* wgsl */ `
  let v0 = zIn[base + j * dc];
  let v1 = cmul(zIn[base + (j + q) * dc], tw[tk]);
  let v2 = cmul(zIn[base + (j + 2 * q) * dc], tw[2 * tk]);
  let v3 = cmul(zIn[base + (j + 3 * q) * dc], tw[3 * tk]);
  let a0 = v0 + v2;
  let a1 = v0 - v2;
  let a2 = v1 + v3;
  let a3 = mulNegI(v1 - v3);
  result[base + o * dc] = a0 + a2;
  result[base + (o + ns) * dc] = a1 + a3;
  result[base + (o + 2 * ns) * dc] = a0 - a2;
  result[base + (o + 3 * ns) * dc] = a1 - a3;`
    : /* wgsl */ `
  let v0 = zIn[base + j * dc];
  let v1 = cmul(zIn[base + (j + q) * dc], tw[tk]);
  result[base + o * dc] = v0 + v1;
  result[base + (o + ns) * dc] = v0 - v1;`;
  return /* wgsl */ `${COMPLEX}
fn main(index : i32) {
  if (index >= uniforms.threads) { return; }
  let dc = uniforms.dc;
  let h = uniforms.h;
  let ns = uniforms.ns;
  let q = h / ${radix};
  let d = index % dc;
  let t = index / dc;
  let j = t % q;
  let col = t / q;
  let base = col * h * dc + d;
  let k = j % ns;
  let tk = k * uniforms.twStride;
  let o = (j / ns) * ns * ${radix} + k;
${body}
}
`;
}

/** Uniforms of the spectral product: `threads` = Bc·H·Dc, `h` = H, `bc`, `dc`, `scale` = 1/H. */
export const PRODUCT_UNIFORMS = "threads : i32, h : i32, bc : i32, dc : i32, scale : f32,";

/**
 * Spectral product. Input `zIn` complex `[2, Bc, H, Dc]` holds C_x = FFT_H(packed x) and
 * C_k; `tw` the size-M table. For each frequency m < H it unpacks the real spectra
 * A[m] = E + W^m·O, A[H − m] = conj(E − W^m·O) (E, O the spectra of the even and odd
 * samples), multiplies P = A_x · A_k at m and H − m, and repacks the half-size inverse:
 * c'[m] = (P[m] + conj P[H − m]) / 2 + i · (P[m] − conj P[H − m]) · conj(W^m) / 2.
 * It writes conj(c') / H, so that a *forward* FFT of the result equals conj(IFFT_H(c')):
 * real part = even output samples, minus the imaginary part = odd samples.
 * Output complex `[Bc, H, Dc]`.
 */
export function productSource(): string {
  return /* wgsl */ `${COMPLEX}
// Spectrum of the real length-M sequence at m and at H − m, from its packed FFT.
fn unpack(cm : vec2<f32>, cq : vec2<f32>, w : vec2<f32>) -> array<vec2<f32>, 2> {
  let e = 0.5 * (cm + conj2(cq));
  let o = 0.5 * mulNegI(cm - conj2(cq));
  let wo = cmul(w, o);
  return array<vec2<f32>, 2>(e + wo, conj2(e - wo));
}
fn main(index : i32) {
  if (index >= uniforms.threads) { return; }
  let dc = uniforms.dc;
  let h = uniforms.h;
  let d = index % dc;
  let t = index / dc;
  let m = t % h;
  let b = t / h;
  let mq = (h - m) % h;
  let kOff = uniforms.bc * h * dc;
  let at = (b * h + m) * dc + d;
  let aq = (b * h + mq) * dc + d;
  let w = tw[m];
  let ax = unpack(zIn[at], zIn[aq], w);
  let ak = unpack(zIn[kOff + at], zIn[kOff + aq], w);
  let pm = cmul(ax[0], ak[0]);
  let pq = cmul(ax[1], ak[1]);
  let e = 0.5 * (pm + conj2(pq));
  let o = cmul(0.5 * (pm - conj2(pq)), conj2(w));
  // c' = e + i·o; write conj(c') / H.
  let c = vec2<f32>(e.x - o.y, e.y + o.x);
  result[index] = uniforms.scale * conj2(c);
}
`;
}

/**
 * Uniforms of the unpack-and-fold program: `threads` = Bc·N·Dc, `n` = N, `h` = H,
 * `dc`, `b0`, `d0`, `d` = D, `fold` = 0 or 1.
 */
export const EXTRACT_UNIFORMS =
  "threads : i32, n : i32, h : i32, dc : i32, b0 : i32, d0 : i32, d : i32, fold : i32,";

/**
 * Extract: `wIn` complex `[Bc, H, Dc]` = conj(IFFT_H(c')), so the linear (or circular)
 * result is p[2j] = Re w[j], p[2j + 1] = −Im w[j]. Writes
 * `y[b0 + b, i, d0 + d] = p[i] + (fold ? p[i + N] : 0)` into the float32 `[B, N, D]`
 * output (shared by every chunk).
 */
export function extractSource(): string {
  return /* wgsl */ `
fn sample(b : i32, i : i32, d : i32) -> f32 {
  let w = wIn[(b * uniforms.h + i / 2) * uniforms.dc + d];
  if ((i & 1) == 0) { return w.x; }
  return -w.y;
}
fn main(index : i32) {
  if (index >= uniforms.threads) { return; }
  let dc = uniforms.dc;
  let N = uniforms.n;
  let d = index % dc;
  let t = index / dc;
  let i = t % N;
  let b = t / N;
  var y = sample(b, i, d);
  if (uniforms.fold != 0) { y = y + sample(b, i + N, d); }
  result[((uniforms.b0 + b) * N + i) * uniforms.d + uniforms.d0 + d] = y;
}
`;
}
