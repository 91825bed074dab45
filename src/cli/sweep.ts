/**
 * `deno task sweep`: runs a sweep (a preset or a sweep file) and writes
 * `reports/<sweep-id>/results.json`, `results.csv` and the HTML report.
 *
 * ```
 * deno task sweep --local                              # quick preset, this machine
 * deno task sweep --local --preset paper-fig5 --memory-budget 8GiB
 * deno task sweep --local --preset my-sweep.json --models se3-hyena --lengths 64,128
 * deno task sweep --local --resume quick-20250101T120000Z-a1b2
 * deno task sweep --preset paper-fig5 --workers 4 --nats nats://hub:4222   # distributed
 * ```
 *
 * Modes (the one place that picks them is {@link chooseMode}): `--local` runs every case
 * here, one child process per case (src/sweep/local.ts). Without `--local` the sweep is
 * distributed over NATS by src/nats/coordinator.ts (`runDistributedSweep`: its own
 * embedded nats-server and local workers unless `--nats URL` is given); when that module
 * is not present the CLI falls back to local and says so.
 *
 * Exit codes: 0 done (whatever the cases' statuses), 1 unexpected failure, 2 usage error
 * (bad option, unknown preset, invalid case — the message names the field and value).
 *
 * The sweep id is `<preset>-<UTC yyyymmddThhmmssZ>-<4 hex>`.
 *
 * @module
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import process from "node:process";
import { caseId as caseIdOf } from "../case/id.ts";
import { BUILTIN_PRESETS, loadSweep, type Sweep, type SweepOverrides } from "../case/expand.ts";
import { CASE_BACKENDS, CaseError, MODEL_KINDS, PASS_KINDS } from "../case/schema.ts";
import { collectEnvironment } from "../environment.ts";
import type { Case, CaseResult, SweepResults } from "../results.ts";
import { defaultMemoryBudgetBytes, formatBytes } from "../runner/isolated.ts";
import { runLocalSweep } from "../sweep/local.ts";
import { ResultsFile } from "../sweep/results_file.ts";
import { parseBytes } from "./parse_bytes.ts";

/** A usage error: printed without a stack, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parsed command-line options. */
export interface SweepCliOptions {
  local: boolean;
  preset: string;
  backend?: string;
  out: string;
  lengths?: number[];
  models?: string[];
  passes?: string[];
  timeoutMs?: number;
  repeats?: number;
  memoryBudget?: number;
  resume?: string;
  dryRun: boolean;
  progress: boolean;
  report: boolean;
  nats?: string;
  workers?: number;
  gpus?: number[];
}

const COORDINATOR_URL = new URL("../nats/coordinator.ts", import.meta.url);
const REPORT_URL = new URL("../report/render.ts", import.meta.url);

const positiveInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${name}: expected a positive integer, got ${v}`);
  }
  return n;
};
const listOf = (name: string, allowed: readonly string[]) => (v: string): string[] => {
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new InvalidArgumentError(
        `${name}: unknown value ${JSON.stringify(item)}; expected ${allowed.join(", ")}`,
      );
    }
  }
  if (items.length === 0) {
    throw new InvalidArgumentError(`${name}: expected a comma-separated list, got ${v}`);
  }
  return items;
};
const intList = (name: string) => (v: string): number[] => {
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) {
    throw new InvalidArgumentError(`${name}: expected a comma-separated list, got ${v}`);
  }
  return items.map((s) => positiveInt(name)(s));
};
const bytes = (v: string): number => {
  try {
    return parseBytes(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

/** Builds the commander program (exits are turned into {@link CommanderError}s). */
export function buildProgram(): Command {
  return new Command("sweep")
    .description("Run a benchmark sweep and write results.json, results.csv and an HTML report.")
    .option("--local", "run every case on this machine (one child process per case)", false)
    .option(
      "--preset <name|file.json>",
      `preset (${BUILTIN_PRESETS.join(", ")}) or a sweep file`,
      "quick",
    )
    .addOption(
      new Option("--backend <name>", "run every case on this backend").choices([...CASE_BACKENDS]),
    )
    .option("--out <dir>", "output folder", "reports")
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
    .option("--timeout-ms <ms>", "per-case timeout", positiveInt("--timeout-ms"))
    .option("--repeats <n>", "minimum timed repeats per case", positiveInt("--repeats"))
    .option(
      "--memory-budget <size>",
      `RSS budget per case, e.g. 4GiB (default: the preset's, else ${
        formatBytes(defaultMemoryBudgetBytes())
      })`,
      bytes,
    )
    .option("--resume <sweep-id>", "continue a sweep, skipping cases already in its results.json")
    .option("--dry-run", "list the cases and exit", false)
    .option("--no-progress", "no progress bar (one line per case instead)")
    .option("--no-report", "do not render the HTML report")
    .option("--nats <url>", "distributed: use this NATS cluster instead of an embedded server")
    .option("--workers <n>", "distributed: local worker processes to start", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) {
        throw new InvalidArgumentError(`--workers: expected an integer ≥ 0, got ${v}`);
      }
      return n;
    })
    .option(
      "--gpus <list>",
      "distributed: GPU indices, one local worker each, e.g. 0,1,2,3",
      (v) =>
        v.split(",").map((s) => {
          const n = Number(s.trim());
          if (!Number.isInteger(n) || n < 0) {
            throw new InvalidArgumentError(`--gpus: expected GPU indices, got ${v}`);
          }
          return n;
        }),
    )
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
  return `${c.model}${attn} ${c.pass} N=${c.seqLen} B=${c.batch} ${c.preset} ${c.backend}`;
}

/** One-line description of a result. */
export function describeResult(r: CaseResult): string {
  const t = r.timeMs ? `${r.timeMs.median.toFixed(2)} ms (n=${r.timeMs.n})` : "";
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

/** A progress display: cli-progress bar on a TTY, else one line per case. */
function makeProgress(enabled: boolean, total: number) {
  const tty = enabled && Deno.stderr.isTerminal();
  const bar = tty
    ? new cliProgress.SingleBar({
      format: "{bar} {value}/{total} cases | ETA {etaText} | {current}",
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 5,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic)
    : null;
  let done = 0;
  const t0 = performance.now();
  // Our own ETA: mean time per finished case × cases left ("…" before the first one).
  const etaText = () => {
    if (done === 0) return "…";
    const s = Math.round(((performance.now() - t0) / done) * (total - done) / 1000);
    return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
  };
  bar?.start(total, 0, { current: "starting", etaText: etaText() });
  return {
    start(c: Case) {
      if (bar) bar.update(done, { current: describeCase(c), etaText: etaText() });
    },
    result(r: CaseResult) {
      done++;
      if (bar) {
        bar.update(done, { current: describeResult(r).slice(0, 60), etaText: etaText() });
      } else {
        console.error(`[${done}/${total}] ${describeResult(r)}`);
      }
    },
    stop() {
      bar?.stop();
    },
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

  const overrides: SweepOverrides = {
    models: opts.models,
    passes: opts.passes,
    lengths: opts.lengths,
    backend: opts.backend,
    timeoutMs: opts.timeoutMs,
    repeats: opts.repeats,
  };
  let sweep: Sweep;
  try {
    sweep = await loadSweep(opts.preset, overrides);
  } catch (e) {
    if (e instanceof CaseError) throw new UsageError(e.message);
    throw e;
  }
  const memoryBudgetBytes = opts.memoryBudget ?? sweep.memoryBudgetBytes ??
    defaultMemoryBudgetBytes();

  if (opts.dryRun) {
    console.log(
      `${sweep.name}: ${sweep.cases.length} cases, memory budget ${formatBytes(memoryBudgetBytes)}`,
    );
    for (const c of sweep.cases) console.log(`  ${describeCase(c)}`);
    return 0;
  }

  const { mode, note } = await chooseMode(opts);
  if (note) console.error(`note: ${note}`);
  if (mode === "local" && (opts.nats || opts.workers !== undefined || opts.gpus)) {
    throw new UsageError(
      "--nats, --workers and --gpus apply to distributed sweeps; drop them or --local",
    );
  }
  const sweepId = opts.resume ?? makeSweepId(sweep.name);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(sweepId)) {
    throw new UsageError(
      `--resume: expected a sweep id ([A-Za-z0-9_-]), got ${JSON.stringify(sweepId)}`,
    );
  }
  const dir = `${opts.out}/${sweepId}`;
  const started = performance.now();
  console.error(
    `sweep ${sweepId}: ${sweep.cases.length} cases (${sweep.name}), ${mode}, memory budget ${
      formatBytes(memoryBudgetBytes)
    }`,
  );

  const abort = new AbortController();
  const onSignal = () => {
    console.error(
      "\ninterrupted: stopping after killing the running case (results so far are saved)",
    );
    abort.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);

  let results: SweepResults;
  try {
    if (mode === "distributed") {
      const { runDistributedSweep } = await import(COORDINATOR_URL.href);
      const progress = makeProgress(opts.progress, sweep.cases.length);
      try {
        results = await runDistributedSweep({
          cases: sweep.cases,
          sweepId,
          outDir: opts.out,
          nats: opts.nats,
          workers: opts.workers,
          gpus: opts.gpus,
          backend: opts.backend,
          resume: opts.resume !== undefined,
          memoryBudgetBytes,
          preset: sweep.name,
          signal: abort.signal,
          onEvent: (e: { type: string; result?: CaseResult; message?: string }) => {
            if (e.type === "case-finished" && e.result) progress.result(e.result);
            else if (e.type === "log" && e.message) console.error(e.message);
          },
        });
      } finally {
        progress.stop();
      }
    } else {
      let file: ResultsFile;
      if (opts.resume) {
        try {
          file = await ResultsFile.open(dir);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      } else {
        file = await ResultsFile.create(dir, {
          sweepId,
          preset: sweep.name,
          description: sweep.description,
          environment: await collectEnvironment(),
          memoryBudgetBytes,
          mode: "local",
        });
      }
      const done = file.data.results;
      const total = sweep.cases.length -
        sweep.cases.filter((c) => done.some((r) => r.case && sameCase(r, c))).length;
      const progress = makeProgress(opts.progress, total);
      try {
        await runLocalSweep(sweep.cases, {
          memoryBudgetBytes,
          done,
          signal: abort.signal,
          onStart: (c) => progress.start(c),
          onResult: async (r) => {
            await file.add(r);
            progress.result(r);
          },
        });
      } finally {
        progress.stop();
      }
      await file.set({ finishedAt: new Date().toISOString(), wallMs: performance.now() - started });
      results = file.data;
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }

  printSummary(results);
  const wall = (performance.now() - started) / 1000;
  console.error(
    `results: ${dir}/results.json, ${dir}/results.csv (wall time ${wall.toFixed(1)} s)`,
  );
  if (opts.report) {
    const html = await renderReport(results, dir);
    if (html) console.log(`report: ${html}`);
  }
  return abort.signal.aborted ? 130 : 0;
}

/** Whether a recorded row is case `c` (by id). */
function sameCase(r: CaseResult, c: Case): boolean {
  return r.id === caseIdOf(c);
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
    console.error(e);
    Deno.exit(1);
  }
}
