/**
 * Forward-pass scaling of the two models (paper Fig. 5 style), printed as a table with the
 * fitted exponent (slope of log t vs log N over the upper half of the lengths that ran):
 *
 *   deno run -A bench/model_scaling.ts [--backend wasm] [--hyena 12:20] [--transformer 8:16]
 *                                      [--chunk 8192] [--budget-s 10]
 *
 * - SE(3)-Hyena, preset `paper-runtime`, batch 1, N = 2^a … 2^b (default 2^12 … 2^20), with
 *   `tokenChunk` (default 8192) so the per-token Clifford MLPs fit the wasm 4 GiB heap.
 * - Equivariant transformer, `materialized` attention (the paper's), N = 2^8 … until it
 *   runs out of memory (then it stops; larger N are not tried).
 *
 * Each (model, N) runs in a fresh child process (wasm memory never shrinks, and an
 * out-of-memory abort must not take the sweep down). The child builds the model, does an
 * untimed warm-up pass at N = 256 (kernel and wasm compilation), then times full passes
 * until it has 3 or `--budget-s` seconds have passed (at least 1), syncing on a scalar
 * read-back of the output. Reported: median ms, runs, and the wasm heap size afterwards
 * (the heap only grows, so it is the peak; 4 GiB is the ceiling).
 *
 * @module
 */
import { Command } from "commander";
import { linearRegression } from "simple-statistics";
import { type BackendName, isBackendName, tf, useBackend } from "../src/backend.ts";
import { createModel, type CreateModelOptions } from "../src/models/create_model.ts";
import { disposeInputs, randomInputs } from "../src/models/testing.ts";
import { isOomError, isOomStderr } from "../src/runner/oom.ts";

/** What a child reports for one (model, N). */
interface Row {
  model: string;
  n: number;
  status: "ok" | "oom" | "error";
  medianMs?: number;
  runs?: number;
  heapMiB?: number;
  error?: string;
}

interface ChildJob {
  label: string;
  model: CreateModelOptions;
  n: number;
  chunk: number;
  backend: BackendName;
  budgetS: number;
}

