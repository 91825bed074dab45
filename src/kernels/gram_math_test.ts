/**
 * The fused Gram logits against float64 sums of the cross-product formulation
 * (`‖q_i × k_j‖`, gradients `2 k × c` and `2 c × q`), N including 1 and non-powers of two, and
 * the clamp for parallel q, k.
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../models/rotation.ts";
import { ATTENTION_NORM_EPS } from "./attention_math.ts";
import { GRAM_CLAMP, gramLogits, gramLogitsBackward, gramLogitsRange } from "./gram_math.ts";

const cross = (a: number[], b: number[]) => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const at = (x: ArrayLike<number>, i: number) => [x[3 * i], x[3 * i + 1], x[3 * i + 2]];

function randomArray(length: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length }, () => 2 * next() - 1);
}

/** ℓ, dq, dk in float64 from c = q × k. */
function reference(
  dl: Float32Array,
  q: Float32Array,
  k: Float32Array,
  b: number,
  m: number,
  n: number,
) {
  const l = new Float64Array(b * m * n), dq = new Float64Array(b * m * 3);
  const dk = new Float64Array(b * n * 3);
  for (let s = 0; s < b; s++) {
    for (let i = 0; i < m; i++) {
      const qi = at(q, s * m + i);
      for (let j = 0; j < n; j++) {
        const kj = at(k, s * n + j), c = cross(qi, kj);
        const norm = Math.sqrt(c[0] ** 2 + c[1] ** 2 + c[2] ** 2 + ATTENTION_NORM_EPS);
        const r = (s * m + i) * n + j;
        l[r] = norm / Math.sqrt(n);
        const g = dl[r] / (Math.sqrt(n) * norm); // dℓ/d‖c‖² = 1/(2√N‖c‖), times 2
        const gq = cross(kj, c), gk = cross(c, qi);
        for (let x = 0; x < 3; x++) {
          dq[(s * m + i) * 3 + x] += g * gq[x];
          dk[(s * n + j) * 3 + x] += g * gk[x];
        }
      }
    }
  }
  return { l, dq, dk };
}

function maxRelative(got: Float32Array, want: Float64Array): number {
  let err = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / (scale || 1);
}

for (const [b, m, n] of [[1, 1, 1], [1, 2, 2], [2, 5, 37], [2, 37, 37]]) {
  Deno.test(`gram logits [${b}, ${m}, ${n}]: values and gradients equal the float64 sums`, () => {
    const q = randomArray(b * m * 3, n), k = randomArray(b * n * 3, n + 1);
    const dl = randomArray(b * m * n, n + 2);
    const l = new Float32Array(b * m * n);
    gramLogits(q, k, l, b, m, n);
    const dq = new Float32Array(b * m * 3), dk = new Float32Array(b * n * 3);
    gramLogitsBackward(dl, q, k, dq, dk, b, m, n);
    const want = reference(dl, q, k, b, m, n);
    for (
      const [name, got, ref] of [["ℓ", l, want.l], ["dq", dq, want.dq], [
        "dk",
        dk,
        want.dk,
      ]] as const
    ) {
      const err = maxRelative(got, ref);
      assert.ok(err < 1e-6, `${name}: relative error ${err}`);
    }
  });
}

Deno.test("gram logits: row ranges compose to the whole (flat rows across samples)", () => {
  const [b, m, n] = [3, 4, 9];
  const q = randomArray(b * m * 3, 1), k = randomArray(b * n * 3, 2);
  const whole = new Float32Array(b * m * n), parts = new Float32Array(b * m * n);
  gramLogits(q, k, whole, b, m, n);
  for (const [r0, r1] of [[0, 5], [5, 6], [6, 12]]) gramLogitsRange(q, k, parts, m, n, r0, r1);
  assert.deepEqual(parts, whole);
});

Deno.test("gram logits: parallel q, k are clamped; the gradient is the clamp's (2c·g‖k‖²q, 2c·g‖q‖²k)", () => {
  const k = Float32Array.from([1, 2, 3]);
  const q = Float32Array.from([1.5, 3, 4.5]); // 1.5 k: ‖q × k‖² is 0 up to rounding
  const l = new Float32Array(1);
  gramLogits(q, k, l, 1, 1, 1);
  const qq = 1.5 ** 2 * 14, kk = 14, floor = qq * kk * GRAM_CLAMP;
  assert.ok(Math.abs(l[0] - Math.sqrt(floor + ATTENTION_NORM_EPS)) < 1e-6 * l[0], `ℓ ${l[0]}`);
  const dq = new Float32Array(3), dk = new Float32Array(3), dl = 0.7;
  gramLogitsBackward(Float32Array.from([dl]), q, k, dq, dk, 1, 1, 1);
  const g = (dl * 0.5) / Math.sqrt(floor + ATTENTION_NORM_EPS);
  for (let x = 0; x < 3; x++) {
    const wantQ = 2 * GRAM_CLAMP * g * kk * q[x], wantK = 2 * GRAM_CLAMP * g * qq * k[x];
    assert.ok(Math.abs(dq[x] - wantQ) <= 1e-6 * Math.abs(wantQ), `dq[${x}] ${dq[x]} vs ${wantQ}`);
    assert.ok(Math.abs(dk[x] - wantK) <= 1e-6 * Math.abs(wantK), `dk[${x}] ${dk[x]} vs ${wantK}`);
  }
});
