/**
 * Where a model's time goes, per kernel:
 *
 * ```sh
 * deno run -A bench/profile_model.ts --model se3-hyena --n 1024 --pass backward --backend wasm
 * ```
 *
 * Options (defaults in brackets): `--model` se3-hyena | equivariant-transformer [se3-hyena],
 * `--preset` [paper-runtime], `--n` tokens [1024], `--batch` [1], `--pass` forward |
 * backward | both [both], `--backend` cpu | wasm [wasm], `--attention` (transformer)
 * [materialized], `--checkpoint` (backward through checkpointed per-token sub-networks),
 * `--token-chunk` K [0], `--warmup` untimed steps [1], `--repeats` timed steps [3],
 * `--top` table rows [25], `--no-profile` (timings only),
 * `--by` name | shape [name]: group kernels by name, or by name and input shapes,
 * `--interleave` (with `--pass both`: forward and backward steps alternate, pair by pair in
 * alternating order; timings and the median per-pair backward/forward ratio only: `--by`,
 * `--top` and profiling do not apply).
 *
 * A step is the runner's (src/runner/measure.ts): forward = `apply` reduced to
 * `sum(x̂) + sum(f̂)`; backward = `tf.variableGrads` of `mean(x̂²) + mean(f̂²)` over every
 * trainable variable. After `--warmup` steps, `--repeats` steps are timed without profiling
 * (median wall ms, and CPU ms of this process: steadier under load), then one step runs
 * under `tf.profile`; the table lists kernels by total
 * kernel ms with their count and the bytes their outputs added. `BatchMatMul` is split by its
 * transpose attributes (`BatchMatMul[tA]`, `[tB]`), recorded by wrapping the kernel for the
 * profiled step. "untracked" is the wall time of the profiled step outside kernels (tape
 * bookkeeping, JavaScript between kernels). The wasm heap size is printed at the end.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { type BackendName, tf, useBackend } from "../src/backend.ts";
import { createModel, type CreateModelOptions } from "../src/models/create_model.ts";
import type { ApplyOptions, EquivariantModel, ModelInputs } from "../src/models/create_model.ts";
import { disposeInputs, randomInputs } from "../src/models/testing.ts";
import { deviceBytes } from "../src/runner/measure.ts";

/** One row of the kernel table. */
export interface KernelRow {
  /** Kernel name (with `[tA]`/`[tB]` for transposed matmuls, shapes with `--by shape`). */
  key: string;
  /** Total kernel time, ms. */
  ms: number;
  /** Number of calls. */
  count: number;
  /** Bytes added by the calls' outputs (sum). */
  bytes: number;
}

/** The runner's step for `pass` (see the module doc); returns the scalar to read back. */
export function makeStep(
  model: EquivariantModel,
  inputs: ModelInputs,
  pass: "forward" | "backward",
  options: ApplyOptions,
): () => tf.Scalar {
  if (pass === "forward") {
    return () =>
      tf.tidy(() => {
        const out = model.apply(inputs, options);
        return tf.add(tf.sum(out.x), tf.sum(out.f)) as tf.Scalar;
      });
  }
  return () => {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const out = model.apply(inputs, options);
        return tf.add(tf.mean(tf.square(out.x)), tf.mean(tf.square(out.f))) as tf.Scalar;
      }), model.trainableVariables);
    const list = Object.values(grads);
    const s = tf.tidy(() => tf.addN([value, ...list.map((g) => tf.sum(g))]) as tf.Scalar);
    tf.dispose([value, ...list]);
    return s;
  };
}

/**
 * Runs `step` once and returns its wall time and this process's CPU time (user + system)
 * in ms, synced by reading the scalar. On a loaded machine CPU time is the steadier figure.
 */
async function timeStep(step: () => tf.Scalar): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const s = step();
  await s.data();
  s.dispose();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/**
 * Profiles one step: per-kernel rows sorted by total ms, the step's wall ms, and the sum
 * of kernel ms.
 */
