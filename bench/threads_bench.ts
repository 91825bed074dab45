/**
 * Our kernels on one thread vs on the worker pool (src/kernels/pool), interleaved run by
 * run in one process:
 *
 *   deno run -A bench/threads_bench.ts [--backend wasm] [--threads 2] [--runs 7]
 *
 * Cases: fftConv forward at `[1, 2^16, 128]` and `[1, 2^20, 16]`; the fused geometric
 * product (C = 128, N = 4096 tokens) forward, and its gradient kernel (forward + one
 * `CliffordGeometricProductGrad` call through `tf.grads`); MVSiLU at the same size, forward
 * and forward + gradient; SE(3)-Hyena (paper-runtime
 * widths, batch 1) forward at `--forward-n` tokens and forward + backward at `--backward-n`. Each row gives the median ms
 * per variant, the speed-up and the load average before the row (the machine may be
 * shared: with other processes running, a second thread gains less). The CPU columns
 * (from /proc/self/task/{tid}/stat) say how much work each variant did in all and on its
 * busiest thread; the busiest-thread ratio is the speed-up an idle machine would show,
 * less synchronisation waits.
 *
 * @module
 */
import { Command } from "commander";
import { type BackendName, isBackendName, tf, useBackend } from "../src/backend.ts";
import type { Multivector } from "../src/clifford/algebra.ts";
import { GRADE_PATHS } from "../src/clifford/geometric_product_math.ts";
import { geometricProductCore } from "../src/clifford/geometric_product_op.ts";
import { fusedMVSiLU } from "../src/clifford/mv_silu_op.ts";
import { fftConv } from "../src/fft_conv.ts";
import { disposeKernelPool, kernelPool, setThreads } from "../src/kernels/pool/threads.ts";
import { createModel } from "../src/models/create_model.ts";
import { disposeInputs, randomInputs } from "../src/models/testing.ts";

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}

/** CPU time (user + system, ms) of each thread of this process, by thread id (Linux). */
function cpuByThread(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const e of Deno.readDirSync("/proc/self/task")) {
      try {
        const stat = Deno.readTextFileSync(`/proc/self/task/${e.name}/stat`);
        const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
        out.set(e.name, (Number(fields[11]) + Number(fields[12])) * 10); // 1/100 s ticks
      } catch {
        // the thread ended
      }
    }
  } catch {
    // not Linux
  }
  return out;
}

