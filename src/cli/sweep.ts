/**
 * `deno task sweep`: runs a sweep (a preset or a sweep file) and writes
 * `reports/<sweep-id>/results.json`, `results.csv` and the HTML report.
 *
 * ```
 * deno task sweep                                      # quick preset, embedded NATS, local workers
 * deno task sweep --gpus 0,1,2,3                       # one local worker per GPU
 * deno task sweep --preset paper-fig5 --nats nats://hub:4222 --token-file … --workers 0
 * deno task sweep --preset scaling                     # the same cases with 1, 2 workers
 * deno task sweep --preset tiny --scaling 1,2,4
 * deno task sweep --resume quick-20250101T120000Z-a1b2 # after a coordinator crash
 * deno task sweep --local                              # no NATS: every case here
 * deno task sweep --local --preset my-sweep.json --models se3-hyena --lengths 64,128
 * deno task sweep --preset frameworks                  # TensorFlow.js and PyTorch, same cases
 * deno task sweep --gpus 0,1 --framework torch --device cuda --python /opt/venv/bin/python
 * ```
 *
 * `--framework tfjs|torch` runs every case in that framework (default: what the preset
 * says, TensorFlow.js where it says nothing), `--device cpu|cuda` sets torch cases' device,
 * `--python PATH` the interpreter of torch cases (default: src/torch/python.ts; exported as
 * `SE3_HYENA_PYTHON` to the local runner and local workers). `--threads N` sets every case's
 * thread count (our cpu/wasm kernels' worker pool, or PyTorch's; default every core, and
 * then the case ids are those of cases that name no count).
 *
 * Modes (the one place that picks them is {@link chooseMode}):
 * - distributed (the default): src/nats/coordinator.ts (`runDistributedSweep`). Without
 *   `--nats` it starts its own nats-server (JetStream, loopback, free port, storage under
 *   the sweep's folder; Debian's `nats-server` is installed with apt when missing and we
 *   are root, else the error says how to install it) and its own local workers — one per
 *   `--gpus` entry, else one (`--workers N` to change) — and stops them all at the end.
 *   With `--nats URL` it uses that cluster (auth: `--token` / `--user` + `--pass` /
 *   `--creds`, TLS: `--tls-ca`, `--tls-cert`, `--tls-key`; secrets are better given as
 *   `NATS_TOKEN` / `NATS_USER` / `NATS_PASSWORD`, and are never printed). A live view
 *   (src/nats/live_view.ts) shows progress, workers with their current case, the ETA and
 *   failures as they happen.
 * - scaling study: `--preset scaling`, or `--scaling 1,2,4` with any preset, runs the
 *   same cases once per worker count (`runScalingStudy`) and stores makespan, throughput
 *   and efficiency as `scaling` in results.json (the report shows them).
 * - local (`--local`): every case here, one child process per case (src/sweep/local.ts).
 *
 * Both modes run through one engine (src/sweep/engine.ts: order, skip-after-OOM, results
 * sink, events) with the same live view; `--order grouped|ascending|largest-first|given`
 * overrides each mode's default order (grouped distributed, ascending local).
 *
 * Both modes skip, per group (the case without its length) and device class, the lengths
 * above one that ran out of memory or timed out (recorded `skipped`).
 *
 * Output: `<out>/<sweep-id>/{results.json,results.csv,index.html}`; the report's path is
 * printed on stdout as `report: <path>`; everything else goes to stderr.
 *
 * Exit codes: 0 done (whatever the cases' statuses), 1 unexpected failure (e.g. NATS
 * unreachable), 2 usage error (bad option, unknown preset, invalid case — the message
 * names the flag or field and the value), 130 interrupted (results so far are kept;
 * `--resume <sweep-id>` continues).
 *
 * The sweep id is `<preset>-<UTC yyyymmddThhmmssZ>-<4 hex>`.
 *
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { caseId as caseIdOf } from "../case/id.ts";
import { caseNoise } from "../report/noise.ts";
import { BUILTIN_PRESETS, loadSweep, type Sweep, type SweepOverrides } from "../case/expand.ts";
import type { NatsAuth } from "../nats/connection.ts";
import { authFromFlags, givenAuthFlags } from "../nats/auth.ts";
import { natsUrlProblem } from "../nats/url.ts";
import type {
  DistributedSweepOptions,
  runDistributedSweep as RunDistributedSweep,
  runScalingStudy as RunScalingStudy,
  ScalingRow,
} from "../nats/coordinator.ts";
import { createLiveView } from "../nats/live_view.ts";
import type { SweepEvent } from "../sweep/engine.ts";
import {
  CASE_BACKENDS,
  CaseError,
  FRAMEWORKS,
  MAX_THREADS,
  MODEL_KINDS,
  PASS_KINDS,
  TORCH_DEVICES,
} from "../case/schema.ts";
import { ensureTorchRuntime, PYTHON_ENV } from "../torch/python.ts";
import { collectEnvironment } from "../environment.ts";
import type { Case, CaseResult, SweepResults } from "../results.ts";
import { defaultMemoryBudgetBytes, formatBytes } from "../runner/isolated.ts";
import { preferredBackend } from "../webgpu/preferred_backend.ts";
import { runLocalSweep } from "../sweep/local.ts";
import { SWEEP_ORDERS, type SweepOrder } from "../sweep/schedule.ts";
import { ResultsFile } from "../sweep/results_file.ts";
import { compactDefinition, resumeDefinition, type SweepDefinition } from "../sweep/definition.ts";
import { parseBytes } from "./parse_bytes.ts";

/**
 * A usage error: printed without a stack, exit code 2. Option parsers throw it rather
 * than commander's InvalidArgumentError, whose message would repeat the raw value (a
 * secret inside a `--nats` URL, say); ours names the flag and shows a safe value.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parsed command-line options. */