export async function profileStep(
  step: () => tf.Scalar,
  by: "name" | "shape" = "name",
): Promise<{ rows: KernelRow[]; wallMs: number; kernelMs: number; peakBytes: number }> {
  // Record BatchMatMul's transpose attributes in call order (tf.profile does not keep attrs).
  const backend = tf.getBackend();
  const original = tf.getKernel("BatchMatMul", backend);
  const flags: string[] = [];
  if (original) {
    tf.unregisterKernel("BatchMatMul", backend);
    tf.registerKernel({
      ...original,
      setupFunc: undefined,
      kernelFunc: (args) => {
        const { transposeA, transposeB } = args.attrs as {
          transposeA?: boolean;
          transposeB?: boolean;
        };
        flags.push((transposeA ? "[tA]" : "") + (transposeB ? "[tB]" : ""));
        return original.kernelFunc(args);
      },
    });
  }
  let wallMs = 0;
  try {
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      const s = step();
      await s.data();
      s.dispose();
    });
    wallMs = performance.now() - t0;
    const table = new Map<string, KernelRow>();
    let matmuls = 0;
    let kernelMs = 0;
    for (const k of info.kernels) {
      let key = k.name;
      if (k.name === "BatchMatMul" || k.name === "_FusedMatMul") {
        key += k.name === "BatchMatMul" ? flags[matmuls++] ?? "" : "";
      }
      if (by === "shape") key += " " + JSON.stringify(k.inputShapes);
      const ms = Number(k.kernelTimeMs) || 0;
      kernelMs += ms;
      const row = table.get(key) ?? { key, ms: 0, count: 0, bytes: 0 };
      row.ms += ms;
      row.count++;
      row.bytes += Math.max(0, k.bytesAdded);
      table.set(key, row);
    }
    const rows = [...table.values()].sort((a, b) => b.ms - a.ms);
    return { rows, wallMs, kernelMs, peakBytes: info.peakBytes };
  } finally {
    if (original) {
      tf.unregisterKernel("BatchMatMul", backend);
      tf.registerKernel(original);
    }
  }
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** Prints the kernel table. */
function printTable(title: string, p: Awaited<ReturnType<typeof profileStep>>, top: number) {
  console.log(`\n## ${title}`);
  console.log(
    `profiled step ${p.wallMs.toFixed(0)} ms wall, ${p.kernelMs.toFixed(0)} ms in kernels, ` +
      `${(p.wallMs - p.kernelMs).toFixed(0)} ms untracked; tf.profile peak ${mib(p.peakBytes)}`,
  );
  console.log("| kernel | total ms | % | count | bytes added |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of p.rows.slice(0, top)) {
    console.log(
      `| ${r.key} | ${r.ms.toFixed(1)} | ${(100 * r.ms / p.wallMs).toFixed(1)} | ${r.count} | ${
        mib(r.bytes)
      } |`,
    );
  }
  const rest = p.rows.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((s, r) => s + r.ms, 0);
    console.log(
      `| (${rest.length} more) | ${ms.toFixed(1)} | ${(100 * ms / p.wallMs).toFixed(1)} | | |`,
    );
  }
}

/**
 * `--interleave`: forward and backward steps alternate (after `warmup` of each; even pairs run
 * the forward first, odd pairs the backward), so that both
 * see the same machine; prints both medians and the median of the per-pair ratios
 * backward_i / forward_i, which a slow spell of a shared machine moves less than a ratio of
 * medians taken minutes apart (a sweep's forward and backward cases).
 */
