/**
 * fftConv on webgpu: our WGSL Stockham kernel vs TensorFlow.js's own webgpu spectral path
 * (`tf.spectral.rfft` / `irfft`, an O(N²) DFT), and the scaling of our kernel with N.
 *
 *   deno run -A bench/fft_conv_webgpu_bench.ts                     # defaults below
 *   deno run -A bench/fft_conv_webgpu_bench.ts --compare 4096 --scale 4096,16384 --json out.json
 *   deno bench -A bench/fft_conv_webgpu_bench.ts                   # small Deno.bench cases
 *
 * Inputs `[1, N, D]` float32 (D = 16, the paper-runtime width). Each timing: warm-up runs,
 * then repeats, each synchronised by reading back a scalar that depends on the whole
 * output (`sum(y)`); the median is reported. The exponent is the least-squares slope of
 * log(median) against log(N).
 *
 * @module
 */
import { Command } from "commander";
import { linearRegression } from "simple-statistics";
import { tf, useBackend } from "../src/backend.ts";
import { fftConv } from "../src/fft_conv.ts";
import { webgpuAdapterSummary } from "../src/webgpu/adapter_info.ts";

/** Options of {@link timeMs}. */
interface TimeOptions {
  /** Untimed runs first. Default 2. */
  warmup?: number;
  /** Timed runs (at least). Default 5. */
  repeats?: number;
  /** Stop adding repeats after this many milliseconds (once 3 are done). Default 10 000. */
  budgetMs?: number;
}

/** Median wall time of `run` (ms), each run synchronised by reading back `sum(output)`. */
async function timeMs(run: () => tf.Tensor, options: TimeOptions = {}): Promise<number[]> {
  const { warmup = 2, repeats = 5, budgetMs = 10_000 } = options;
  const once = async () => {
    const t0 = performance.now();
    const y = run();
    const s = tf.sum(y);
    await s.data();
    const t = performance.now() - t0;
    tf.dispose([y, s]);
    return t;
  };
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < repeats && (times.length < 3 || performance.now() - start < budgetMs)) {
    times.push(await once());
  }
  return times;
}

/** The median of `xs`. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** TF.js's own spectral circular convolution of `[B, N, D]` along N (power-of-two N). */
function tfSpectralConv(x: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const xf = tf.spectral.rfft(tf.transpose(x, [0, 2, 1]));
    const kf = tf.spectral.rfft(tf.transpose(k, [0, 2, 1]));
    return tf.transpose(tf.spectral.irfft(tf.mul(xf, kf)), [0, 2, 1]) as tf.Tensor3D;
  });
}

/** Seeded `[1, n, d]` inputs. */
function inputs(n: number, d: number): [tf.Tensor3D, tf.Tensor3D] {
  return [
    tf.randomUniform([1, n, d], -1, 1, "float32", 1) as tf.Tensor3D,
    tf.randomUniform([1, n, d], -1, 1, "float32", 2) as tf.Tensor3D,
  ];
}

/** One row of the report. */
interface Row {
  n: number;
  d: number;
  oursMs: number;
  tfSpectralMs?: number;
  maxRelDiff?: number;
  oursRuns: number[];
  tfSpectralRuns?: number[];
}

/** Runs the comparison and scaling study; prints a table, returns the rows and the fit. */
export async function runStudy(
  compare: number[],
  scale: number[],
  d: number,
): Promise<{ rows: Row[]; exponent: number | null; adapter: string }> {
  await useBackend("webgpu");
  const adapter = (await webgpuAdapterSummary())?.name ?? "unknown";
  console.log(`adapter: ${adapter}; backend ${tf.getBackend()}; D = ${d}`);
  const rows: Row[] = [];
  for (const n of [...new Set([...compare, ...scale])].sort((a, b) => a - b)) {
    const [x, k] = inputs(n, d);
    const oursRuns = await timeMs(() => fftConv(x, k));
    const row: Row = { n, d, oursMs: median(oursRuns), oursRuns };
    if (compare.includes(n)) {
      const tfRuns = await timeMs(() => tfSpectralConv(x, k), {
        warmup: 1,
        repeats: 3,
        budgetMs: 0,
      });
      row.tfSpectralRuns = tfRuns;
      row.tfSpectralMs = median(tfRuns);
      const [a, b] = [fftConv(x, k), tfSpectralConv(x, k)];
      const diff = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))));
      row.maxRelDiff = (await diff.data())[0];
      tf.dispose([a, b, diff]);
    }
    tf.dispose([x, k]);
    rows.push(row);
    console.log(
      `N=${String(n).padStart(7)}  ours ${row.oursMs.toFixed(1).padStart(8)} ms` +
        (row.tfSpectralMs !== undefined
          ? `  tf.spectral ${row.tfSpectralMs.toFixed(1).padStart(9)} ms  ` +
            `(×${(row.tfSpectralMs / row.oursMs).toFixed(0)}, max rel diff ${
              row.maxRelDiff!.toExponential(1)
            })`
          : ""),
    );
  }
  const fitRows = rows.filter((r) => scale.includes(r.n));
  const exponent = fitRows.length >= 2
    ? linearRegression(fitRows.map((r) => [Math.log(r.n), Math.log(r.oursMs)])).m
    : null;
  if (exponent !== null) {
    console.log(
      `fitted exponent of our kernel's time, N = ${fitRows[0].n}…${fitRows.at(-1)!.n}: ${
        exponent.toFixed(3)
      }`,
    );
  }
  return { rows, exponent, adapter };
}

/** Parses a comma-separated list of positive integers (`4096,16384`). */
function sizes(value: string): number[] {
  const out = value.split(",").filter((s) => s.trim()).map(Number);
  for (const n of out) {
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`expected positive integers, got ${JSON.stringify(value)}`);
    }
  }
  return out;
}

if (import.meta.main) {
  const pow2 = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => 2 ** (from + i));
  const program = new Command()
    .name("fft_conv_webgpu_bench")
    .option(
      "--compare <sizes>",
      "N at which to also time tf.spectral (O(N²) on webgpu)",
      "4096,16384",
    )
    .option("--scale <sizes>", "N for the scaling fit of our kernel", pow2(12, 18).join(","))
    .option("--d <channels>", "channels D", "16")
    .option("--json <file>", "also write the rows and the fit as JSON")
    .parse(["deno", "bench", ...Deno.args]);
  const opts = program.opts<{ compare: string; scale: string; d: string; json?: string }>();
  const result = await runStudy(sizes(opts.compare), sizes(opts.scale), Number(opts.d));
  if (opts.json) await Deno.writeTextFile(opts.json, JSON.stringify(result, null, 2));
} else {
  // `deno bench`: small cases only (tf.spectral is O(N²) and slow on software WebGPU).
  let ready: Promise<void> | undefined;
  for (const n of [4096, 16384]) {
    Deno.bench(`fftConv webgpu (ours) [1, ${n}, 16]`, { group: `webgpu N=${n}` }, async (b) => {
      ready ??= useBackend("webgpu");
      await ready;
      const [x, k] = inputs(n, 16);
      b.start();
      const y = fftConv(x, k);
      await y.data();
      b.end();
      tf.dispose([x, k, y]);
    });
  }
  Deno.bench("tf.spectral rfft/irfft conv webgpu [1, 4096, 16]", {
    group: "webgpu N=4096",
    n: 3,
    warmup: 1,
  }, async (b) => {
    ready ??= useBackend("webgpu");
    await ready;
    const [x, k] = inputs(4096, 16);
    b.start();
    const y = tfSpectralConv(x, k);
    await y.data();
    b.end();
    tf.dispose([x, k, y]);
  });
}
