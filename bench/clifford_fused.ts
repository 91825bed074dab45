/**
 * Fused Clifford kernels (geometric product, MVSiLU) vs their tf-ops references, on the
 * whole models, in one process with the two variants interleaved run by run:
 *
 *   deno run -A bench/clifford_fused.ts [--backend wasm] [--backward-n 512] [--forward-n 4096,16384]
 *                                       [--runs 5] [--chunk 8192]
 *
 * - backward (nbody preset, batch 1, N = `--backward-n`), both models: median time of a
 *   forward + gradients of every variable, and the framework's peak bytes (`tf.profile`,
 *   which counts bytes per tensor, not per shared buffer).
 * - forward (SE(3)-Hyena, paper-runtime, batch 1, `tokenChunk` `--chunk`) at each
 *   `--forward-n`: median time.
 *
 * The load average is printed before each section (the machine may be shared). The wasm
 * `Identity`/`Cast` buffer sharing (`src/kernels/wasm_shared_identity.ts`) is on in both
 * variants; its effect shows only in the wasm heap, see that module.
 *
 * @module
 */
import { Command } from "commander";
import { type BackendName, isBackendName, tf, useBackend } from "../src/backend.ts";
import { setFusedKernels } from "../src/clifford/fused_kernels.ts";
import { createModel, type CreateModelOptions } from "../src/models/create_model.ts";
import type { EquivariantModel, ModelInputs } from "../src/models/equivariant_model.ts";
import { disposeInputs, randomInputs } from "../src/models/testing.ts";

const VARIANTS = [["tf-ops", false], ["fused", true]] as const;

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Times `pass` for both variants, interleaved; returns median ms per variant. */
function interleaved(pass: () => void, runs: number): number[] {
  const times: number[][] = VARIANTS.map(() => []);
  for (const [, fused] of VARIANTS) {
    setFusedKernels(fused);
    pass(); // warm-up (kernel compilation, heap growth)
  }
  for (let r = 0; r < runs; r++) {
    VARIANTS.forEach(([, fused], v) => {
      setFusedKernels(fused);
      const t0 = performance.now();
      pass();
      times[v].push(performance.now() - t0);
    });
  }
  setFusedKernels(true);
  return times.map(median);
}

function backwardPass(model: EquivariantModel, inputs: ModelInputs): void {
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const y = model.apply(inputs);
      return tf.add(tf.mean(tf.square(y.x)), tf.mean(tf.square(y.f))) as tf.Scalar;
    }, model.trainableVariables);
    value.dataSync();
    tf.dispose(Object.values(grads));
  });
}

async function main(): Promise<void> {
  const o = new Command()
    .name("clifford_fused")
    .option("--backend <name>", "TensorFlow.js backend (cpu or wasm have fused kernels)", "wasm")
    .option("--backward-n <n>", "tokens of the backward cases", "512")
    .option("--forward-n <list>", "comma-separated token counts of the forward cases", "4096,16384")
    .option("--runs <n>", "timed runs per variant", "5")
    .option("--chunk <n>", "tokenChunk of the forward cases", "8192")
    .parse(["deno", "clifford_fused", ...Deno.args])
    .opts();
  if (!isBackendName(o.backend)) {
    throw new Error(`--backend: unknown backend ${JSON.stringify(o.backend)}`);
  }
  const int = (name: string, text: string) => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${name}: expected a positive integer, got ${text}`);
    }
    return v;
  };
  const backwardN = int("--backward-n", o.backwardN), runs = int("--runs", o.runs);
  const chunk = int("--chunk", o.chunk);
  const forwardNs = String(o.forwardN).split(",").map((t) => int("--forward-n", t));
  await useBackend(o.backend as BackendName);

  console.log(`backend ${o.backend}; load average ${loadAverage()}`);
  console.log(`\nbackward, nbody preset, batch 1, N = ${backwardN}, ${runs} runs per variant`);
  console.log("| model | variant | median ms | peakBytes MiB | KiB / token |");
  console.log("|---|---|---|---|---|");
  for (const kind of ["se3-hyena", "equivariant-transformer"] as const) {
    const model = createModel({ kind, preset: "nbody" });
    const inputs = randomInputs(model, 1, backwardN, 1);
    const ms = interleaved(() => backwardPass(model, inputs), runs);
    for (const [v, [name, fused]] of VARIANTS.entries()) {
      setFusedKernels(fused);
      const { peakBytes } = await tf.profile(() => backwardPass(model, inputs));
      console.log(
        `| ${kind} | ${name} | ${ms[v].toFixed(0)} | ${(peakBytes / 2 ** 20).toFixed(1)} | ${
          (peakBytes / backwardN / 1024).toFixed(0)
        } |`,
      );
    }
    setFusedKernels(true);
    disposeInputs(inputs);
    model.dispose();
  }

  console.log(`\nforward, SE(3)-Hyena paper-runtime, batch 1, tokenChunk ${chunk}`);
  console.log("| N | tf-ops median ms | fused median ms | load average |");
  console.log("|---|---|---|---|");
  const opts: CreateModelOptions = { kind: "se3-hyena", preset: "paper-runtime" };
  const model = createModel(opts);
  for (const n of forwardNs) {
    const inputs = randomInputs(model, 1, n, n);
    const load = loadAverage();
    const ms = interleaved(() =>
      tf.tidy(() => {
        const y = model.apply(inputs, { tokenChunk: chunk });
        tf.add(tf.sum(y.x), tf.sum(y.f)).dataSync();
      }), runs);
    console.log(`| ${n} | ${ms[0].toFixed(0)} | ${ms[1].toFixed(0)} | ${load} |`);
    disposeInputs(inputs);
  }
  model.dispose();
}

if (import.meta.main) await main();
