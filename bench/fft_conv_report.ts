/**
 * Prints a plain Markdown table of long-convolution timings (median of a few runs after
 * one warm-up) for the README: `deno run -A bench/fft_conv_report.ts [--quick]`.
 * `--quick` does one timed run per case (a smoke test). Cases: `fft_conv_cases.ts`.
 * Besides wall time, the process CPU time of each run is shown: on a shared, loaded
 * machine it is the steadier of the two (it still includes cache contention).
 *
 * @module
 */
import process from "node:process";
import { median } from "simple-statistics";
import { tf } from "../src/backend.ts";
import { FFT_CONV_CASES } from "./fft_conv_cases.ts";

const quick = Deno.args.includes("--quick");
const rows: { name: string; group: string; ms: number; cpuMs: number; n: number }[] = [];
for (const c of FFT_CONV_CASES) {
  const prepared = await c.prepare();
  if (c.warmup ?? true) prepared.run(); // warm-up (JIT, FFT plans, wasm heap growth)
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < (quick ? 1 : c.runs); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    prepared.run();
    times.push(performance.now() - t0);
    const used = process.cpuUsage(c0);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  prepared.dispose();
  rows.push({
    name: c.name,
    group: c.group,
    ms: median(times),
    cpuMs: median(cpuTimes),
    n: times.length,
  });
  console.error(`${c.name}: ${median(times).toFixed(1)} ms`);
}

const baseline = new Map<string, number>();
for (const c of FFT_CONV_CASES) {
  if (c.baseline) baseline.set(c.group, rows.find((r) => r.name === c.name)!.ms);
}
const load = Deno.loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(
  `fftConv timings (${Deno.build.os}/${Deno.build.arch}, Deno ${Deno.version.deno}, ` +
    `tfjs ${tf.version_core}, ${navigator.hardwareConcurrency} cores, load average ${load})\n`,
);
console.log("| case | median wall ms | median CPU ms | runs | × group baseline (wall) |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  const base = baseline.get(r.group)!;
  console.log(
    `| ${r.name} | ${r.ms.toFixed(1)} | ${r.cpuMs.toFixed(1)} | ${r.n} | ${
      (r.ms / base).toFixed(2)
    } |`,
  );
}
