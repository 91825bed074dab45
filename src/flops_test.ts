import assert from "node:assert/strict";
import {
  cliffordMlpFlops,
  fftConvFlops,
  fftSize,
  forwardFlops,
  globalContextFlops,
  mvLinearFlops,
  passFlops,
} from "./flops.ts";

const q = (model: string, seqLen: number, extra: Record<string, unknown> = {}) => ({
  model,
  pass: "forward",
  seqLen,
  batch: 1,
  preset: "paper-runtime",
  ...extra,
});

Deno.test("fftSize: N for powers of two, else the power of two ≥ 2N", () => {
  assert.equal(fftSize(1024), 1024);
  assert.equal(fftSize(1000), 2048);
  assert.equal(fftSize(10), 32);
  assert.equal(fftConvFlops(1024), 3 * 5 * 1024 * 10 + 6 * 1024);
});

Deno.test("MVLinear and Clifford MLP counts", () => {
  assert.equal(mvLinearFlops(2, 3), 2 * 8 * 2 * 3 + 3);
  assert.ok(cliffordMlpFlops(17, 128, 16) > mvLinearFlops(17, 128) + 2 * mvLinearFlops(128, 128));
});

Deno.test("SE(3)-Hyena grows as N log N, attention as N²", () => {
  const h1 = forwardFlops(q("se3-hyena", 4096))!;
  const h2 = forwardFlops(q("se3-hyena", 8192))!;
  // paper-runtime's per-token Clifford MLPs (C = 128) dominate below ~2·10^4 tokens;
  // far above, the N² term does.
  const t1 = forwardFlops(q("equivariant-transformer", 2 ** 19))!;
  const t2 = forwardFlops(q("equivariant-transformer", 2 ** 20))!;
  assert.ok(h2 / h1 > 2 && h2 / h1 < 2.2, `hyena ratio ${h2 / h1}`);
  assert.ok(t2 / t1 > 3.5 && t2 / t1 <= 4, `attention ratio ${t2 / t1}`);
  // Attention's quadratic term dominates at large N; Hyena is cheaper there.
  assert.ok(
    forwardFlops(q("equivariant-transformer", 2 ** 20))! >
      10 * forwardFlops(q("se3-hyena", 2 ** 20))!,
  );
  // gram attention counts fewer per pair than materialized.
  assert.ok(forwardFlops(q("equivariant-transformer", 2 ** 19, { attention: "gram" }))! < t1);
});

Deno.test("backward counts 3 × forward; batch and layers scale linearly; unknown → null", () => {
  const f = forwardFlops(q("se3-hyena", 1000))!;
  assert.equal(passFlops(q("se3-hyena", 1000, { pass: "backward" })), 3 * f);
  assert.equal(forwardFlops(q("se3-hyena", 1000, { batch: 4 })), 4 * f);
  assert.equal(passFlops(q("hyena", 1000)), null);
  assert.equal(passFlops(q("se3-hyena", 1000, { pass: "train" })), null);
  assert.equal(passFlops(q("se3-hyena", 1000, { preset: "nope" })), null);
  const oneLayer = forwardFlops(q("se3-hyena", 1000, { preset: "paper-runtime" }))!;
  const threeLayers = forwardFlops(q("se3-hyena", 1000, { preset: "recall" }))!; // same widths, 3 layers
  assert.ok(threeLayers > 2.5 * oneLayer && threeLayers < 3 * oneLayer);
});

Deno.test("flash counts per framework: ours crosses per pair (36), PyTorch's uses the Gram identity (29)", () => {
  const n = 1000, d = 16;
  const ctx = (attention: string, framework?: string) =>
    globalContextFlops("equivariant-transformer", n, d, attention, framework);
  assert.equal(ctx("materialized"), n * n * (36 + 4 * d + 6));
  assert.equal(ctx("gram"), n * n * (29 + 4 * d + 6));
  assert.equal(ctx("flash"), ctx("materialized"));
  assert.equal(ctx("flash", "tfjs"), ctx("materialized"));
  assert.equal(ctx("flash", "torch"), ctx("gram"));
  assert.equal(ctx("materialized", "torch"), ctx("materialized"));
  // Through the case: a torch flash case counts fewer FLOPs than a tfjs one, by 7 per pair.
  const flash = (framework?: string) =>
    passFlops(q("equivariant-transformer", n, { attention: "flash", framework }))!;
  assert.equal(flash(), flash("tfjs"));
  assert.equal(flash("tfjs") - flash("torch"), 7 * n * n);
  // The SE(3)-Hyena count does not depend on the framework.
  assert.equal(
    passFlops(q("se3-hyena", n, { framework: "torch" })),
    passFlops(q("se3-hyena", n)),
  );
});