async function interleaved(
  model: EquivariantModel,
  inputs: ModelInputs,
  options: ApplyOptions,
  warmup: number,
  repeats: number,
): Promise<void> {
  const forward = makeStep(model, inputs, "forward", options);
  const backward = makeStep(model, inputs, "backward", options);
  const before = tf.memory().numTensors;
  for (let i = 0; i < warmup; i++) {
    await timeStep(forward);
    await timeStep(backward);
  }
  const f: number[] = [], b: number[] = [];
  for (let i = 0; i < repeats; i++) { // pairs alternate which pass goes first
    if (i % 2) b.push((await timeStep(backward)).wall);
    f.push((await timeStep(forward)).wall);
    if (i % 2 === 0) b.push((await timeStep(backward)).wall);
  }
  const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  const show = (xs: number[]) => xs.map((t) => t.toFixed(0)).join(", ");
  console.log(`forward: median ${median(f).toFixed(0)} ms wall (${show(f)})`);
  console.log(`backward: median ${median(b).toFixed(0)} ms wall (${show(b)})`);
  const ratios = b.map((t, i) => t / f[i]);
  console.log(
    `backward / forward, interleaved: median of ${repeats} pairs ${median(ratios).toFixed(2)} ` +
      `(range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}), ` +
      `ratio of medians ${(median(b) / median(f)).toFixed(2)}`,
  );
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) console.log(`WARNING: ${leaked} tensors leaked by the steps`);
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      model: { type: "string", default: "se3-hyena" },
      preset: { type: "string", default: "paper-runtime" },
      n: { type: "string", default: "1024" },
      batch: { type: "string", default: "1" },
      pass: { type: "string", default: "both" },
      backend: { type: "string", default: "wasm" },
      attention: { type: "string" },
      checkpoint: { type: "boolean", default: false },
      "token-chunk": { type: "string", default: "0" },
      repeats: { type: "string", default: "3" },
      warmup: { type: "string", default: "1" },
      top: { type: "string", default: "25" },
      by: { type: "string", default: "name" },
      "no-profile": { type: "boolean", default: false },
      interleave: { type: "boolean", default: false },
    },
  });
  const int = (name: string, v: string | undefined, min: number) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) {
      console.error(`profile_model: --${name}: expected an integer ≥ ${min}, got ${v}`);
      Deno.exit(2);
    }
    return x;
  };
  const n = int("n", values.n, 1);
  const batch = int("batch", values.batch, 1);
  const repeats = int("repeats", values.repeats, 1);
  const warmup = int("warmup", values.warmup, 0);
  const top = int("top", values.top, 1);
  const tokenChunk = int("token-chunk", values["token-chunk"], 0);
  const passes: string[] = values.pass === "both" ? ["forward", "backward"] : [values.pass ?? ""];
  if (!passes.every((p) => p === "forward" || p === "backward")) {
    console.error(`profile_model: --pass: expected forward, backward or both, got ${values.pass}`);
    Deno.exit(2);
  }
  if (values.interleave && passes.length !== 2) {
    console.error(`profile_model: --interleave needs --pass both, got ${values.pass}`);
    Deno.exit(2);
  }
  if (values.by !== "name" && values.by !== "shape") {
    console.error(`profile_model: --by: expected name or shape, got ${values.by}`);
    Deno.exit(2);
  }
  await useBackend(values.backend as BackendName);
  tf.enableProdMode();
  const model = createModel({
    kind: values.model,
    preset: values.preset,
    attention: values.attention,
  } as CreateModelOptions);
  const inputs = randomInputs(model, batch, n, 1);
  const options: ApplyOptions = { tokenChunk, ...(values.checkpoint ? { checkpoint: true } : {}) };
  console.log(
    `# ${values.model} ${values.preset} N=${n} B=${batch} backend=${values.backend} ` +
      `options=${JSON.stringify(options)} loadavg=${Deno.readTextFileSync("/proc/loadavg").trim()}`,
  );
  if (values.interleave) {
    await interleaved(model, inputs, options, warmup, repeats);
    disposeInputs(inputs);
    model.dispose();
    return;
  }
  const medians: Record<string, number> = {};
  const cpuMedians: Record<string, number> = {};
  for (const pass of passes as ("forward" | "backward")[]) {
    const step = makeStep(model, inputs, pass, options);
    const before = tf.memory().numTensors;
    for (let i = 0; i < warmup; i++) await timeStep(step);
    const runs: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < repeats; i++) runs.push(await timeStep(step));
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    medians[pass] = median(runs.map((r) => r.wall));
    cpuMedians[pass] = median(runs.map((r) => r.cpu));
    console.log(
      `${pass}: median ${medians[pass].toFixed(0)} ms wall, ${
        cpuMedians[pass].toFixed(0)
      } ms CPU, of ${repeats} (wall ${runs.map((t) => t.wall.toFixed(0)).join(", ")})`,
    );
    if (!values["no-profile"]) {
      printTable(`${pass} kernels`, await profileStep(step, values.by as "name" | "shape"), top);
    }
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) console.log(`WARNING: ${leaked} tensors leaked by the ${pass} step`);
  }
  if (medians.forward && medians.backward) {
    console.log(
      `\nbackward / forward = ${(medians.backward / medians.forward).toFixed(2)} (wall), ` +
        `${(cpuMedians.backward / cpuMedians.forward).toFixed(2)} (CPU)`,
    );
  }
  const heap = deviceBytes(values.backend);
  console.log(`wasm heap: ${heap === null ? "n/a" : mib(heap)}`);
  disposeInputs(inputs);
  model.dispose();
}

if (import.meta.main) await main();
