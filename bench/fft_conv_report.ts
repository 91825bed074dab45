/**
 * Prints a plain Markdown table of long-convolution timings (median of a few runs after
 * one warm-up) for the README: `deno run -A bench/fft_conv_report.ts [--quick]`.
 * `--quick` does one timed run per case (a smoke test). Cases: `fft_conv_cases.ts`.
 *
 * @module
 */
import { median } from "simple-statistics";
import { tf } from "../src/backend.ts";
import { FFT_CONV_CASES } from "./fft_conv_cases.ts";

const quick = Deno.args.includes("--quick");
const rows: { name: string; group: string; ms: number; n: number }[] = [];
for (const c of FFT_CONV_CASES) {
  const prepared = await c.prepare();
  if (c.warmup ?? true) prepared.run(); // warm-up (JIT, FFT plans, wasm heap growth)
  const times: number[] = [];
  for (let i = 0; i < (quick ? 1 : c.runs); i++) {
    const t0 = performance.now();
    prepared.run();
    times.push(performance.now() - t0);
  }
  prepared.dispose();
  rows.push({ name: c.name, group: c.group, ms: median(times), n: times.length });
  console.error(`${c.name}: ${median(times).toFixed(1)} ms`);
}

const baseline = new Map<string, number>();
for (const c of FFT_CONV_CASES) {
  if (c.baseline) baseline.set(c.group, rows.find((r) => r.name === c.name)!.ms);
}
console.log(
  `fftConv timings (${Deno.build.os}/${Deno.build.arch}, Deno ${Deno.version.deno}, ` +
    `tfjs ${tf.version_core}, ${navigator.hardwareConcurrency} cores)\n`,
);
console.log("| case | median ms | runs | × group baseline |");
console.log("|---|---:|---:|---:|");
for (const r of rows) {
  const base = baseline.get(r.group)!;
  console.log(`| ${r.name} | ${r.ms.toFixed(1)} | ${r.n} | ${(r.ms / base).toFixed(2)} |`);
}
