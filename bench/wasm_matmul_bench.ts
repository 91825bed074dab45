/**
 * What a weight gradient `Aᵀ·B` costs on the wasm backend, part by part, at N = 4,096 tokens
 * (`deno bench -A bench/wasm_matmul_bench.ts`):
 *
 * - `transpose`: our transpose of a `[4096, 128]` operand (src/kernels/wasm_matmul.ts), with its
 *   default loop order (inner loop along the side whose stride has fewer trailing zero bits) and
 *   with the other one;
 * - `product, packed`: XNNPACK's product `[128, 4096]·[4096, 128]` with a right operand it has
 *   packed before (tfjs-wasm caches the packing per right-hand tensor: a forward weight);
 * - `product, fresh`: the same with a new right operand each time (a gradient): the
 *   difference is XNNPACK's packing of `[4096, 128]`, ≈ 2.6× our transpose of it — the
 *   figure behind `packsLeftOperand`;
 * - `dW, [4096, 17]ᵀ·[4096, 128]`: the first layer's weight gradient, both operands new, as
 *   the kernel runs it (swapped: `[4096, 17]` packed) and unswapped (our transpose of A, then
 *   XNNPACK's product packing B), the kernel's other path.
 * - `contraction`: `[16384, 128]ᵀ·[16384, 128]` (both new) as the kernel runs it, summed over
 *   chunks of 2,048 rows (`CONTRACTION_CHUNK`), and as one product (our transpose, then XNNPACK).
 * - `sum over tokens`: `sum(dY, 0)` of `[4096, 128]` (src/kernels/wasm_sum.ts), and what
 *   tfjs-wasm's `Sum` does instead (a transposed copy, then an innermost sum), here with our
 *   transpose, faster than tfjs-wasm's own at this shape.
 *
 * @module
 */
import { tf, useBackend } from "../src/backend.ts";
import "../src/kernels/register.ts";
import { transposeLast2 } from "../src/kernels/wasm_matmul.ts";

await useBackend("wasm");
const N = 4096, C = 128;
const x = tf.randomNormal([N, C], 0, 1, "float32", 1); // [N, C]
const dy = tf.randomNormal([N, C], 0, 1, "float32", 2); // [N, C]
const xt = tf.transpose(x); // [C, N]
const x17 = tf.randomNormal([N, 17], 0, 1, "float32", 3); // [N, 17]
/** A new tensor with `t`'s values (a new right operand for XNNPACK). */
const fresh = (t: tf.Tensor) => tf.mul(t, 1);

Deno.bench("transpose [4096, 128]", { group: "parts" }, () => {
  const out = transposeLast2(x, tf.backend());
  tf.backend().disposeData(out.dataId);
});
Deno.bench("transpose [4096, 128], the other loop order", { group: "parts" }, () => {
  const out = transposeLast2(x, tf.backend(), false);
  tf.backend().disposeData(out.dataId);
});
Deno.bench("product, packed [128, 4096]·[4096, 128]", { group: "parts", baseline: true }, () => {
  tf.tidy(() => void tf.matMul(xt, dy));
});
Deno.bench("product, fresh [128, 4096]·[4096, 128] (+ a copy)", { group: "parts" }, () => {
  tf.tidy(() => void tf.matMul(xt, fresh(dy)));
});
Deno.bench("copy [4096, 128] (what `fresh` adds)", { group: "parts" }, () => {
  tf.tidy(() => void fresh(dy));
});
Deno.bench(
  "dW [4096, 17]ᵀ·[4096, 128], kernel (swapped)",
  { group: "dW17", baseline: true },
  () => {
    tf.tidy(() => void tf.matMul(fresh(x17), fresh(dy), true, false));
  },
);
Deno.bench("dW [4096, 17]ᵀ·[4096, 128], unswapped: Aᵀ then product", { group: "dW17" }, () => {
  tf.tidy(() => {
    const at = tf.engine().makeTensorFromTensorInfo(transposeLast2(fresh(x17), tf.backend()));
    tf.matMul(at, fresh(dy));
  });
});
Deno.bench("sum over tokens [4096, 128] (ours)", { group: "sum", baseline: true }, () => {
  tf.tidy(() => void tf.sum(dy, 0));
});
Deno.bench("sum over tokens [4096, 128], tfjs-wasm's way: transpose + innermost sum", {
  group: "sum",
}, () => {
  tf.tidy(() => void tf.sum(tf.transpose(dy), 1));
});

const x16k = tf.randomNormal([16384, C], 0, 1, "float32", 4); // [16384, C]
const dy16k = tf.randomNormal([16384, C], 0, 1, "float32", 5); // [16384, C]
Deno.bench("dW [16384, 128]ᵀ·[16384, 128], kernel (2,048-row chunks)", {
  group: "contraction",
  baseline: true,
}, () => {
  tf.tidy(() => void tf.matMul(fresh(x16k), fresh(dy16k), true, false));
});
Deno.bench("dW [16384, 128]ᵀ·[16384, 128], one product", { group: "contraction" }, () => {
  tf.tidy(() => {
    const at = tf.engine().makeTensorFromTensorInfo(transposeLast2(fresh(x16k), tf.backend()));
    tf.matMul(at, fresh(dy16k));
  });
});
