/**
 * Deno.bench of the long-convolution op: `deno bench -A bench/fft_conv_bench.ts`.
 * Cases (see `fft_conv_cases.ts`): fftConv forward `[1, 2^20, 16]` on wasm and cpu beside
 * the raw FFT libraries doing the same transforms; our op vs TF.js's `tf.spectral` path on
 * cpu at `[1, 2^12, 16]`; forward + backward at `[1, 2^16, 16]`.
 * For a plain table of medians: `deno run -A bench/fft_conv_report.ts`.
 *
 * @module
 */
import { FFT_CONV_CASES, type PreparedCase } from "./fft_conv_cases.ts";

for (const c of FFT_CONV_CASES) {
  let prepared: PreparedCase | undefined;
  Deno.bench({
    name: c.name,
    group: c.group,
    baseline: c.baseline ?? false,
    n: c.runs,
    warmup: c.warmup === false ? 0 : 1,
    async fn(b) {
      // Inputs are built once per case (untimed) and kept until the process exits.
      prepared ??= await c.prepare();
      b.start();
      prepared.run();
      b.end();
    },
  });
}
