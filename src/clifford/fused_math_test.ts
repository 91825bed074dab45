/**
 * Finite-difference spot checks of the fused kernels' hand-written gradients
 * (`geometric_product_math.ts`, `mv_silu_math.ts`) against their own forward: independent
 * of the tf-ops references the op tests compare with.
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../models/rotation.ts";
import {
  geometricProductBackwardF32,
  geometricProductForwardF32,
  GRADE_PATHS,
} from "./geometric_product_math.ts";
import { mvSiluBackwardF32, mvSiluForwardF32 } from "./mv_silu_math.ts";

const M = 3, C = 2, H = 1e-2;

function randomArrays(rand: () => number, count: number, size: number): Float32Array[] {
  return Array.from(
    { length: count },
    () => Float32Array.from({ length: size }, () => rand() * 2 - 1),
  );
}

/**
 * Checks every entry of every parameter array: the analytic gradient of `Σ u·y` equals the
 * central difference of `loss` to 1e-2 relative plus 2e-4 absolute (float32 storage of `y`
 * rounds the loss by ~1e-6, i.e. ~5e-5 in the difference quotient).
 */
function checkGradients(
  params: Float32Array[],
  analytic: Float32Array[],
  loss: () => number,
  label: string,
): void {
  const scale = Math.max(...analytic.flatMap((a) => Array.from(a, Math.abs)));
  assert.ok(scale > 0, `${label}: all gradients are zero`);
  params.forEach((p, n) => {
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      p[i] = v + H;
      const up = loss();
      p[i] = v - H;
      const down = loss();
      p[i] = v;
      const numeric = (up - down) / (2 * H);
      assert.ok(
        Math.abs(numeric - analytic[n][i]) <= 2e-4 + 1e-2 * Math.abs(analytic[n][i]),
        `${label}: input ${n} entry ${i}: analytic ${analytic[n][i]}, numeric ${numeric}`,
      );
    }
  });
}

const dot = (u: Float32Array[], y: Float32Array[]) =>
  u.reduce((s, a, b) => s + a.reduce((t, v, i) => t + v * y[b][i], 0), 0);

Deno.test("geometric product math: gradients of x, l, r, w, σ match finite differences", () => {
  const rand = mulberry32(7);
  const x = randomArrays(rand, 8, M * C), l = randomArrays(rand, 8, M * C);
  const r = randomArrays(rand, 8, M * C), u = randomArrays(rand, 8, M * C);
  const [w] = randomArrays(rand, 1, C * GRADE_PATHS.length);
  const sigma = randomArrays(rand, 4, C);
  const y = randomArrays(rand, 8, M * C);
  const loss = () => {
    geometricProductForwardF32({ x, l, r, w, sigma }, y, M, C);
    return dot(u, y);
  };
  const dx = randomArrays(rand, 8, M * C), dl = randomArrays(rand, 8, M * C);
  const dr = randomArrays(rand, 8, M * C), [dw] = randomArrays(rand, 1, C * GRADE_PATHS.length);
  const dsigma = randomArrays(rand, 4, C);
  geometricProductBackwardF32(u, { x, r, w, sigma }, { dx, dl, dr, dw, dsigma }, M, C);
  checkGradients(
    [...x, ...l, ...r, w, ...sigma],
    [...dx, ...dl, ...dr, dw, ...dsigma],
    loss,
    "geometric product",
  );
});

Deno.test("MVSiLU math: gradients of x, α, β match finite differences", () => {
  const rand = mulberry32(11);
  const x = randomArrays(rand, 8, M * C), u = randomArrays(rand, 8, M * C);
  const alpha = randomArrays(rand, 4, C), beta = randomArrays(rand, 4, C);
  const y = randomArrays(rand, 8, M * C);
  const loss = () => {
    mvSiluForwardF32(x, alpha, beta, y, M, C);
    return dot(u, y);
  };
  const dx = randomArrays(rand, 8, M * C), dalpha = randomArrays(rand, 4, C);
  const dbeta = randomArrays(rand, 4, C);
  mvSiluBackwardF32(u, x, alpha, beta, { dx, dalpha, dbeta }, M, C);
  checkGradients([...x, ...alpha, ...beta], [...dx, ...dalpha, ...dbeta], loss, "MVSiLU");
});
