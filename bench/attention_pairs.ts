/**
 * Nanoseconds per query–key pair of our attention kernels (src/kernels/attention_kernels.ts):
 *
 *   deno run -A bench/attention_pairs.ts [--backend wasm] [--n 1024,4096] [--repeats 5]
 *
 * Rows: the vector attention's materialized pairwise step (`Se3VectorAttention`, the
 * cross-product norms → logits → softmax weights `[B, N, N]` → `Σ_j S_ij × v_j`), forward and
 * backward (`Se3VectorAttentionGrad` from the saved weights), then the flash form and the
 * scalar attention (D = 16, the paper-runtime width) for comparison, on wasm as the model
 * runs it (XNNPACK matmuls; backward = `tf.grads` time − forward).
 * Batch 1; each figure is
 * the median (and best) of `repeats` timed calls after one warm-up, divided by N². The machine's
 * load average is printed with the table (numbers measured under load are not comparable).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { tf, useBackend } from "../src/backend.ts";
import {
  SCALAR_ATTENTION_GRAD_KERNEL,
  SCALAR_ATTENTION_KERNEL,
  VECTOR_ATTENTION_GRAD_KERNEL,
  VECTOR_ATTENTION_KERNEL,
} from "../src/kernels/attention_kernels.ts";
import { scalarAttentionKernel } from "../src/models/attention.ts";
import { quantile } from "../src/stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    backend: { type: "string", default: "wasm" },
    n: { type: "string", default: "1024,4096" },
    repeats: { type: "string", default: "5" },
  },
});
const sizes = values.n.split(",").map(Number);
const repeats = Number(values.repeats);
if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(repeats >= 1)) {
  console.error(`attention_pairs: bad --n ${values.n} or --repeats ${values.repeats}`);
  Deno.exit(2);
}
await useBackend(values.backend as "wasm" | "cpu");

/** Milliseconds of `fn`, median and best (one warm-up call); `fn` returns tensors to dispose. */
function time(fn: () => tf.Tensor[]): [number, number] {
  tf.dispose(fn());
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const out = fn();
    out[0].dataSync(); // cpu/wasm kernels are synchronous; reading back [B, N, N] would copy it
    ms.push(performance.now() - t0);
    tf.dispose(out);
  }
  ms.sort((a, b) => a - b);
  return [quantile(ms, 0.5), ms[0]];
}

const run = (name: string, inputs: tf.NamedTensorMap, flash: boolean) =>
  tf.engine().runKernel(name, inputs, { flash } as unknown as tf.NamedAttrMap) as tf.Tensor[];

const rows: string[][] = [];
const ns = (ms: number, n: number) => ((ms * 1e6) / (n * n)).toFixed(1);
for (const n of sizes) {
  for (
    const [label, fwd, grad, width] of [
      ["vector", VECTOR_ATTENTION_KERNEL, VECTOR_ATTENTION_GRAD_KERNEL, 3],
      ["scalar D=16", SCALAR_ATTENTION_KERNEL, SCALAR_ATTENTION_GRAD_KERNEL, 16],
    ] as const
  ) {
    for (const flash of [false, true]) {
      const [q, k, v, dy] = [1, 2, 3, 4].map((s) =>
        tf.randomNormal([1, n, width], 0, 1, "float32", s) as tf.Tensor3D
      );
      let forward: [number, number], backward: [number, number], how: string;
      if (width === 16 && values.backend === "wasm") {
        // What the model runs here: XNNPACK matmuls (attention.ts); backward = grads − forward.
        const op = (a: tf.Tensor3D) =>
          scalarAttentionKernel(a, k, v, flash ? "flash" : "materialized");
        forward = time(() => [op(q)]);
        const both = time(() =>
          tf.grads((a: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor3D), dy)))([q])
        );
        backward = [both[0] - forward[0], both[1] - forward[1]];
        how = "op (matmuls)";
      } else {
        forward = time(() => run(fwd, { q, k, v }, flash));
        const [y, stats] = run(fwd, { q, k, v }, flash);
        backward = time(() => run(grad, { dy, q, k, v, y, stats }, flash));
        tf.dispose([y, stats]);
        how = "kernel";
      }
      tf.dispose([q, k, v, dy]);
      rows.push([
        label,
        flash ? "flash" : "materialized",
        how,
        String(n),
        forward[0].toFixed(1),
        `${ns(forward[0], n)} / ${ns(forward[1], n)}`,
        backward[0].toFixed(1),
        `${ns(backward[0], n)} / ${ns(backward[1], n)}`,
      ]);
    }
  }
}

const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "unknown")).trim();
console.log(
  `backend ${values.backend}, batch 1, ${repeats} timed runs (ms: median; ns/pair: median / best); ` +
    `loadavg ${load}`,
);
console.log(
  "| attention | form | run by | N | forward ms | ns/pair | backward ms | ns/pair |\n|---|---|---|---:|---:|---:|---:|---:|",
);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