/** Bytes of the wasm heap, or null on other backends. */
function heapBytes(): number | null {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** Child side: one (model, N), printed as one JSON line on stdout. */
async function runChild(job: ChildJob): Promise<void> {
  const row: Row = { model: job.label, n: job.n, status: "ok" };
  try {
    await useBackend(job.backend);
    const model = createModel(job.model);
    const pass = (n: number) => {
      const inputs = randomInputs(model, 1, n, n);
      try {
        tf.tidy(() => {
          const y = model.apply(inputs, { tokenChunk: job.chunk });
          tf.add(tf.sum(y.x), tf.sum(y.f)).dataSync();
        });
      } finally {
        disposeInputs(inputs);
      }
    };
    pass(Math.min(256, job.n)); // warm-up: compile kernels
    const times: number[] = [];
    const start = performance.now();
    do {
      const t0 = performance.now();
      pass(job.n);
      times.push(performance.now() - t0);
    } while (times.length < 3 && performance.now() - start < job.budgetS * 1000);
    times.sort((a, b) => a - b);
    row.medianMs = times[Math.floor((times.length - 1) / 2)];
    if (times.length % 2 === 0) {
      row.medianMs = (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
    }
    row.runs = times.length;
    model.dispose();
  } catch (e) {
    row.status = isOomError(e, job.backend) ? "oom" : "error";
    row.error = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
  }
  const heap = heapBytes();
  if (heap !== null) row.heapMiB = heap / 2 ** 20;
  console.log(JSON.stringify(row));
}

/** Parent side: spawns the child for one job and parses its line. */
async function spawn(job: ChildJob): Promise<Row> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--child", JSON.stringify(job)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const line = stdout.split("\n").reverse().find((l) => l.startsWith("{"));
  if (line) return JSON.parse(line) as Row;
  const stderr = new TextDecoder().decode(out.stderr);
  const oom = isOomStderr(stderr) || out.code === 137;
  return {
    model: job.label,
    n: job.n,
    status: oom ? "oom" : "error",
    error: `child exited ${out.code}: ${stderr.trim().split("\n").slice(-1)[0] ?? ""}`.slice(
      0,
      200,
    ),
  };
}

/** Slope of log t vs log N over the upper half of the ok rows (null with < 2 points). */
export function fittedExponent(rows: Row[]): number | null {
  const ok = rows.filter((r) => r.status === "ok" && r.medianMs! > 0);
  const upper = ok.slice(Math.floor(ok.length / 2));
  if (upper.length < 2) return null;
  return linearRegression(upper.map((r) => [Math.log(r.n), Math.log(r.medianMs!)])).m;
}

function parseRange(name: string, text: string): [number, number] {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m || Number(m[1]) > Number(m[2])) {
    throw new Error(
      `${name}: expected a range of log2 lengths like 12:20, got ${JSON.stringify(text)}`,
    );
  }
  return [Number(m[1]), Number(m[2])];
}

async function main(): Promise<void> {
  const program = new Command()
    .name("model_scaling")
    .option("--backend <name>", "TensorFlow.js backend", "wasm")
    .option("--hyena <a:b>", "SE(3)-Hyena lengths 2^a … 2^b", "12:20")
    .option("--transformer <a:b>", "transformer lengths 2^a … 2^b (stops at the first OOM)", "8:16")
    .option("--chunk <n>", "tokenChunk of both models", "8192")
    .option("--budget-s <s>", "timing budget per length in seconds", "10")
    .option("--child <json>", "(internal) run one job");
  program.parse(["deno", "model_scaling", ...Deno.args]);
  const o = program.opts();
  if (o.child) return await runChild(JSON.parse(o.child) as ChildJob);
  if (!isBackendName(o.backend)) {
    throw new Error(`--backend: unknown backend ${JSON.stringify(o.backend)}`);
  }
  const chunk = Number(o.chunk), budgetS = Number(o.budgetS);
  if (!Number.isInteger(chunk) || chunk < 0) {
    throw new Error(`--chunk: expected a non-negative integer, got ${o.chunk}`);
  }
  if (!(budgetS > 0)) throw new Error(`--budget-s: expected a positive number, got ${o.budgetS}`);
  const series: { label: string; model: CreateModelOptions; range: [number, number] }[] = [
    {
      label: "se3-hyena",
      model: { kind: "se3-hyena", preset: "paper-runtime" },
      range: parseRange("--hyena", o.hyena),
    },
    {
      label: "transformer (materialized)",
      model: {
        kind: "equivariant-transformer",
        preset: "paper-runtime",
        attention: "materialized",
      },
      range: parseRange("--transformer", o.transformer),
    },
  ];
  console.log(
    `backend ${o.backend}, preset paper-runtime, batch 1, tokenChunk ${chunk}, forward pass`,
  );
  console.log("| model | N | median ms | runs | heap MiB | status |");
  console.log("|---|---|---|---|---|---|");
  const all: Row[][] = [];
  for (const s of series) {
    const rows: Row[] = [];
    for (let p = s.range[0]; p <= s.range[1]; p++) {
      const row = await spawn({
        label: s.label,
        model: s.model,
        n: 2 ** p,
        chunk,
        backend: o.backend,
        budgetS,
      });
      rows.push(row);
      const ms = row.medianMs === undefined ? "" : row.medianMs.toFixed(1);
      const heap = row.heapMiB === undefined ? "" : row.heapMiB.toFixed(0);
      console.log(
        `| ${row.model} | ${row.n} | ${ms} | ${row.runs ?? ""} | ${heap} | ${row.status}${
          row.error ? `: ${row.error}` : ""
        } |`,
      );
      if (row.status !== "ok") break;
    }
    all.push(rows);
  }
  for (const rows of all) {
    const ok = rows.filter((r) => r.status === "ok");
    const exp = fittedExponent(rows);
    console.log(
      `${rows[0]?.model}: fitted exponent ${exp === null ? "n/a" : exp.toFixed(2)} ` +
        `(upper half of ${ok.length} lengths), longest N that ran ${ok.at(-1)?.n ?? "none"}`,
    );
  }
}

if (import.meta.main) await main();