/** Adds the CPU each thread used since `before` to `into`. */
function addCpu(into: Map<string, number>, before: Map<string, number>): void {
  for (const [tid, ms] of cpuByThread()) {
    into.set(tid, (into.get(tid) ?? 0) + ms - (before.get(tid) ?? 0));
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Medians (ms) of `pass` on 1 thread and on `threads`, interleaved; then per variant the
 * CPU time per run of all threads together, and of the busiest thread (the pool's threads
 * persist across runs, so per-thread sums are per-thread shares): on an otherwise idle
 * machine the wall time would be about the busiest thread's, whatever the load here.
 */
async function compare(pass: () => void, threads: number, runs: number): Promise<number[]> {
  const variants = [1, threads];
  const times: number[][] = variants.map(() => []);
  const cpu = variants.map(() => new Map<string, number>());
  for (const t of variants) {
    setThreads(t);
    pass(); // warm-up: kernel caches, heap growth, the pool's arena
    if (t > 1) {
      // Wait until the workers are up (they load their modules after the first job).
      for (let i = 0; i < 50 && kernelPool()!.lastWorkerUnits === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        pass();
      }
    }
  }
  for (let r = 0; r < runs; r++) {
    variants.forEach((t, v) => {
      setThreads(t);
      const c0 = cpuByThread();
      const t0 = performance.now();
      pass();
      times[v].push(performance.now() - t0);
      addCpu(cpu[v], c0);
    });
  }
  const total = cpu.map((m) => [...m.values()].reduce((a, b) => a + b, 0) / runs);
  const busiest = cpu.map((m) => Math.max(...m.values()) / runs);
  return [...times.map(median), ...total, ...busiest];
}

async function main(): Promise<void> {
  const o = new Command()
    .name("threads_bench")
    .option("--backend <name>", "TensorFlow.js backend (cpu or wasm)", "wasm")
    .option("--threads <n>", "threads of the pooled variant", String(navigator.hardwareConcurrency))
    .option("--runs <n>", "timed runs per variant", "7")
    .option(
      "--only <list>",
      "comma-separated subset of: conv16, conv20, gp, gpgrad, silu, silugrad, hyena-fwd, " +
        "hyena-bwd",
    )
    .option("--forward-n <n>", "tokens of the SE(3)-Hyena forward case", "4096")
    .option("--backward-n <n>", "tokens of the SE(3)-Hyena backward case", "1024")
    .parse(["deno", "threads_bench", ...Deno.args])
    .opts();
  if (!isBackendName(o.backend)) {
    throw new Error(`--backend: unknown backend ${JSON.stringify(o.backend)}`);
  }
  const threads = Number(o.threads), runs = Number(o.runs);
  for (const [name, v] of [["--threads", threads], ["--runs", runs]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${name}: expected an integer ≥ 1, got ${v}`);
    }
  }
  const only = o.only
    ? String(o.only).split(",")
    : ["conv16", "conv20", "gp", "gpgrad", "silu", "silugrad"];
  await useBackend(o.backend as BackendName);
  tf.enableProdMode();
  console.log(
    `backend ${o.backend}, ${threads} threads vs 1, ${runs} runs each, ${navigator.hardwareConcurrency} cores`,
  );
  console.log(
    "| case | 1 thread ms | pool ms | speed-up | CPU ms / run, all / busiest thread, 1 thread " +
      "| same, pool | busiest-thread ratio | load average before |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---|");
  const row = async (name: string, pass: () => void) => {
    const load = loadAverage();
    const [one, many, cpuOne, cpuMany, busyOne, busyMany] = await compare(pass, threads, runs);
    console.log(
      `| ${name} | ${one.toFixed(1)} | ${many.toFixed(1)} | ${(one / many).toFixed(2)}× | ${
        cpuOne.toFixed(0)
      } / ${busyOne.toFixed(0)} | ${cpuMany.toFixed(0)} / ${busyMany.toFixed(0)} | ${
        (busyOne / busyMany).toFixed(2)
      }× | ${load} |`,
    );
  };

  for (
    const [key, shape] of [["conv16", [1, 2 ** 16, 128]], ["conv20", [1, 2 ** 20, 16]]] as const
  ) {
    if (!only.includes(key)) continue;
    const x = tf.randomNormal([...shape], 0, 1, "float32", 1) as tf.Tensor3D;
    const k = tf.randomNormal([...shape], 0, 1, "float32", 2) as tf.Tensor3D;
    await row(`fftConv forward [${shape.join(", ")}]`, () => fftConv(x, k).dispose());
    tf.dispose([x, k]);
  }

  const m = 4096, c = 128;
  const mv = (s: number) =>
    Array.from(
      { length: 8 },
      (_, b) => tf.randomNormal([m, c], 0, 1, "float32", s + b),
    ) as Multivector;
  const inputs = {
    x: mv(10),
    l: mv(20),
    r: mv(30),
    pathWeights: tf.randomNormal([c, GRADE_PATHS.length], 0, 0.5, "float32", 40) as tf.Tensor2D,
    sigma: [0, 1, 2, 3].map((g) => tf.randomNormal([c], 0, 1, "float32", 50 + g) as tf.Tensor1D),
  };
  if (only.includes("gp")) {
    await row(
      `geometric product forward, N = ${m}, C = ${c}`,
      () => tf.dispose(geometricProductCore(inputs)),
    );
  }
  if (only.includes("gpgrad")) {
    const flat = [...inputs.x, ...inputs.l, ...inputs.r, inputs.pathWeights, ...inputs.sigma];
    const f = (...t: tf.Tensor[]) =>
      tf.addN(
        geometricProductCore({
          x: t.slice(0, 8) as Multivector,
          l: t.slice(8, 16) as Multivector,
          r: t.slice(16, 24) as Multivector,
          pathWeights: t[24] as tf.Tensor2D,
          sigma: t.slice(25, 29) as tf.Tensor1D[],
        }).map((y) => tf.sum(y)),
      ) as tf.Scalar;
    await row(`geometric product forward + gradient, N = ${m}, C = ${c}`, () =>
      tf.tidy(() => {
        tf.grads(f)(flat);
      }));
  }
  if (only.includes("silu") || only.includes("silugrad")) {
    const params = [...Array(8)].map((_, g) =>
      tf.randomNormal([c], 0, 1, "float32", 60 + g) as tf.Tensor1D
    );
    if (only.includes("silu")) {
      await row(
        `MVSiLU forward, N = ${m}, C = ${c}`,
        () => tf.dispose(fusedMVSiLU(inputs.x, params.slice(0, 4), params.slice(4))),
      );
    }
    if (only.includes("silugrad")) {
      const f = (...t: tf.Tensor[]) =>
        tf.addN(
          fusedMVSiLU(t.slice(0, 8) as Multivector, t.slice(8, 12), t.slice(12)).map((y) =>
            tf.sum(y)
          ),
        ) as tf.Scalar;
      await row(`MVSiLU forward + gradient, N = ${m}, C = ${c}`, () =>
        tf.tidy(() => {
          tf.grads(f)([...inputs.x, ...params]);
        }));
    }
    tf.dispose(params);
  }
  tf.dispose([...inputs.x, ...inputs.l, ...inputs.r, inputs.pathWeights, ...inputs.sigma]);

  // Whole model, paper-runtime widths, batch 1 (the cases of issue 9's table).
  if (only.includes("hyena-fwd") || only.includes("hyena-bwd")) {
    const model = createModel({ kind: "se3-hyena", preset: "paper-runtime" });
    if (only.includes("hyena-fwd")) {
      const n = Number(o.forwardN);
      const data = randomInputs(model, 1, n, 1);
      await row(`SE(3)-Hyena forward, paper-runtime, N = ${n}`, () =>
        tf.tidy(() => {
          const y = model.apply(data, { tokenChunk: 8192 });
          tf.add(tf.sum(y.x), tf.sum(y.f)).dataSync();
        }));
      disposeInputs(data);
    }
    if (only.includes("hyena-bwd")) {
      const n = Number(o.backwardN);
      const data = randomInputs(model, 1, n, 2);
      await row(`SE(3)-Hyena forward + backward, paper-runtime, N = ${n}`, () =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const y = model.apply(data);
            return tf.add(tf.mean(tf.square(y.x)), tf.mean(tf.square(y.f))) as tf.Scalar;
          }, model.trainableVariables);
          value.dataSync();
          tf.dispose(Object.values(grads));
        }));
      disposeInputs(data);
    }
    model.dispose();
  }
  disposeKernelPool();
}

if (import.meta.main) await main();