export interface SweepCliOptions {
  local: boolean;
  /** Undefined when not given (then "quick", or with --resume the sweep's own). */
  preset?: string;
  backend?: string;
  framework?: "tfjs" | "torch";
  device?: "cpu" | "cuda";
  python?: string;
  threads?: number;
  out: string;
  lengths?: number[];
  maxSeqLen?: number;
  models?: string[];
  passes?: string[];
  timeoutMs?: number;
  repeats?: number;
  memoryBudget?: number;
  resume?: string;
  /** Order of the cases (default: grouped distributed, ascending local). */
  order?: SweepOrder;
  dryRun: boolean;
  progress: boolean;
  report: boolean;
  nats?: string;
  workers?: number;
  gpus?: number[];
  scaling?: number[];
  token?: string;
  user?: string;
  pass?: string;
  creds?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** Presets the CLI knows besides src/case/expand.ts's: `scaling` is a scaling study. */
const SCALING_PRESET = "scaling";
const CLI_PRESETS = [...BUILTIN_PRESETS, SCALING_PRESET];
const SCALING_FILE = new URL("../../bench/presets/scaling.json", import.meta.url);

const COORDINATOR_URL = new URL("../nats/coordinator.ts", import.meta.url);
const REPORT_URL = new URL("../report/render.ts", import.meta.url);

/** Most local worker processes one sweep starts (`--workers`, `--scaling`). */
export const MAX_LOCAL_WORKERS = 256;
/** Longest `--timeout-ms`: one week. */
export const MAX_TIMEOUT_MS = 7 * 24 * 3600_000;
/** Most `--repeats`. */
export const MAX_REPEATS = 100_000;

/** A decimal integer in [min, max] (no sign, exponent, hex or fraction: `1e2`, `0x10` are refused). */
const intIn = (name: string, min: number, max: number) => (v: string): number => {
  const n = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${name}: expected ${
        min === 0 ? "a non-negative" : "a positive"
      } integer of at most ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
};
const positiveInt = (name: string, max = Number.MAX_SAFE_INTEGER) => intIn(name, 1, max);
const nonNegativeInt = (name: string, max = Number.MAX_SAFE_INTEGER) => intIn(name, 0, max);
/** `--nats`: one or more comma-separated nats:// or tls:// URLs (host required). */
const natsUrl = (v: string): string => {
  const problem = natsUrlProblem(v); // masks credentials in the value it shows
  if (problem) throw new UsageError(problem);
  return v;
};
const listOf = (name: string, allowed: readonly string[]) => (v: string): string[] => {
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new UsageError(
        `${name}: unknown value ${JSON.stringify(item)}; expected ${allowed.join(", ")}`,
      );
    }
  }
  if (items.length === 0) {
    throw new UsageError(`${name}: expected a comma-separated list, got ${v}`);
  }
  return items;
};
const intList = (name: string, max?: number) => (v: string): number[] => {
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) {
    throw new UsageError(`${name}: expected a comma-separated list, got ${JSON.stringify(v)}`);
  }
  return items.map((s) => positiveInt(name, max)(s));
};
const bytes = (name: string) => (v: string): number => {
  try {
    return parseBytes(v);
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message}`);
  }
};

/** Builds the commander program (exits are turned into {@link CommanderError}s). */
export function buildProgram(): Command {
  return new Command("sweep")
    .description("Run a benchmark sweep and write results.json, results.csv and an HTML report.")
    .option("--local", "run every case on this machine (one child process per case)", false)
    .option(
      "--preset <name|file.json>",
      `preset (${CLI_PRESETS.join(", ")}) or a sweep file (default: quick; ` +
        "with --resume: the sweep's own)",
    )
    .addOption(
      new Option("--backend <name>", "run every case on this backend").choices([...CASE_BACKENDS]),
    )
    .addOption(
      new Option("--framework <name>", "run every case in this framework").choices([
        ...FRAMEWORKS,
      ]),
    )
    .addOption(
      new Option("--device <name>", "device of torch cases").choices([...TORCH_DEVICES]),
    )
    .option("--python <path>", "Python interpreter of torch cases (with PyTorch)")
    .option(
      "--threads <n>",
      "threads of every case (our kernels' worker pool; PyTorch's); default every core",
      positiveInt("--threads", MAX_THREADS),
    )
    .option("--out <dir>", "output folder", (v: string) => {
      if (v.trim() === "") {
        throw new UsageError(`--out: expected a folder, got ${JSON.stringify(v)}`);
      }
      return v;
    }, "reports")
    .option(
      "--lengths <list>",
      "replace the preset's lengths, e.g. 64,128,256",
      intList("--lengths"),
    )
    .option(
      "--models <list>",
      `keep only these models (${MODEL_KINDS.join(", ")})`,
      listOf("--models", MODEL_KINDS),
    )
    .option(
      "--passes <list>",
      `keep only these passes (${PASS_KINDS.join(", ")})`,
      listOf("--passes", PASS_KINDS),
    )
    .option(
      "--max-seq-len <n>",
      "drop the preset's cases longer than n tokens",
      positiveInt("--max-seq-len"),
    )
    .option("--timeout-ms <ms>", "per-case timeout", positiveInt("--timeout-ms", MAX_TIMEOUT_MS))
    .option(
      "--repeats <n>",
      "minimum timed repeats per case",
      positiveInt("--repeats", MAX_REPEATS),
    )
    .option(
      "--memory-budget <size>",
      `RSS budget per case, e.g. 4GiB (default: the preset's, else ${
        formatBytes(defaultMemoryBudgetBytes())
      })`,
      bytes("--memory-budget"),
    )
    .option("--resume <sweep-id>", "continue a sweep, skipping cases already in its results.json")
    .addOption(
      new Option(
        "--order <order>",
        "order of the cases: grouped (default distributed: ascending lengths per group, " +
          "groups interleaved heaviest first), ascending (default local), largest-first " +
          "(defeats skip-after-OOM), given",
      ).choices([...SWEEP_ORDERS]),
    )
    .option("--dry-run", "list the cases and exit", false)
    .option("--no-progress", "no progress bar (one line per case instead)")
    .option("--no-report", "do not render the HTML report")
    .option(
      "--nats <url>",
      "distributed: use this NATS cluster (nats:// or tls://) instead of an embedded server",
      natsUrl,
    )
    .option(
      "--workers <n>",
      "distributed: local worker processes to start (default: one per --gpus entry, else 1; " +
        "0: remote workers only, needs --nats)",
      nonNegativeInt("--workers", MAX_LOCAL_WORKERS),
    )
    .option(
      "--gpus <list>",
      "distributed: GPU indices, one local worker each (CUDA_VISIBLE_DEVICES), e.g. 0,1,2,3",
      (v) => {
        const items = v.split(",").map((s) => s.trim());
        if (
          items.length > MAX_LOCAL_WORKERS ||
          items.some((s) => !/^\d{1,4}$/.test(s))
        ) {
          throw new UsageError(
            `--gpus: expected comma-separated GPU indices, got ${JSON.stringify(v)}`,
          );
        }
        return items.map(Number);
      },
    )
    .option(
      "--scaling <list>",
      "scaling study: run the cases once per local worker count, e.g. 1,2,4 " +
        "(default with --preset scaling: 1,2, or powers of two up to the number of --gpus)",
      intList("--scaling", MAX_LOCAL_WORKERS),
    )
    .option("--token <token>", "with --nats: auth token (prefer env NATS_TOKEN)")
    .option("--user <name>", "with --nats: user name, with --pass (env NATS_USER)")
    .option("--pass <password>", "with --nats: password (prefer env NATS_PASSWORD)")
    .option("--creds <file>", "with --nats: credentials file (JWT + nkey seed)")
    .option("--tls-ca <file>", "with --nats: PEM CA bundle to verify the server")
    .option("--tls-cert <file>", "with --nats: PEM client certificate (mutual TLS)")
    .option("--tls-key <file>", "with --nats: PEM client key (mutual TLS)")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)) });
}

/**
 * Parses argv.
 * @throws CommanderError (usage problems, `--help`) with commander's exit code.
 */
export function parseArgs(argv: string[]): SweepCliOptions {
  const program = buildProgram();
  program.parse(argv, { from: "user" });
  return program.opts() as SweepCliOptions;
}

/** `<preset>-<UTC yyyymmddThhmmssZ>-<4 hex>`; the preset part keeps [A-Za-z0-9_-]. */
export function makeSweepId(preset: string, now = new Date()): string {
  const base =
    preset.replace(/^.*\//, "").replace(/\.json$/, "").replace(/[^A-Za-z0-9_-]+/g, "_").slice(
      0,
      32,
    ) ||
    "sweep";
  const ts = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const hex = Array.from(
    crypto.getRandomValues(new Uint8Array(2)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `${base}-${ts}-${hex}`;
}

/** Which engine runs the sweep: the one place that decides. */
export async function chooseMode(
  opts: SweepCliOptions,
): Promise<{ mode: "local" | "distributed"; note?: string }> {
  if (opts.local) return { mode: "local" };
  try {
    await Deno.stat(COORDINATOR_URL);
    return { mode: "distributed" };
  } catch {
    return {
      mode: "local",
      note: "src/nats/coordinator.ts is not available: running the sweep locally",
    };
  }
}

/** One-line description of a case for progress output. */
export function describeCase(c: Case): string {
  const attn = c.attention ? `/${c.attention}` : "";
  return `${c.model}${attn} ${c.pass} N=${c.seqLen} B=${c.batch} ${c.preset} ${
    c.framework === "torch" ? `torch/${c.device}` : c.backend
  }${c.threads !== undefined ? ` threads=${c.threads}` : ""}`;
}

/**
 * One-line description of a result: status, case, median with its CI half-width as a share
 * of it (`NOISY` above 10%, as the report flags it), memory, error.
 */
export function describeResult(r: CaseResult): string {
  const noise = caseNoise(r);
  const ci = noise?.relHalfWidth != null
    ? ` ±${(100 * noise.relHalfWidth).toFixed(noise.relHalfWidth < 0.1 ? 1 : 0)}%${
      noise.noisy ? " NOISY" : ""
    }`
    : "";
  const t = r.timeMs ? `${r.timeMs.median.toFixed(2)} ms${ci} (n=${r.timeMs.n})` : "";
  const mem = r.memory?.peakBytes ? ` peak ${formatBytes(r.memory.peakBytes)}` : "";
  const rss = r.memory?.rssPeakBytes ? ` rss ${formatBytes(r.memory.rssPeakBytes)}` : "";
  const err = r.status !== "ok" && r.error ? ` — ${r.error.split("\n")[0].slice(0, 120)}` : "";
  return `${r.status.padEnd(7)} ${describeCase(r.case)} ${t}${mem}${rss}${err}`;
}

/** Renders the report if src/report/render.ts exists; returns its path or null. */
async function renderReport(results: SweepResults, dir: string): Promise<string | null> {
  try {
    await Deno.stat(REPORT_URL);
  } catch {
    console.error("note: src/report/render.ts is not available yet: no HTML report");
    return null;
  }
  const mod = await import(REPORT_URL.href) as {
    writeReport(results: SweepResults, dir: string): Promise<string>;
  };
  return await mod.writeReport(results, dir);
}

/**
 * The sweep definition: from the command line, or with `--resume` from results.json (a
 * conflicting option is a usage error). Sets `SE3_HYENA_PYTHON` for `--python`.
 * @throws UsageError naming the option.
 */
async function sweepDefinition(opts: SweepCliOptions): Promise<SweepDefinition> {
  const given: Partial<SweepDefinition> = compactDefinition({
    preset: opts.preset!,
    models: opts.models,
    passes: opts.passes,
    lengths: opts.lengths,
    maxSeqLen: opts.maxSeqLen,
    backend: opts.backend,
    timeoutMs: opts.timeoutMs,
    repeats: opts.repeats,
    memoryBudget: opts.memoryBudget,
    framework: opts.framework,
    device: opts.device,
    threads: opts.threads,
  });
  if (opts.python !== undefined) {
    try {
      Deno.statSync(opts.python);
    } catch {
      throw new UsageError(`--python: no such file ${JSON.stringify(opts.python)}`);
    }
    Deno.env.set(PYTHON_ENV, opts.python); // the local runner and local workers inherit it
  }
  let def: SweepDefinition;
  if (opts.resume !== undefined && (opts.scaling || opts.preset === SCALING_PRESET)) {
    throw new UsageError("--resume: a scaling study cannot be resumed; run it again");
  }
  if (opts.resume !== undefined) {
    await checkResumable(opts.out, opts.resume);
    let stored: SweepResults;
    try {
      stored = (await ResultsFile.open(`${opts.out}/${opts.resume}`)).data;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    try {
      def = resumeDefinition(stored, given, (p) => CLI_PRESETS.includes(p));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else {
    def = { ...given, preset: opts.preset ?? "quick" };
  }
  if (def.backend === undefined && def.defaultBackend === undefined && opts.nats === undefined) {
    // Cases that name no backend run on the best one here (tensorflow if installed, a
    // real WebGPU adapter, else wasm); with --nats the workers are elsewhere: wasm.
    def.defaultBackend = await preferredBackend();
  }
  return def;
}

/**
 * The cases of a definition (and, for torch cases that run here, a checked runtime).
 * @throws UsageError naming the option or case field.
 */
async function loadCases(opts: SweepCliOptions, def: SweepDefinition): Promise<Sweep> {
  const overrides: SweepOverrides = {
    models: def.models,
    passes: def.passes,
    lengths: def.lengths,
    maxSeqLen: def.maxSeqLen,
    backend: def.backend,
    defaultBackend: def.defaultBackend,
    timeoutMs: def.timeoutMs,
    repeats: def.repeats,
    framework: def.framework,
    device: def.device,
    threads: def.threads,
  };
  const presetPath = def.preset === SCALING_PRESET ? SCALING_FILE.pathname : def.preset;
  let sweep: Sweep;
  try {
    sweep = await loadSweep(presetPath, overrides);
  } catch (e) {
    if (e instanceof CaseError) throw new UsageError(e.message);
    throw e;
  }
  const hasTorch = sweep.cases.some((c) => c.framework === "torch");
  if (opts.device !== undefined && !hasTorch) {
    throw new UsageError(
      `--device ${opts.device}: applies to torch cases only, and this sweep has none ` +
        "(add --framework torch)",
    );
  }
  // Torch cases run here unless every worker is remote (--workers 0).
  if (!opts.dryRun && hasTorch && !(opts.nats !== undefined && opts.workers === 0)) {
    const cpu = sweep.cases.some((c) => c.framework === "torch" && c.device === "cpu");
    try {
      await ensureTorchRuntime(opts.python, cpu);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return sweep;
}

/** What a run of either mode needs. */
interface SweepRun {
  opts: SweepCliOptions;
  def: SweepDefinition;
  sweep: Sweep;
  sweepId: string;
  /** `<out>/<sweepId>`. */
  dir: string;
  memoryBudgetBytes: number;
  auth?: NatsAuth;
  /** Worker counts of a scaling study. */
  scaling?: number[];
  /** The live view's `onEvent`, and its `stop` (before printing below it). */
  onEvent: (e: SweepEvent) => void;
  stopView: () => void;
  signal: AbortSignal;
  /** performance.now() at the start. */
  started: number;
}

/** Distributed mode (or a scaling study); undefined when interrupted. */
async function runDistributedMode(run: SweepRun): Promise<SweepResults | undefined> {
  const { opts, sweep, memoryBudgetBytes, dir, sweepId, scaling } = run;
  const coordinator = await import(COORDINATOR_URL.href) as {
    runDistributedSweep: typeof RunDistributedSweep;
    runScalingStudy: typeof RunScalingStudy;
  };
  const base: DistributedSweepOptions = {
    cases: sweep.cases,
    sweepId,
    outDir: opts.out,
    nats: opts.nats,
    auth: run.auth,
    workers: opts.workers,
    gpus: opts.gpus,
    backend: opts.backend as DistributedSweepOptions["backend"],
    resume: opts.resume !== undefined,
    memoryBudgetBytes,
    order: opts.order,
    preset: sweep.name,
    extra: {
      description: sweep.description,
      memoryBudgetBytes,
      mode: "distributed",
      definition: run.def,
    },
    signal: run.signal,
    onEvent: run.onEvent,
  };
  try {
    if (!scaling) return await coordinator.runDistributedSweep(base);
    const { scaling: rows } = await coordinator.runScalingStudy({ ...base, workerCounts: scaling });
    run.stopView();
    printScaling(rows);
    return (await ResultsFile.open(dir)).data;
  } catch (e) {
    if (!run.signal.aborted) throw e;
    run.stopView();
    console.error(
      scaling
        ? "interrupted: the scaling study stopped"
        : `interrupted: ${dir}/results.json holds the results so far; continue with ` +
          `deno task sweep --resume ${sweepId}`,
    );
    return undefined;
  }
}

/** Local mode: every case here, results.json written after each. */
async function runLocalMode(run: SweepRun): Promise<SweepResults> {
  const { opts, sweep, memoryBudgetBytes, dir } = run;
  let file: ResultsFile;
  if (opts.resume) {
    try {
      file = await ResultsFile.open(dir);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else {
    file = await ResultsFile.create(dir, {
      sweepId: run.sweepId,
      preset: sweep.name,
      description: sweep.description,
      environment: await collectEnvironment(),
      memoryBudgetBytes,
      mode: "local",
      definition: run.def,
    });
  }
  await runLocalSweep(sweep.cases, {
    memoryBudgetBytes,
    done: [...file.data.results],
    signal: run.signal,
    order: opts.order,
    onEvent: run.onEvent,
    onResult: (r) => file.add(r),
  });
  await file.set({ finishedAt: new Date().toISOString(), wallMs: performance.now() - run.started });
  return file.data;
}

/** Ctrl-C / SIGTERM abort the sweep (a second one exits at once); returns the remover. */
function abortOnSignals(abort: AbortController): () => void {
  const onSignal = () => {
    if (abort.signal.aborted) Deno.exit(130); // second Ctrl-C: do not wait
    console.error(
      "\ninterrupted: stopping the running cases, workers and server (results so far are saved)",
    );
    abort.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  return () => {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  };
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let opts: SweepCliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      return 2; // commander already printed the message
    }
    throw e;
  }
  const def = await sweepDefinition(opts);
  opts.preset = def.preset;
  opts.memoryBudget = def.memoryBudget;
  const sweep = await loadCases(opts, def);
  const memoryBudgetBytes = opts.memoryBudget ?? sweep.memoryBudgetBytes ??
    defaultMemoryBudgetBytes();
  const { mode, note } = await chooseMode(opts);
  if (note) console.error(`note: ${note}`);
  const auth = checkDistributedOptions(opts, mode);
  const scaling = opts.scaling ??
    (opts.preset === SCALING_PRESET ? defaultScalingCounts(opts.gpus) : undefined);
  if (scaling && opts.resume) {
    throw new UsageError("--resume: a scaling study cannot be resumed; run it again");
  }
  if (scaling && opts.nats && opts.workers === 0) {
    throw new UsageError("--scaling: the study starts its own local workers; drop --workers 0");
  }
  const budget = `memory budget ${formatBytes(memoryBudgetBytes)}`;
  if (opts.dryRun) {
    console.log(`${sweep.name}: ${sweep.cases.length} cases, ${budget}`);
    for (const c of sweep.cases) console.log(`  ${describeCase(c)}`);
    return 0;
  }

  const sweepId = opts.resume ?? makeSweepId(sweep.name);
  const dir = `${opts.out}/${sweepId}`;
  const started = performance.now();
  console.error(
    `sweep ${sweepId}: ${sweep.cases.length} cases (${sweep.name}), ${
      scaling ? `scaling study with ${scaling.join(", ")} workers` : mode
    }, ${budget}`,
  );
  const abort = new AbortController();
  const release = abortOnSignals(abort);
  // One live view for both modes (fed by the engine's events).
  const labels = new Map(sweep.cases.map((c) => [caseIdOf(c), describeCase(c)]));
  const view = createLiveView({
    tty: opts.progress ? undefined : false,
    total: sweep.cases.length,
    caseLabel: (id) => labels.get(id),
    formatResult: describeResult,
  });
  const run: SweepRun = {
    opts,
    def,
    sweep,
    sweepId,
    dir,
    memoryBudgetBytes,
    auth,
    scaling,
    onEvent: view.onEvent,
    stopView: () => view.stop(),
    signal: abort.signal,
    started,
  };
  let results: SweepResults | undefined;
  try {
    results = mode === "distributed" ? await runDistributedMode(run) : await runLocalMode(run);
  } finally {
    view.stop();
    release();
  }
  if (!results) return 130;
  finishSweep(dir, results, started);
  if (opts.report) {
    const html = await renderReport(results, dir);
    if (html) console.log(`report: ${html}`);
  }
  return abort.signal.aborted ? 130 : 0;
}

/** The summary and where the results are (stderr). */
function finishSweep(dir: string, results: SweepResults, started: number): void {
  printSummary(results);
  const wall = (performance.now() - started) / 1000;
  console.error(
    `results: ${dir}/results.json, ${dir}/results.csv (wall time ${wall.toFixed(1)} s)`,
  );
}

/**
 * Checks `--resume <id>`: a sweep id whose `<out>/<id>/results.json` exists. Without this a
 * mistyped id would silently start the whole sweep afresh under that id (distributed mode
 * creates what it does not find).
 * @throws UsageError naming `--resume` and the value.
 */
export async function checkResumable(out: string, id: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new UsageError(
      `--resume: expected a sweep id ([A-Za-z0-9_-]), got ${JSON.stringify(id)}`,
    );
  }
  try {
    await Deno.stat(`${out}/${id}/results.json`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new UsageError(
      `--resume: no sweep ${
        JSON.stringify(id)
      } to continue (${out}/${id}/results.json not found; ` +
        `--out ${JSON.stringify(out)})`,
    );
  }
}

/**
 * Checks the options that only distributed sweeps take, and returns the NATS auth for
 * `--nats` (flags first, then `NATS_TOKEN` / `NATS_USER` / `NATS_PASSWORD`).
 * @throws UsageError naming the flag (never a secret's value).
 */
export function checkDistributedOptions(
  opts: SweepCliOptions,
  mode: "local" | "distributed",
  env: (k: string) => string | undefined = (k) => Deno.env.get(k),
): NatsAuth | undefined {
  const givenAuth = givenAuthFlags(opts);
  if (mode === "local") {
    const given = [
      opts.nats !== undefined && "--nats",
      opts.workers !== undefined && "--workers",
      opts.gpus !== undefined && "--gpus",
      opts.scaling !== undefined && "--scaling",
      opts.preset === SCALING_PRESET && "--preset scaling",
      ...givenAuth,
    ].filter(Boolean);
    if (given.length) {
      throw new UsageError(
        `${given.join(", ")}: only for distributed sweeps (over NATS); drop ${
          given.length > 1 ? "them" : "it"
        } or --local`,
      );
    }
    return undefined;
  }
  if (opts.nats === undefined) {
    if (givenAuth.length) {
      throw new UsageError(
        `${givenAuth.join(", ")}: only with --nats <url> (the embedded server makes its own ` +
          `token)`,
      );
    }
    if (opts.workers === 0) {
      throw new UsageError(
        `--workers: 0 needs --nats <url> (no worker could join the embedded server), got "0"`,
      );
    }
    return undefined;
  }
  try {
    return authFromFlags(opts, env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Worker counts of `--preset scaling` without `--scaling`: 1, 2 on a CPU; 1, 2, 4 … n with n GPUs. */
export function defaultScalingCounts(gpus?: number[]): number[] {
  const n = gpus?.length ?? 0;
  if (n < 2) return [1, 2];
  const counts: number[] = [];
  for (let k = 1; k < n; k *= 2) counts.push(k);
  return [...counts, n];
}

/** Prints the scaling table (stderr). */
export function printScaling(rows: ScalingRow[]): void {
  console.error("\nscaling study:");
  console.error("  workers  makespan   cases/min  efficiency");
  for (const r of rows) {
    console.error(
      `  ${String(r.workers).padStart(7)}  ${(r.makespanMs / 1000).toFixed(1).padStart(7)} s` +
        `  ${r.throughputCasesPerMin.toFixed(2).padStart(9)}  ${
          (100 * r.efficiency).toFixed(0).padStart(9)
        } %`,
    );
  }
}

/** Prints a compact table of the results (median ms per model/pass/length). */
export function printSummary(results: SweepResults): void {
  const rows = [...results.results].sort((a, b) =>
    `${a.case.model}${a.case.pass}`.localeCompare(`${b.case.model}${b.case.pass}`) ||
    a.case.seqLen - b.case.seqLen
  );
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  console.error(`\n${rows.length} results: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`);
  for (const r of rows) console.error(`  ${describeResult(r)}`);
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    // Expected failures (nats-server missing, NATS unreachable, …) read best without a stack.
    console.error(`error: ${(e as Error)?.message ?? e}`);
    if (Deno.env.get("SE3H_DEBUG")) console.error(e);
    else console.error("(set SE3H_DEBUG=1 for the stack trace)");
    Deno.exit(1);
  }
}
